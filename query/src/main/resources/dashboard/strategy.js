// The route-strategy panels (issue 16): what-if, the control-point map, quarantine and substitution
// risk. Loaded after dashboard.js and using its helpers (getJson, apiQuery, state, fillTable, cell,
// money, pct, fixed, int, utc). Numbers come from the API; this file only formats them.
'use strict';

/** A per-currency map of exact amounts as text: "USD -65.00, EUR -1.00". */
const amounts = m => {
  const entries = Object.entries(m || {});
  return entries.length ? entries.map(([c, a]) => `${c} ${money(a)}`).join(', ') : dash;
};
const signed = (x, d) => (x == null ? dash : (x > 0 ? '+' : '') + Number(x).toFixed(d));

// --- what-if -------------------------------------------------------------------------------------
async function runWhatIf(event) {
  if (event) event.preventDefault();
  const status = document.getElementById('what-if-status');
  const p = new URLSearchParams(apiQuery(state, false));
  p.set('channel', document.getElementById('what-if-channel').value.trim());
  p.set('to', document.getElementById('what-if-to').value.trim());
  p.set('shift', document.getElementById('what-if-shift').value.trim());
  try {
    const body = await getJson('/api/what-if?' + p);
    const rows = body.rows;
    fillTable('what-if', rows, r => [
      cell('window', r.scope === 'PERIOD' ? 'period' : utc(r.window_start)),
      cell('moved_requests', fixed(r.moved_requests, 1), true),
      cell('control_score', r.control_score_before == null ? dash : `${fixed(r.control_score_before, 4)} → ${fixed(r.control_score_after, 4)}`, true),
      cell('control_score_change', signed(r.control_score_change, 4), true),
      cell('net_revenue_change', amounts(r.net_revenue_change), true),
      cell('partner_fee_change', amounts(r.partner_fee_change), true),
      cell('identity_visible_change', signed(r.identity_visible_change, 1), true),
      cell('lost_signals_change', signed(r.lost_signals_change, 2), true),
    ], r => (r.scope === 'PERIOD' ? 'period' : ''));
    const period = rows[rows.length - 1];
    status.textContent = `${p.get('channel')} → ${p.get('to')}, shift ${p.get('shift')}: ${period.note}.`;
  } catch (e) {
    fillTable('what-if', [], () => []);
    status.textContent = e.status === 403 ? 'not available to this key: ' + e.detail : 'could not compute: ' + e.detail;
  }
  document.body.dataset.whatIf = String(Number(document.body.dataset.whatIf || 0) + 1);
}
document.getElementById('what-if-form').addEventListener('submit', runWhatIf);

// --- control-point map ---------------------------------------------------------------------------
const OWNED = ['identity', 'workflow', 'procurement', 'governance', 'billing', 'interface'];
function ownerCell(point, owner) {
  const td = cell(point, owner);
  td.className = 'owner-' + String(owner).toLowerCase();
  return td;
}
async function loadControlMap(event) {
  if (event) event.preventDefault();
  const at = document.getElementById('control-map-at').value.trim();
  try {
    const body = await getJson('/api/control-map?' + (at ? 'at=' + encodeURIComponent(at) : '')
      + (state.channels.length ? '&channel=' + encodeURIComponent(state.channels.join(',')) : ''));
    fillTable('control-map', body.rows, r => [
      cell('channel', r.channel_id + (r.retired ? ' (retired)' : '')), cell('route', r.route), cell('partner', r.partner_id || dash),
      cell('take_rate', pct(Number(r.take_rate)), true), ...OWNED.map(p => ownerCell(p, r[p + '_owner'])),
      cell('control_points_owned', `${r.control_points_owned} / 6`, true), cell('since', `${utc(r.effective_from)} (v${r.registry_version})`),
    ]);
  } catch (e) {
    fillTable('control-map', [], () => []);
    document.querySelector('#control-map tbody td').textContent = e.status === 401
      ? 'no data without a valid API key' : 'could not load: ' + e.detail;
  }
  document.body.dataset.controlMap = String(Number(document.body.dataset.controlMap || 0) + 1);
}
document.getElementById('control-map-form').addEventListener('submit', loadControlMap);

