// The routemetrics dashboard: plain JS over the query service's JSON API, charts by Chart.js.
// All state lives in the URL (range or from/until, window, channel, currency), so a reload or a
// shared link shows the same view. The API key does not: it stays in this tab's sessionStorage and
// goes out only as an Authorization header, so a shared link never carries it. A partner's key gets
// only its own channels, and 403 for the views that compare partners (reach-control, alerts). Ratios come from the API; this file only formats, picks the
// latest window, and sums additive numbers (requests, lost signals). Money arrives as exact decimal strings and is
// formatted as text (money()), never added up here.
'use strict';

/** Seconds between refreshes: ?refresh=N in the address, 0 for none (a browser test reading the page). */
const REFRESH_SECONDS = (() => {
  const r = new URLSearchParams(location.search).get('refresh');
  return r !== null && /^[0-9]+$/.test(r) ? Number(r) : 30;
})();
const RANGES = { '15m': 15 * 60e3, '1h': 3600e3, '6h': 6 * 3600e3, '24h': 24 * 3600e3, '7d': 7 * 86400e3, '31d': 31 * 86400e3 };
const charts = {};
const KEY_STORAGE = 'routemetrics.api-key';
let state = readState();

function readState() {
  const p = new URLSearchParams(location.search);
  const from = p.get('from') || '';
  const until = p.get('until') || '';
  const custom = from !== '' && until !== '';
  return {
    range: custom ? 'custom' : (RANGES[p.get('range')] ? p.get('range') : '24h'),
    from: custom ? from : '',
    until: custom ? until : '',
    window: ['MINUTE', 'HOUR', 'DAY'].includes((p.get('window') || '').toUpperCase()) ? p.get('window').toUpperCase() : 'HOUR',
    channels: (p.get('channel') || '').split(',').map(c => c.trim()).filter(Boolean),
    currency: p.get('currency') || '',
  };
}

function stateQuery(s) {
  const p = new URLSearchParams();
  if (s.range === 'custom') {
    p.set('from', s.from);
    p.set('until', s.until);
  } else {
    p.set('range', s.range);
  }
  p.set('window', s.window);
  if (s.channels.length) p.set('channel', s.channels.join(','));
  if (s.currency) p.set('currency', s.currency);
  if (REFRESH_SECONDS !== 30) p.set('refresh', String(REFRESH_SECONDS));
  return p.toString();
}

/** The API's range: the custom instants, or the preset ending a minute from now (the current window included). */
function apiQuery(s, withChannels) {
  const p = new URLSearchParams();
  if (s.range === 'custom') {
    p.set('from', s.from);
    p.set('until', s.until);
  } else {
    const until = new Date(Date.now() + 60e3);
    p.set('from', new Date(until.getTime() - RANGES[s.range]).toISOString());
    p.set('until', until.toISOString());
  }
  p.set('window', s.window);
  if (withChannels && s.channels.length) p.set('channel', s.channels.join(','));
  return p.toString();
}

const apiKey = () => sessionStorage.getItem(KEY_STORAGE) || '';

/** An API answer that is not 2xx, with its status: 401 asks for a key, 403 is outside this key's scope. */
class ApiError extends Error {
  constructor(path, status, detail) {
    super(`${path.split('?')[0]}: ${detail || status}`);
    this.status = status;
    this.detail = detail || String(status);
  }
}

// The domain's words as the server defines them (GET /definitions.json, no key needed): one home,
// ReachControl and friends, never a copy here.
const definitions = fetch('/definitions.json').then(r => r.json()).catch(() => ({}));
let lowControl = NaN;

async function getJson(path) {
  const response = await fetch(path, { headers: { Accept: 'application/json', Authorization: 'Bearer ' + apiKey() } });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new ApiError(path, response.status, body.detail);
  return body;
}

/** A view this key may not read (403) comes back as { forbidden: detail }; any other failure still fails. */
const allowForbidden = promise => promise.catch(e => {
  if (e.status === 403) return { forbidden: e.detail };
  throw e;
});

