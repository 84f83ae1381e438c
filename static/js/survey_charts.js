/* The survey statistics' charts (satisfaction/statistics.html), drawn from the page's #chart-data. */
(function () {
  "use strict";
  var source = document.getElementById("chart-data");
  if (!window.Chart || !source) return;
  // Figures, not a show: draw at once (also for printing and screenshots).
  Chart.defaults.animation = false;
  var d = JSON.parse(source.textContent);
  new Chart(document.getElementById("chart-aspects"), {type: "bar", data: {labels: d.aspects.labels, datasets: [
    {label: d.labels.mean, data: d.aspects.means, backgroundColor: "#0d6efd"},
    {label: d.labels.previous, data: d.aspects.previous, backgroundColor: "#adb5bd"}]},
    options: {indexAxis: "y", scales: {x: {min: 0, max: 100}}, maintainAspectRatio: false}});
  new Chart(document.getElementById("chart-bands"), {type: "bar", data: {labels: d.bands.labels, datasets: [
    {label: d.labels.answers, data: d.bands.counts, backgroundColor: ["#198754", "#20c997", "#0dcaf0", "#ffc107", "#dc3545"]}]},
    options: {plugins: {legend: {display: false}}, scales: {y: {beginAtZero: true, ticks: {precision: 0}}}, maintainAspectRatio: false}});
  new Chart(document.getElementById("chart-trend"), {type: "line", data: {labels: d.trend.labels, datasets: [
    {label: d.labels.trend, data: d.trend.means, borderColor: "#0d6efd"}]},
    options: {scales: {y: {min: 0, max: 100}}, maintainAspectRatio: false}});
})();
