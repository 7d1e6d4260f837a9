// The console's only script of its own (the Content-Security-Policy allows no inline script): copy buttons.
document.addEventListener('click', (event) => {
  const button = event.target.closest('[data-copy]');
  if (button) {
    navigator.clipboard.writeText(document.getElementById(button.dataset.copy).textContent.trim());
  }
});

// Charts: an element with data-chart (JSON: days and a series per meter) becomes a uPlot line chart.
document.addEventListener('DOMContentLoaded', () => {
  document.querySelectorAll('[data-chart]').forEach((el) => {
    const data = JSON.parse(el.dataset.chart);
    if (!data.days || data.days.length === 0 || typeof uPlot === 'undefined') {
      return;
    }
    const xs = data.days.map((d) => Date.parse(d + 'T00:00:00Z') / 1000);
    const names = Object.keys(data.series);
    const colours = ['#3b6fd8', '#d8843b', '#2e9e5b', '#a43bd8', '#d83b5e', '#5b6472'];
    const series = [{}].concat(names.map((n, i) => ({ label: n, stroke: colours[i % colours.length], width: 2 })));
    const scales = { x: { time: true, range: () => [data.from, data.to] } };
    new uPlot({ width: el.clientWidth || 800, height: 220, series, scales },
      [xs].concat(names.map((n) => data.series[n])), el);
  });
});
