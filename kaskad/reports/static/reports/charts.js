/* Charts of the report pages, drawn with the vendored Chart.js from chart data: embedded in
   the page (#report-charts) or fetched from a data endpoint (data-charts-url). Each canvas
   sits beside the table it is drawn from (the table is what screen readers read). */
(function () {
  "use strict";
  var palette = ["#1f6fb2", "#e08a1e", "#3a9a5b", "#b03a48", "#6b5ca5"];
  function draw(charts) {
    if (typeof Chart === "undefined") { return; }
    charts.forEach(function (c) {
      var canvas = document.querySelector('canvas[data-chart="' + c.code + '"]');
      if (!canvas || !c.labels.length) { return; }
      new Chart(canvas, {
        type: "bar",
        data: {
          labels: c.labels,
          datasets: c.datasets.map(function (d, i) {
            return { label: d.label, data: d.data, backgroundColor: palette[i % palette.length] };
          })
        },
        options: {
          indexAxis: c.labels.length > 6 ? "y" : "x",
          responsive: true,
          maintainAspectRatio: false,
          animation: false,
          plugins: { legend: { position: "bottom", labels: { boxWidth: 12 } } }
        }
      });
    });
  }
  var embedded = document.getElementById("report-charts");
  if (embedded) { draw(JSON.parse(embedded.textContent) || []); }
  var holder = document.querySelector("[data-charts-url]");
  if (holder) {
    fetch(holder.getAttribute("data-charts-url"), { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : { charts: [] }; })
      .then(function (data) { draw(data.charts || []); });
  }
})();