// The panels that follow the page's filters reload after each refresh of the main views.
const strategyPanels = [loadControlMap];
new MutationObserver(() => strategyPanels.forEach(load => load()))
  .observe(document.body, { attributes: true, attributeFilter: ['data-loaded'] });

// --- quarantine ----------------------------------------------------------------------------------
async function loadQuarantine() {
  try {
    const body = await getJson('/api/quarantine?' + apiQuery(state, true));
    fillTable('quarantine', body.rows, r => [
      cell('day', r.day.slice(0, 10)), cell('source', r.source), cell('family', r.family),
      cell('reason', r.counted_earlier == null ? r.reason : `${r.reason} (${int(r.counted_earlier)} counted earlier)`),
      cell('channel', r.channel_id || dash), cell('count', int(r.count), true),
      cell('examples', r.examples.map(e => `${e.event_id} (${utc(e.event_time)}): ${e.detail}`).join(' · ')),
    ]);
    if (!body.rows.length) document.querySelector('#quarantine tbody td').textContent = 'nothing kept aside in this range';
  } catch (e) {
    fillTable('quarantine', [], () => []);
    document.querySelector('#quarantine tbody td').textContent = 'could not load: ' + e.detail;
  }
  document.body.dataset.quarantine = String(Number(document.body.dataset.quarantine || 0) + 1);
}
strategyPanels.push(loadQuarantine);

// --- substitution risk ---------------------------------------------------------------------------
/** Elasticity ± error as a small SVG: latency in blue, price in orange, on a 0 – 3 scale (clipped). */
function errorBars(r) {
  const td = cell('error_bars', '');
  const W = 160, H = 26, x = v => 4 + Math.max(0, Math.min(3, v)) / 3 * (W - 8);
  const box = svg('svg', { width: W, height: H, viewBox: `0 0 ${W} ${H}`, class: 'error-bars' });
  box.append(svg('line', { x1: x(1), y1: 0, x2: x(1), y2: H, class: 'threshold' }));
  [['latency', r.latency_elasticity, r.latency_elasticity_error, 8, '#2864c8'],
    ['price', r.price_elasticity, r.price_elasticity_error, 18, '#e68c1e']].forEach(([name, e, se, y, color]) => {
    if (e == null) return;
    box.append(svg('line', { x1: x(e - se), y1: y, x2: x(e + se), y2: y, stroke: color, 'stroke-width': 2 }),
      svg('circle', { cx: x(e), cy: y, r: 3, fill: color, 'data-kind': name }, null));
  });
  td.append(box);
  return td;
}
const elasticity = (e, se) => (e == null ? dash : `${fixed(e, 2)} ± ${fixed(se, 2)}`);
async function loadSubstitution() {
  try {
    const body = await getJson('/api/substitution?' + apiQuery({ ...state, window: 'HOUR' }, true));
    fillTable('substitution', body.rows, r => [
      cell('channel', r.channel_id), cell('route', r.route), cell('windows', int(r.windows), true),
      cell('latency_elasticity', elasticity(r.latency_elasticity, r.latency_elasticity_error), true),
      cell('price_elasticity', elasticity(r.price_elasticity, r.price_elasticity_error), true), errorBars(r),
      cell('request_share', pct(r.request_share), true), cell('share_volatility', fixed(r.share_volatility, 3), true),
      cell('flag', r.rented_volume ? 'RENTED VOLUME' : (r.note || '')),
    ], r => (r.rented_volume ? 'flagged' : ''));
  } catch (e) {
    fillTable('substitution', [], () => []);
    document.querySelector('#substitution tbody td').textContent = e.status === 403
      ? 'not available to this key: ' + e.detail : 'could not load: ' + e.detail;
  }
  document.body.dataset.substitution = String(Number(document.body.dataset.substitution || 0) + 1);
}
strategyPanels.push(loadSubstitution);
