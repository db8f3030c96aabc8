// The report page's own script (plain browser JavaScript, no build step): draws a payload
// (`reportPayload`) with vega-embed, the run summary, the best cell and a trial table that sorts
// by column and filters by text. `render(payload)` is called once with the inlined payload, then
// again for each message of the live event stream, if any. When every chart is drawn,
// `body[data-rendered]` counts the renders (a browser test waits for it).
// Kept free of backquotes and dollar-brace so that it sits in a template string as it is.

export const PAGE_SCRIPT = String.raw`
(function () {
  'use strict';
  var PAGE = 100;
  var renders = 0;
  var state = { payload: null, run: null, sort: { col: 'trial', dir: 1 }, filter: '', page: 0 };
  var el = function (tag, attrs, text) {
    var e = document.createElement(tag);
    for (var k in attrs || {}) e.setAttribute(k, attrs[k]);
    if (text !== undefined) e.textContent = text;
    return e;
  };
  var fmt = function (v) {
    if (v === null || v === undefined) return '';
    if (typeof v === 'number') return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(6)));
    return String(v);
  };
  var embedAll = function (host, charts) {
    host.textContent = '';
    return charts.map(function (c) {
      var box = el('div', { class: 'chart', id: 'chart-' + c.id, 'data-chart': c.id });
      box.appendChild(el('h3', {}, c.title));
      var target = el('div', { class: 'vega' });
      box.appendChild(target);
      host.appendChild(box);
      return vegaEmbed(target, c.spec, {
        renderer: 'svg',
        actions: { export: true, source: false, compiled: false, editor: false },
      });
    });
  };
  var verifyText = function (v) {
    if (v.ok === true) return 'verified (' + v.mode + (v.reevaluated ? ', ' + v.reevaluated + ' results re-evaluated' : '') + ')';
    if (v.ok === false) return 'DIVERGES at seq ' + v.divergence.seq + ': ' + v.divergence.reason;
    return 'not verified';
  };
  var renderRuns = function (data) {
    var host = document.getElementById('runs');
    host.textContent = '';
    var t = el('table', { class: 'runs' });
    var head = ['run', 'strategy', 'space / estimator', 'objectives', 'trials', 'status', 'best', 'verify', 'head'];
    var tr = el('tr');
    head.forEach(function (h) { tr.appendChild(el('th', {}, h)); });
    t.appendChild(tr);
    data.runs.forEach(function (r) {
      var c = r.config || {};
      var objs = (c.objectives || (c.objective ? [c.objective] : [])).map(function (o) { return o.metric + ':' + o.direction; }).join(', ');
      var best = r.best && c.objective ? c.objective.metric + '=' + fmt(r.best.metrics[c.objective.metric]) + ' (trial ' + r.best.trialId + ')' : '-';
      var row = el('tr', { 'data-run': r.runId, class: r.verify.ok === false ? 'diverged' : '' });
      [r.runId, c.strategy || '-', c.space ? c.space + ' / ' + c.estimator : '-', objs,
        r.counts.completed + ' completed, ' + r.counts.failed + ' failed, ' + r.counts.pruned + ' pruned',
        r.status + (r.completion ? ' (' + r.completion.reason + ')' : ''), best, verifyText(r.verify),
        r.head.seq + ':' + r.head.hash].forEach(function (v, i) {
        var td = el('td', { class: 'c-' + head[i].replace(/\W+/g, '-') }, v);
        row.appendChild(td);
      });
      t.appendChild(row);
    });
    host.appendChild(t);
  };
  var trialRows = function (run) {
    var cols = run.trials;
    var metrics = Object.keys(cols.metrics);
    var rows = [];
    for (var i = 0; i < cols.id.length; i++) {
      var row = { trial: cols.id[i], arch: cols.arch[i] < 0 ? '' : cols.archs[cols.arch[i]], status: cols.statuses[cols.status[i]],
        seconds: cols.seconds[i], feasible: cols.feasible[i] ? 'yes' : 'no' };
      metrics.forEach(function (m) { row[m] = cols.metrics[m][i]; });
      rows.push(row);
    }
    return { rows: rows, columns: ['trial', 'arch', 'status'].concat(metrics, ['feasible', 'seconds']) };
  };
  var renderTable = function (run) {
    var host = document.getElementById('trials');
    var all = trialRows(run);
    var f = state.filter.toLowerCase();
    var rows = f ? all.rows.filter(function (r) { return all.columns.some(function (c) { return fmt(r[c]).toLowerCase().indexOf(f) >= 0; }); }) : all.rows.slice();
    var col = state.sort.col, dir = state.sort.dir;
    rows.sort(function (a, b) {
      var x = a[col], y = b[col];
      if (x === y) return a.trial - b.trial;
      if (x === null || x === undefined || x === '') return 1;
      if (y === null || y === undefined || y === '') return -1;
      return (x < y ? -1 : 1) * dir;
    });
    var pages = Math.max(1, Math.ceil(rows.length / PAGE));
    state.page = Math.min(state.page, pages - 1);
    host.textContent = '';
    var t = el('table', { class: 'trials', 'data-rows': String(rows.length) });
    var tr = el('tr');
    all.columns.forEach(function (c) {
      var th = el('th', { 'data-col': c, class: 'sortable' }, c + (c === col ? (dir > 0 ? ' \u25b2' : ' \u25bc') : ''));
      th.onclick = function () {
        state.sort = { col: c, dir: c === col ? -dir : 1 };
        renderTable(run);
      };
      tr.appendChild(th);
    });
    t.appendChild(tr);
    rows.slice(state.page * PAGE, (state.page + 1) * PAGE).forEach(function (r) {
      var row = el('tr');
      all.columns.forEach(function (c) { row.appendChild(el('td', { class: 'c-' + c }, fmt(r[c]))); });
      t.appendChild(row);
    });
    var nav = el('div', { class: 'pager' });
    var prev = el('button', { type: 'button' }, '\u2190 previous');
    var next = el('button', { type: 'button' }, 'next \u2192');
    prev.disabled = state.page === 0;
    next.disabled = state.page >= pages - 1;
    prev.onclick = function () { state.page--; renderTable(run); };
    next.onclick = function () { state.page++; renderTable(run); };
    nav.appendChild(prev);
    nav.appendChild(el('span', { class: 'count' }, rows.length + ' of ' + all.rows.length + ' trials, page ' + (state.page + 1) + ' of ' + pages));
    nav.appendChild(next);
    host.appendChild(nav);
    host.appendChild(t);
  };
  var renderRun = function (payload, runId) {
    var run = payload.data.runs.filter(function (r) { return r.runId === runId; })[0];
    if (!run) return [];
    state.run = runId;
    document.getElementById('run-title').textContent = 'run ' + runId;
    document.getElementById('config').textContent = JSON.stringify(run.config || {}, null, 2);
    var cell = document.getElementById('cell');
    cell.innerHTML = payload.cells[runId] || '';
    cell.parentNode.hidden = !payload.cells[runId];
    document.getElementById('best-arch').textContent = run.bestCell ? run.bestCell.arch : (run.best ? run.best.arch : '');
    renderTable(run);
    return embedAll(document.getElementById('run-charts'), payload.runCharts[runId] || []);
  };
  var render = function (payload) {
    state.payload = payload;
    var data = payload.data;
    document.getElementById('title').textContent = 'archlab report: ' + data.title;
    renderRuns(data);
    var select = document.getElementById('run-select');
    var ids = data.runs.map(function (r) { return r.runId; });
    var keep = ids.indexOf(state.run) >= 0 ? state.run : ids[0];
    select.textContent = '';
    ids.forEach(function (id) { var o = el('option', { value: id }, id); if (id === keep) o.selected = true; select.appendChild(o); });
    select.parentNode.hidden = ids.length < 2;
    select.onchange = function () { state.page = 0; renderRun(state.payload, select.value); };
    var done = embedAll(document.getElementById('charts'), payload.charts).concat(renderRun(payload, keep));
    return Promise.all(done).then(function () {
      renders++;
      document.body.setAttribute('data-rendered', String(renders));
    });
  };
  document.getElementById('filter').oninput = function (e) {
    state.filter = e.target.value;
    state.page = 0;
    var run = state.payload.data.runs.filter(function (r) { return r.runId === state.run; })[0];
    if (run) renderTable(run);
  };
  var payload = JSON.parse(document.getElementById('report-data').textContent);
  window.archlabReport = { render: render, payload: function () { return state.payload; } };
  render(payload);
  var live = JSON.parse(document.getElementById('report-live').textContent);
  if (live && live.eventsUrl) {
    var source = new EventSource(live.eventsUrl);
    source.onmessage = function (m) { render(JSON.parse(m.data)); };
  }
})();
`;