// --- formatting --------------------------------------------------------------------------
const dash = '–';
const int = n => (n == null ? dash : Number(n).toLocaleString('en-US'));
const pct = x => (x == null ? dash : (x * 100).toFixed(1) + '%');
const fixed = (x, d) => (x == null ? dash : Number(x).toFixed(d));
/**
 * An amount as the API sends it, the exact decimal in a string ("39763.5800"), shown to the cent
 * with thousands separators: rounded half up in integer arithmetic, never through a float.
 */
function money(x) {
  if (x == null) return dash;
  const m = /^(-?)(\d+)(?:\.(\d*))?$/.exec(String(x).trim());
  if (!m) return String(x);
  const [, sign, whole, fraction = ''] = m;
  let cents = BigInt(whole + (fraction + '00').slice(0, 2));
  if ((fraction[2] || '0') >= '5') cents += 1n;
  const units = (cents / 100n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return (sign && cents !== 0n ? '-' : '') + units + '.' + (cents % 100n).toString().padStart(2, '0');
}
const ms = x => (x == null ? dash : Math.round(x).toLocaleString('en-US') + ' ms');
const utc = iso => (iso ? iso.replace('T', ' ').replace(/:00Z$|Z$/, '') + ' UTC' : dash);
function age(seconds) {
  if (seconds == null) return dash;
  if (seconds < 120) return seconds + ' s';
  if (seconds < 7200) return Math.round(seconds / 60) + ' min';
  if (seconds < 172800) return (seconds / 3600).toFixed(1) + ' h';
  return (seconds / 86400).toFixed(1) + ' d';
}

function cell(field, text, numeric) {
  const td = document.createElement('td');
  td.dataset.field = field;
  td.textContent = text;
  if (numeric) td.className = 'num';
  return td;
}

function fillTable(id, rows, toCells, rowClass) {
  const body = document.querySelector(`#${id} tbody`);
  body.replaceChildren();
  if (!rows.length) {
    const tr = document.createElement('tr');
    const td = cell('empty', 'no data in this range');
    td.colSpan = document.querySelectorAll(`#${id} thead th`).length;
    tr.append(td);
    body.append(tr);
    return;
  }
  for (const row of rows) {
    const tr = document.createElement('tr');
    if (row.channel_id) tr.dataset.channel = row.channel_id;
    else if (row.rule) tr.dataset.key = `${row.rule}|${row.subject}`;
    const cls = rowClass ? rowClass(row) : '';
    if (cls) tr.className = cls;
    tr.append(...toCells(row));
    body.append(tr);
  }
}

function chart(id, config) {
  if (charts[id]) charts[id].destroy();
  config.options = Object.assign({ responsive: true, maintainAspectRatio: false, animation: false }, config.options || {});
  charts[id] = new Chart(document.getElementById(id), config);
}

const latestWindow = rows => rows.reduce((max, r) => (r.window_start > max ? r.window_start : max), '');

// --- sections ------------------------------------------------------------------------------
function renderChannelPicker(allChannels) {
  const box = document.getElementById('channels');
  const known = [...new Set([...allChannels, ...state.channels])].sort();
  box.replaceChildren(Object.assign(document.createElement('legend'), { textContent: 'Channels (none ticked = all)' }));
  for (const id of known) {
    const label = document.createElement('label');
    const input = Object.assign(document.createElement('input'), { type: 'checkbox', name: 'channel', value: id });
    input.checked = state.channels.includes(id);
    label.append(input, ' ' + id);
    box.append(label);
  }
}

function renderCurrencyPicker(currencies) {
  const select = document.getElementById('currency');
  if (!state.currency || !currencies.includes(state.currency)) state.currency = currencies[0] || '';
  select.replaceChildren(...currencies.map(c => Object.assign(document.createElement('option'), { value: c, textContent: c })));
  select.value = state.currency;
  document.querySelectorAll('.currency-name').forEach(e => (e.textContent = state.currency || dash));
}

function renderHealth(rows) {
  fillTable('health', rows, r => [
    cell('route', r.route), cell('channel', r.channel_id), cell('requests', int(r.requests), true),
    cell('error_rate', pct(r.error_rate), true), cell('p95', ms(r.worst_p95_ms), true),
    cell('freshness', age(r.freshness_seconds), true), cell('status', r.unhealthy ? 'UNHEALTHY: ' + r.why : 'ok'),
  ], r => (r.unhealthy ? 'unhealthy' : ''));
}

/** A section this key may not read: its tables say so, its chart is cleared. */
function renderForbidden(tables, chartId, detail) {
  for (const id of tables) {
    fillTable(id, [], () => []);
    document.querySelector(`#${id} tbody td`).textContent = 'not available to this key: ' + detail;
  }
  if (chartId && charts[chartId]) {
    charts[chartId].destroy();
    delete charts[chartId];
  }
}

function renderReach(body) {
  if (body.forbidden) {
    renderForbidden(['reach'], 'reach-chart', body.forbidden);
    document.getElementById('reach-window').textContent = dash;
    document.getElementById('partner-concentration').textContent = dash;
    return;
  }
  const rows = body.rows;
  const window = latestWindow(rows);
  const latest = rows.filter(r => r.window_start === window);
  document.getElementById('reach-window').textContent = window ? utc(window) : dash;
  const amount = r => (r.net_revenue || {})[state.currency] || '0';
  const net = r => Number(amount(r)); // only for sizing bubbles
  fillTable('reach', latest, r => [
    cell('channel', r.channel_id), cell('route', r.route), cell('requests', int(r.requests), true),
    cell('request_share', pct(r.request_share), true), cell('control_score', fixed(r.control_score, 2), true),
    cell('net_revenue', money(amount(r)), true), cell('flag', r.volume_without_control ? 'VOLUME WITHOUT CONTROL' : ''),
  ], r => (r.volume_without_control ? 'flagged' : ''));
  document.getElementById('partner-concentration').textContent = latest.length ? fixed(latest[0].partner_concentration, 3) : dash;

  const maxNet = Math.max(1e-9, ...latest.map(net));
  const point = r => ({ x: r.request_share, y: r.control_score, r: 5 + 25 * Math.sqrt(net(r) / maxNet), channel: r.channel_id });
  const topShare = Math.min(...latest.filter(r => r.top_quartile).map(r => r.request_share));
  chart('reach-chart', {
    type: 'bubble',
    data: {
      datasets: [
        { label: 'volume without control', data: latest.filter(r => r.volume_without_control).map(point), backgroundColor: 'rgba(179,38,30,.6)', clip: false },
        { label: 'other channels', data: latest.filter(r => !r.volume_without_control).map(point), backgroundColor: 'rgba(40,100,200,.5)', clip: false },
      ],
    },
    options: {
      layout: { padding: 24 },
      scales: { x: { min: 0, max: 1, title: { display: true, text: 'request share' } }, y: { min: 0, max: 1, title: { display: true, text: 'control score' } } },
      plugins: { tooltip: { callbacks: { label: c => `${c.raw.channel}: share ${pct(c.raw.x)}, control ${fixed(c.raw.y, 2)}` } } },
    },
    // Quadrant lines: the control-score bound and the smallest top-quartile share.
    plugins: [{
      id: 'quadrants',
      beforeDatasetsDraw(c) {
        const { ctx, chartArea: a, scales: { x, y } } = c;
        ctx.save();
        ctx.strokeStyle = '#b3261e';
        ctx.setLineDash([4, 4]);
        ctx.beginPath();
        ctx.moveTo(a.left, y.getPixelForValue(lowControl));
        ctx.lineTo(a.right, y.getPixelForValue(lowControl));
        if (Number.isFinite(topShare)) {
          ctx.moveTo(x.getPixelForValue(topShare), a.top);
          ctx.lineTo(x.getPixelForValue(topShare), a.bottom);
        }
        ctx.stroke();
        ctx.restore();
      },
    }],
  });
}

function renderFinance(rows) {
  const mine = rows.filter(r => r.currency === state.currency);
  fillTable('finance', mine, r => [
    cell('period', r.period_start.slice(0, 10)), cell('side', r.side), cell('gross', money(r.gross), true),
    cell('partner_fee', money(r.partner_fee), true), cell('net', money(r.net), true),
    cell('partner_take', pct(r.partner_take), true), cell('capture_rate', pct(r.capture_rate), true),
  ]);
  for (const tr of document.querySelectorAll('#finance tbody tr')) {
    const r = mine.find(m => m.period_start.slice(0, 10) === tr.children[0].textContent && m.side === tr.children[1].textContent);
    if (r) tr.dataset.key = `${r.period_start.slice(0, 10)}|${r.side}`;
  }
  const periods = [...new Set(mine.map(r => r.period_start.slice(0, 10)))].sort();
  const side = (name, field) => periods.map(p => {
    const r = mine.find(m => m.period_start.slice(0, 10) === p && m.side === name);
    return r && r[field] != null ? Number(r[field]) : null;
  });
  chart('finance-chart', {
    data: {
      labels: periods,
      datasets: [
        { type: 'bar', label: `direct net (${state.currency})`, data: side('direct', 'net'), backgroundColor: 'rgba(40,100,200,.7)', stack: 'net' },
        { type: 'bar', label: `partner net (${state.currency})`, data: side('partner', 'net'), backgroundColor: 'rgba(230,140,30,.7)', stack: 'net' },
        { type: 'line', label: 'partner take', data: side('partner', 'partner_take'), borderColor: '#b3261e', yAxisID: 'ratio' },
        { type: 'line', label: 'capture rate (partner)', data: side('partner', 'capture_rate'), borderColor: '#2e7d32', yAxisID: 'ratio' },
      ],
    },
    options: { scales: { y: { stacked: true, title: { display: true, text: 'net' } }, x: { stacked: true },
      ratio: { position: 'right', min: 0, max: 1, title: { display: true, text: 'ratio' } } } },
  });
}

function renderLearning(rows) {
  const window = latestWindow(rows);
  const latest = rows.filter(r => r.window_start === window)
    .sort((a, b) => (a.route + a.channel_id).localeCompare(b.route + b.channel_id));
  document.getElementById('learning-window').textContent = window ? utc(window) : dash;
  fillTable('learning', latest, r => [
    cell('route', r.route), cell('channel', r.channel_id), cell('requests', int(r.requests), true),
    cell('feedback_coverage', pct(r.feedback_coverage), true), cell('trainable_rate', pct(r.trainable_rate), true),
    cell('learning_loss', pct(r.learning_loss), true), cell('lost_signals', fixed(r.lost_signals, 1), true),
  ]);
  // By route over the range: lost signals add up; coverage and trainable rate pooled as sums over sums.
  const routes = [...new Set(rows.map(r => r.route))].sort();
  const pooled = routes.map(route => {
    const rs = rows.filter(r => r.route === route);
    const requests = rs.reduce((s, r) => s + r.requests, 0);
    const covered = rs.reduce((s, r) => s + Math.round((r.feedback_coverage || 0) * r.requests), 0);
    const trainable = rs.reduce((s, r) => s + r.trainable_feedback, 0);
    return { route, coverage: requests ? covered / requests : null, trainable: requests ? trainable / requests : null,
      lost: rs.reduce((s, r) => s + (r.lost_signals || 0), 0) };
  });
  chart('learning-chart', {
    data: {
      labels: routes,
      datasets: [
        { type: 'bar', label: 'feedback coverage', data: pooled.map(p => p.coverage), backgroundColor: 'rgba(40,100,200,.7)', yAxisID: 'ratio' },
        { type: 'bar', label: 'trainable rate', data: pooled.map(p => p.trainable), backgroundColor: 'rgba(46,125,50,.7)', yAxisID: 'ratio' },
        { type: 'bar', label: 'lost signals (sum)', data: pooled.map(p => p.lost), backgroundColor: 'rgba(179,38,30,.6)', yAxisID: 'count' },
      ],
    },
    options: { scales: { ratio: { position: 'left', min: 0, max: 1 }, count: { position: 'right', beginAtZero: true } } },
  });
}

function renderAlerts(body) {
  if (body && body.forbidden) {
    renderForbidden(['alerts'], null, body.forbidden);
    document.getElementById('alerts-note').textContent = '';
    return;
  }
  const rows = body ? body.alerts : [];
  fillTable('alerts', rows, a => [
    cell('state', a.state), cell('rule', a.rule), cell('subject', a.subject),
    cell('since', a.state === 'RESOLVED' ? `${utc(a.since)} → ${utc(a.at)}` : utc(a.since)), cell('detail', a.detail),
  ], a => a.state.toLowerCase());
  if (!body) document.querySelector('#alerts tbody td').textContent = 'alerts are not evaluated by this query service';
  else if (!rows.length) document.querySelector('#alerts tbody td').textContent = 'no alerts';
  const failing = body ? Object.keys(body.failing_rules || {}) : [];
  document.getElementById('alerts-note').textContent = body
    ? `Evaluated ${utc(body.evaluated_at)}.` + (failing.length ? ` Could not evaluate: ${failing.join(', ')}.` : '')
    : '';
}

// --- trend: plain SVG, one path per channel in each chart ---------------------------------------
const SVG = 'http://www.w3.org/2000/svg';
const PALETTE = ['#2864c8', '#e68c1e', '#2e7d32', '#b3261e', '#7b3fa0', '#00838f', '#6d4c41', '#c2185b', '#546e7a', '#9e9d24'];
/** The instant to the second, in UTC: '2026-11-01 10:00:00 UTC'. */
const utcSeconds = iso => (iso ? iso.replace('T', ' ').replace(/(\.\d+)?Z$/, '') + ' UTC' : dash);
const TREND_FORMAT = { requests: int, request_share: pct, error_rate: pct, latency_p95_ms: ms };

function svg(name, attributes, text) {
  const e = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attributes || {})) e.setAttribute(k, v);
  if (text != null) e.textContent = text;
  return e;
}

