/* Bar charts of the results page, from the counts the page already shows (suppressed cells
   are not in the data). Chart.js is vendored in static/js. */
(function () {
  "use strict";
  var data = document.getElementById("survey-charts");
  if (!data || typeof Chart === "undefined") return;
  var charts = JSON.parse(data.textContent);
  Object.keys(charts).forEach(function (name) {
    var canvas = document.getElementById("chart-" + name);
    if (!canvas) return;
    new Chart(canvas, {
      type: "bar",
      data: { labels: charts[name].labels, datasets: [{ data: charts[name].counts, backgroundColor: "#2f6f8f" }] },
      options: { indexAxis: "y", animation: false, plugins: { legend: { display: false } }, scales: { x: { beginAtZero: true, ticks: { precision: 0 } } } }
    });
  });
})();
