// Charts (Chart.js) for the dashboard and report results. Data comes from a
// json_script element named by the canvas (no inline script: CSP-friendly); htmx.onLoad
// also runs for regions swapped in by polling, so a finished report draws its chart.
(function () {
  function draw(root) {
    if (!window.Chart) { return; }
    root.querySelectorAll("canvas[data-chart-source]").forEach(function (canvas) {
      if (canvas.dataset.drawn) { return; }
      var source = document.getElementById(canvas.dataset.chartSource);
      if (!source) { return; }
      var spec = JSON.parse(source.textContent)[Number(canvas.dataset.chartIndex || 0)];
      if (!spec) { return; }
      canvas.dataset.drawn = "1";
      new Chart(canvas, {
        type: spec.type || "bar",
        data: { labels: spec.labels, datasets: spec.datasets },
        options: {
          responsive: true,
          maintainAspectRatio: false,
          animation: false,
          plugins: { legend: { display: spec.datasets.length > 1 } },
          scales: spec.type === "pie" ? {} : { y: { beginAtZero: true } }
        }
      });
    });
  }
  function start() {
    draw(document);
    if (window.htmx) { htmx.onLoad(draw); }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else { start(); }
})();
