// The distribution chart of a class or grade report (Chart.js, vendored: no CDN).
(function () {
  "use strict";
  function draw() {
    var canvas = document.getElementById("distribution");
    var data = document.getElementById("distribution-data");
    if (!canvas || !data || typeof Chart === "undefined") return;
    var chart = JSON.parse(data.textContent);
    var names = document.getElementById("distribution-labels").dataset;
    new Chart(canvas, {
      type: "bar",
      data: {
        labels: chart.labels,
        datasets: [{ label: names.y, data: chart.counts, backgroundColor: "#2f5fa7" }],
      },
      options: {
        animation: false,
        plugins: { legend: { display: false } },
        scales: {
          x: { title: { display: true, text: names.x } },
          y: { beginAtZero: true, ticks: { precision: 0 }, title: { display: true, text: names.y } },
        },
      },
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw);
  else draw();
})();
