// The console's only script of its own (the Content-Security-Policy allows no inline script): copy buttons,
// charts, the model upload and the live job page, each wired by data- attributes.
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

// A model upload: the chosen file is cut into parts the browser sends one by one to the console, which passes them to
// the resumable uploads API; the progress bar moves a step per part and one for the check that completes the upload.
// Without script the form posts the whole file in one request.
document.addEventListener('submit', async (event) => {
  const form = event.target.closest('form[data-upload]');
  const file = form && form.querySelector('input[type=file]').files[0];
  if (!file) {
    return;
  }
  event.preventDefault();
  const progress = document.getElementById('upload-progress');
  const error = document.getElementById('upload-error');
  const done = document.getElementById('upload-done');
  const button = form.querySelector('button[type=submit]');
  const csrf = form.querySelector('input[type=hidden]');
  const partBytes = Number(form.dataset.partBytes);
  const parts = Math.max(1, Math.ceil(file.size / partBytes));
  const send = async (url, data) => {
    data.append(csrf.name, csrf.value);
    const response = await fetch(url, { method: 'POST', body: data, credentials: 'same-origin' });
    const body = await response.json().catch(() => ({}));
    if (!response.ok) {
      throw new Error(body.error || (response.status + ' ' + response.statusText));
    }
    return body;
  };
  error.hidden = true;
  done.hidden = true;
  button.disabled = true;
  progress.max = parts + 1;
  progress.value = 0;
  try {
    const start = new FormData();
    start.append('filename', file.name);
    start.append('bytes', String(file.size));
    const upload = await send(form.dataset.upload, start);
    const base = form.dataset.upload + '/' + encodeURIComponent(upload.id);
    const ids = [];
    for (let i = 0; i < parts; i++) {
      const part = new FormData();
      part.append('data', file.slice(i * partBytes, (i + 1) * partBytes), 'part-' + (i + 1));
      ids.push((await send(base + '/parts', part)).id);
      progress.value = i + 1;
    }
    const complete = new FormData();
    ids.forEach((id) => complete.append('part_ids', id));
    complete.append('name', form.querySelector('[name=name]').value);
    const result = await send(base + '/complete', complete);
    progress.value = progress.max;
    document.getElementById('upload-link').href = result.location;
    done.hidden = false;
  } catch (e) {
    error.textContent = e.message;
    error.hidden = false;
  } finally {
    button.disabled = false;
  }
});

// A fine-tuning job's loss and accuracy per step: losses on the left scale, accuracies (0 to 1) on the right.
function drawCurve(el, curve) {
  if (!curve || !curve.steps || curve.steps.length === 0 || typeof uPlot === 'undefined') {
    return;
  }
  const names = Object.keys(curve.series);
  const colours = { train_loss: '#3b6fd8', valid_loss: '#d8843b', train_accuracy: '#2e9e5b', valid_accuracy: '#a43bd8' };
  const series = [{ label: el.dataset.stepLabel }].concat(names.map((n) => ({
    label: n, stroke: colours[n] || '#5b6472', width: 2, spanGaps: true,
    scale: n.endsWith('accuracy') ? 'accuracy' : 'loss',
  })));
  const options = {
    width: el.clientWidth || 800, height: 260, series,
    scales: { x: { time: false }, loss: {}, accuracy: { range: [0, 1] } },
    axes: [{ label: el.dataset.stepLabel }, { scale: 'loss', label: el.dataset.lossLabel },
      { scale: 'accuracy', side: 1, label: el.dataset.accuracyLabel, grid: { show: false } }],
  };
  if (el.plot) {
    el.plot.destroy();
  }
  el.plot = new uPlot(options, [curve.steps].concat(names.map((n) => curve.series[n])), el);
}

// The job page follows its job through the console's server-sent events until the job ends, then takes the
// checkpoints and the playground from the page as it now is.
function followJob(job) {
  const status = document.getElementById('job-status');
  const events = document.getElementById('events');
  const chart = document.getElementById('loss-chart');
  const seen = new Set(Array.from(events.querySelectorAll('li[data-id]'), (li) => li.dataset.id));
  const source = new EventSource(job.dataset.live);
  source.onmessage = (message) => {
    const update = JSON.parse(message.data);
    status.textContent = update.status;
    update.events.filter((e) => !seen.has(e.id)).forEach((e) => {
      seen.add(e.id);
      const li = document.createElement('li');
      li.dataset.id = e.id;
      const time = document.createElement('time');
      time.textContent = e.when;
      const level = document.createElement('span');
      level.className = 'level level-' + e.level;
      level.textContent = e.level;
      li.append(time, ' ', level, ' ', e.message);
      events.prepend(li);
    });
    drawCurve(chart, update.curve);
    if (update.fine_tuned_model) {
      document.getElementById('job-model').textContent = update.fine_tuned_model;
    }
    if (update.error) {
      const error = document.getElementById('job-error');
      error.textContent = update.error;
      error.hidden = false;
    }
    if (update.terminal) {
      source.close();
      document.getElementById('job-cancel')?.remove();
      fetch(window.location.pathname, { credentials: 'same-origin' }).then((r) => r.text()).then((html) => {
        const page = new DOMParser().parseFromString(html, 'text/html');
        document.getElementById('job-results').replaceWith(page.getElementById('job-results'));
      });
    }
  };
}

document.addEventListener('DOMContentLoaded', () => {
  document.querySelectorAll('[data-curve]').forEach((el) => drawCurve(el, JSON.parse(el.dataset.curve)));
  document.querySelectorAll('[data-live]').forEach(followJob);
});