/** One metric's chart: x = window start (time), y = 0 .. the largest value; a path and a point per channel. */
function drawTrend(figure, rows, channels, color, forbiddenDetail) {
  const field = figure.dataset.field;
  const box = figure.querySelector('svg');
  figure.querySelectorAll('.unavailable').forEach(e => e.remove());
  box.replaceChildren();
  const valued = rows.filter(r => r[field] != null);
  box.style.display = valued.length ? '' : 'none';
  if (!valued.length) {
    figure.append(Object.assign(document.createElement('p'), { className: 'unavailable',
      textContent: forbiddenDetail && field === 'request_share'
        ? 'not available to this key: ' + forbiddenDetail : 'no data in this range' }));
    return;
  }
  // Drawn at the element's own size (no stretching, so points stay round and labels upright).
  const W = Math.max(240, Math.round(box.getBoundingClientRect().width) || 600), H = 170;
  const left = 56, right = 10, top = 10, bottom = 24;
  box.setAttribute('viewBox', `0 0 ${W} ${H}`);
  const times = [...new Set(rows.map(r => r.window_start))].sort();
  const t0 = Date.parse(times[0]), t1 = Date.parse(times[times.length - 1]);
  const max = Math.max(...valued.map(r => Number(r[field]))) || 1;
  const x = iso => left + (t1 === t0 ? (W - left - right) / 2 : (Date.parse(iso) - t0) / (t1 - t0) * (W - left - right));
  const y = v => top + (1 - Number(v) / max) * (H - top - bottom);
  const format = TREND_FORMAT[field];
  box.append(svg('line', { class: 'axis', x1: left, y1: H - bottom, x2: W - right, y2: H - bottom }),
    svg('line', { class: 'axis', x1: left, y1: top, x2: left, y2: H - bottom }),
    svg('text', { x: left - 4, y: top + 4, 'text-anchor': 'end' }, format(max)),
    svg('text', { x: left - 4, y: H - bottom, 'text-anchor': 'end' }, format(0)),
    svg('text', { x: left, y: H - 6 }, utcSeconds(times[0]).replace(' UTC', '')));
  if (times.length > 1) {
    box.append(svg('text', { x: W - right, y: H - 6, 'text-anchor': 'end' }, utcSeconds(times[times.length - 1]).replace(' UTC', '')));
  }
  for (const channel of channels) {
    const points = valued.filter(r => r.channel_id === channel);
    if (!points.length) continue;
    const d = points.map((r, i) => `${i ? 'L' : 'M'}${x(r.window_start).toFixed(1)},${y(r[field]).toFixed(1)}`).join(' ');
    box.append(svg('path', { d, stroke: color(channel), 'data-channel': channel }));
    for (const r of points) {
      const dot = svg('circle', { cx: x(r.window_start).toFixed(1), cy: y(r[field]).toFixed(1), r: 3, fill: color(channel),
        'data-channel': channel, 'data-window': r.window_start });
      dot.append(svg('title', {}, `${channel} ${utcSeconds(r.window_start)}: ${format(r[field])}`));
      box.append(dot);
    }
  }
}

