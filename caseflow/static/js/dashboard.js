// The supervisor dashboard's trend chart. Data and labels come from the page's JSON block
// (#trend-data); no inline script, so the Content-Security-Policy needs no 'unsafe-inline'.
(function () {
  var source = document.getElementById('trend-data');
  var canvas = document.getElementById('trend-chart');
  if (!source || !canvas || typeof Chart === 'undefined') return;
  var data = JSON.parse(source.textContent);
  var labels = data.labels.map(function (l) { return l.replace(/^\d{4}年/, ''); });
  new Chart(canvas, {
    type: 'line',
    data: { labels: labels, datasets: [
      // The lines differ by more than colour: solid with dots, solid with squares, dashed with triangles.
      { label: data.names.opened, data: data.opened, borderColor: '#1d4ed8', backgroundColor: '#1d4ed8', tension: 0, pointStyle: 'circle' },
      { label: data.names.closed, data: data.closed, borderColor: '#15803d', backgroundColor: '#15803d', tension: 0, pointStyle: 'rect', pointRadius: 4 },
      { label: data.names.overdue, data: data.overdue, borderColor: '#b91c1c', backgroundColor: '#b91c1c', tension: 0, borderDash: [6, 4], pointStyle: 'triangle', pointRadius: 5 }
    ]},
    options: { animation: false, plugins: { legend: { labels: { usePointStyle: true } } }, maintainAspectRatio: false, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } }
  });
})();
