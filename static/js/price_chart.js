// The product page's price history chart (Chart.js, vendored); data from json_script.
document.addEventListener("DOMContentLoaded", function () {
  var source = document.getElementById("price-chart-data");
  if (!source || !window.Chart) { return; }
  var data = JSON.parse(source.textContent);
  new Chart(document.getElementById("price-chart"), {
    type: "line",
    data: {labels: data.labels, datasets: [
      {label: "Selling price (" + data.currency + ")", data: data.price.map(Number), stepped: true, borderColor: "#0d6efd"},
      {label: "Cost (" + data.currency + ")", data: data.cost.map(Number), stepped: true, borderColor: "#6c757d"}
    ]},
    options: {maintainAspectRatio: false, animation: false, scales: {y: {beginAtZero: true}}}
  });
});