function renderTrend(rows) {
  const channels = [...new Set(rows.map(r => r.channel_id))].sort();
  const all = [...new Set([...channels, ...state.channels])].sort(); // stable colours whatever the filter
  const color = channel => PALETTE[Math.max(0, all.indexOf(channel)) % PALETTE.length];
  document.getElementById('trend-window').textContent = state.window;
  document.getElementById('trend-legend').replaceChildren(...channels.map(c => {
    const item = Object.assign(document.createElement('span'), { textContent: c });
    item.style.setProperty('--color', color(c));
    item.dataset.channel = c;
    return item;
  }));
  // A partner's key gets no request share (it compares the partner with every other route).
  const shareHidden = rows.length && rows.every(r => r.request_share == null)
    ? 'request share compares partners with each other and with the lab\'s own routes' : null;
  for (const figure of document.querySelectorAll('#trend-section figure.trend')) drawTrend(figure, rows, channels, color, shareHidden);
}

// --- refresh ---------------------------------------------------------------------------------
let generation = 0;
const gap = x => (x == null ? dash : (x > 0 ? '+' : '') + x.toFixed(2) + '%');
function renderReconciliation(rows) {
  fillTable('reconciliation', rows, r => [
    cell('statement', r.billing_id),
    cell('channel', r.channel_id),
    cell('period', `${utc(r.period_start)} – ${utc(r.period_end)}`),
    cell('reported_requests', int(r.reported_requests), true),
    cell('metered_requests', int(r.metered_requests), true),
    cell('request_gap', gap(r.request_gap_percent), true),
    cell('reported_net', money(r.reported_net) + ' ' + r.currency, true),
    cell('metered_net', money(r.metered_net) + ' ' + r.currency, true),
    cell('net_gap', gap(r.net_gap_percent), true),
  ], r => (Math.abs(r.request_gap_percent || 0) > 2 || Math.abs(r.net_gap_percent || 0) > 2 ? 'flagged' : ''));
}

