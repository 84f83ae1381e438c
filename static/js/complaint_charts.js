// The complaint analysis charts (complaints/analysis.html), from the figures in #chart-data.
(function () {
  if (!window.Chart) return;
  // Figures, not a show: drawn at once (also for printing and screenshots).
  Chart.defaults.animation = false;
  const d = JSON.parse(document.getElementById("chart-data").textContent);
  const integer = {beginAtZero: true, ticks: {precision: 0}};
  const plain = {maintainAspectRatio: false, plugins: {legend: {display: false}}};
  new Chart(document.getElementById("chart-months"), {type: "bar", data: {labels: d.months.labels, datasets: [
    {label: d.labels.complaints, data: d.months.counts, backgroundColor: "#0d6efd"}]}, options: {...plain, scales: {y: integer}}});
  new Chart(document.getElementById("chart-categories"), {type: "bar", data: {labels: d.categories.labels, datasets: [
    {label: d.labels.complaints, data: d.categories.counts, backgroundColor: "#6f42c1"}]}, options: {...plain, scales: {y: integer}}});
  new Chart(document.getElementById("chart-pareto"), {data: {labels: d.pareto.labels, datasets: [
    {type: "bar", label: d.labels.complaints, data: d.pareto.counts, backgroundColor: "#dc3545", yAxisID: "y", order: 2},
    {type: "line", label: d.labels.cumulative, data: d.pareto.cumulative, borderColor: "#212529", backgroundColor: "#212529", yAxisID: "y1", order: 1}]},
    options: {maintainAspectRatio: false, scales: {y: integer, y1: {position: "right", min: 0, max: 100, grid: {drawOnChartArea: false}}}}});
  new Chart(document.getElementById("chart-customers"), {type: "bar", data: {labels: d.customers.labels, datasets: [
    {label: d.labels.complaints, data: d.customers.counts, backgroundColor: "#20c997"}]}, options: {...plain, indexAxis: "y", scales: {x: integer}}});
  new Chart(document.getElementById("chart-costs"), {type: "bar", data: {labels: d.costs.labels, datasets: [
    {label: d.labels.cost, data: d.costs.amounts, backgroundColor: "#fd7e14"}]}, options: {...plain, scales: {y: {beginAtZero: true}}}});
})();