/** No data on screen: what a visitor without a (valid) key sees. */
function clearData() {
  renderChannelPicker([]);
  for (const id of ['alerts', 'health', 'reach', 'finance', 'reconciliation', 'learning']) {
    fillTable(id, [], () => []);
    document.querySelector(`#${id} tbody td`).textContent = 'no data without a valid API key';
  }
  document.getElementById('partner-concentration').textContent = dash;
  document.getElementById('trend-legend').replaceChildren();
  document.querySelectorAll('#trend-section svg').forEach(box => box.replaceChildren());
  document.querySelectorAll('#trend-section .unavailable').forEach(e => e.remove());
  for (const id of Object.keys(charts)) {
    charts[id].destroy();
    delete charts[id];
  }
}

async function refresh() {
  const mine = ++generation;
  lowControl = (await definitions).low_control_score;
  const status = document.getElementById('status');
  if (!apiKey()) {
    clearData();
    status.className = 'status error';
    status.textContent = 'an API key is required: enter yours above';
    return;
  }
  try {
    const [all, health, reach, finance, learning, alerts, statements, trend] = await Promise.all([
      getJson('/api/health?' + apiQuery(state, false)),
      getJson('/api/health?' + apiQuery(state, true)),
      allowForbidden(getJson('/api/reach-control?' + apiQuery(state, true))),
      getJson('/api/finance?period=DAY&' + apiQuery({ ...state, window: 'DAY' }, true)),
      getJson('/api/learning?' + apiQuery(state, true)),
      getJson('/api/alerts').catch(e => (e.status === 403 ? { forbidden: e.detail } : null)),
      getJson('/api/reconciliation?' + apiQuery({ ...state, window: 'DAY' }, true)),
      getJson('/api/trend?' + apiQuery(state, true)),
    ]);
    if (mine !== generation) return; // a newer refresh started meanwhile
    renderChannelPicker(all.rows.map(r => r.channel_id));
    renderCurrencyPicker([...new Set(finance.rows.map(r => r.currency))].sort());
    renderHealth(health.rows);
    renderReach(reach);
    renderFinance(finance.rows);
    renderLearning(learning.rows);
    renderAlerts(alerts);
    renderReconciliation(statements.rows);
    renderTrend(trend.rows);
    status.className = 'status';
    status.textContent = `${utc(health.from)} – ${utc(health.until)}, ${state.window} windows, `
      + `${state.channels.length ? state.channels.join(', ') : 'all channels'}; updated ${new Date().toISOString().slice(11, 19)} UTC`;
    document.body.dataset.loaded = String(Number(document.body.dataset.loaded || 0) + 1);
  } catch (e) {
    if (mine !== generation) return;
    status.className = 'status error';
    if (e.status === 401) {
      // Unknown, rotated or revoked: forget it, show nothing, ask again.
      sessionStorage.removeItem(KEY_STORAGE);
      clearData();
      status.textContent = 'the API key was refused (unknown, rotated or revoked): enter a valid key above';
    } else {
      status.textContent = 'could not load: ' + e.message;
    }
  }
}

function showState() {
  document.getElementById('range').value = state.range;
  document.getElementById('from').value = state.from;
  document.getElementById('until').value = state.until;
  document.getElementById('window').value = state.window;
}

function applyForm(event) {
  if (event) event.preventDefault();
  const from = document.getElementById('from').value.trim();
  const until = document.getElementById('until').value.trim();
  let range = document.getElementById('range').value;
  if (range === 'custom' && !(from && until)) range = '24h';
  state = {
    range,
    from: range === 'custom' ? from : '',
    until: range === 'custom' ? until : '',
    window: document.getElementById('window').value,
    channels: [...document.querySelectorAll('#channels input:checked')].map(i => i.value),
    currency: document.getElementById('currency').value || state.currency,
  };
  history.pushState(null, '', '?' + stateQuery(state));
  showState();
  refresh();
}

document.getElementById('key-form').addEventListener('submit', event => {
  event.preventDefault();
  const input = document.getElementById('api-key');
  if (input.value.trim()) sessionStorage.setItem(KEY_STORAGE, input.value.trim());
  input.value = '';
  refresh();
});
document.getElementById('forget-key').addEventListener('click', () => {
  sessionStorage.removeItem(KEY_STORAGE);
  refresh();
});
document.getElementById('filters').addEventListener('submit', applyForm);
document.getElementById('range').addEventListener('change', e => { if (e.target.value !== 'custom') applyForm(); });
document.getElementById('currency').addEventListener('change', () => applyForm());
window.addEventListener('popstate', () => { state = readState(); showState(); refresh(); });
history.replaceState(null, '', '?' + stateQuery(state));
showState();
refresh();
if (REFRESH_SECONDS > 0) setInterval(refresh, REFRESH_SECONDS * 1000);
