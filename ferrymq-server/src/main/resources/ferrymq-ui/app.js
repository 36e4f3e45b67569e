// FerryMQ web UI: plain JS over the management API (/api), polling every 2 s. Two views, chosen by the URL hash:
// #/ (overview: totals, rate chart, tables) and #/queues/{vhost}/{name} (one queue, with publish and get forms).
// The overview's lists are paged, filtered and sorted by the server (the API's page, name and sort parameters), so a
// broker with 10,000 queues sends and renders one page of them.
const REFRESH_MS = 2000, HISTORY = 60, PAGE_SIZE = 100;
const state = { auth: sessionStorage.getItem('auth'), sort: {}, lists: {}, history: [], queue: null, timer: null,
  busy: false, again: false };
const $ = id => document.getElementById(id);
const enc = encodeURIComponent;

class ApiError extends Error {
  constructor(status, reason) { super(reason); this.status = status; }
}

/** Calls the API; throws ApiError with the server's reason on any non-2xx answer (and logs out on 401). */
async function api(path, method = 'GET', body) {
  // X-Requested-With: the server then answers 401 without a WWW-Authenticate challenge, so the browser shows
  // our login form instead of its own basic-auth dialog.
  const r = await fetch('/api/' + path, { method, headers: { 'Authorization': 'Basic ' + state.auth,
    'Content-Type': 'application/json', 'X-Requested-With': 'XMLHttpRequest' },
    body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await r.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch (e) { /* not JSON: use the status text */ }
  if (!r.ok) {
    const reason = (json && (json.reason || json.error)) || r.status + ' ' + r.statusText;
    if (r.status === 401) logout(reason);
    throw new ApiError(r.status, reason);
  }
  return json;
}

function showError(message) {
  $('error').hidden = !message;
  $('error').textContent = message || '';
}

function describe(e) {
  return e instanceof ApiError ? e.message : 'Cannot reach the broker (' + e.message + ')';
}

// ---------------------------------------------------------------- login

function basicAuth(user, pass) { // btoa only takes Latin-1: encode as UTF-8 first
  return btoa(String.fromCharCode(...new TextEncoder().encode(user + ':' + pass)));
}

function logout(reason) {
  state.auth = null;
  sessionStorage.removeItem('auth');
  clearInterval(state.timer);
  state.timer = null;
  $('overview').hidden = $('queuePage').hidden = $('logout').hidden = true;
  $('who').textContent = '';
  showError(null);
  $('login').hidden = false;
  $('loginError').textContent = reason || '';
}

$('login').onsubmit = e => {
  e.preventDefault();
  state.auth = basicAuth($('user').value, $('pass').value);
  sessionStorage.setItem('auth', state.auth);
  start();
};
$('logout').onclick = () => logout();

async function start() {
  if (!state.auth) { logout(); return; }
  try {
    const me = await api('whoami');
    $('who').textContent = me.name + (me.tags.length ? ' (' + me.tags.join(', ') + ')' : '');
    $('logout').hidden = false;
    $('login').hidden = true;
    route();
    if (!state.timer) state.timer = setInterval(refresh, REFRESH_MS);
  } catch (e) {
    if (!(e instanceof ApiError && e.status === 401)) logout(describe(e));
  }
}

// ---------------------------------------------------------------- formatting and tables

function esc(s) { return String(s).replace(/[&<>"]/g, c => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]); }
function fmtNum(v) { return v == null ? '' : Number(v).toLocaleString('en-US'); }
function fmtRate(v) { return v >= 100 ? fmtNum(Math.round(v)) : (+v).toFixed(1); }
function fmtBytes(v) {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  while (v >= 1024 && i < units.length - 1) { v /= 1024; i++; }
  return (i ? v.toFixed(1) : v) + ' ' + units[i];
}
function rate(r, key) { const d = r.message_stats && r.message_stats[key + '_details']; return d ? d.rate : 0; }
function cards(id, items) { $(id).innerHTML = items.map(([k, v]) => `<div class="card">${k}<b>${esc(v)}</b></div>`).join(''); }

/**
 * Renders rows into a table; columns are [key, title, 'num'|'', optional html(row)]; headers sort on click: here,
 * or, given onSort (the rows are a server-sorted page), by calling it to fetch them again.
 */
function table(id, rows, columns, onSort) {
  const sort = state.sort[id];
  if (sort && !onSort) {
    rows = [...rows].sort((a, b) => {
      const x = a[sort.k] ?? '', y = b[sort.k] ?? '';
      return (typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y))) * sort.dir;
    });
  }
  const head = '<tr>' + columns.map(([k, title, cls]) => {
    const arrow = sort && sort.k === k ? (sort.dir > 0 ? ' ▲' : ' ▼') : '';
    return `<th data-k="${k}" class="${cls || ''}">${title}${arrow}</th>`;
  }).join('') + '</tr>';
  const body = rows.length ? rows.map(r => '<tr>' + columns.map(([k, , cls, html]) =>
    `<td class="${cls || ''}">${html ? html(r) : esc(r[k] ?? '')}</td>`).join('') + '</tr>').join('')
    : `<tr><td colspan="${columns.length}" class="muted">None</td></tr>`;
  $(id).innerHTML = head + body;
  $(id).querySelectorAll('th').forEach(th => th.onclick = () => {
    const k = th.dataset.k, cur = state.sort[id];
    state.sort[id] = { k, dir: cur && cur.k === k ? -cur.dir : 1 };
    if (onSort) onSort(); else table(id, rows, columns);
  });
}

// ---------------------------------------------------------------- server-paged lists

// Columns computed here from a server field: the server sorts on the field's dotted path.
const SORT_PATHS = { publish_rate: 'message_stats.publish_details.rate',
  deliver_rate: 'message_stats.deliver_get_details.rate', ack_rate: 'message_stats.ack_details.rate' };

/** One page of a list ({"items": [...], "page", "page_count", "filtered_count", "total_count", ...}). */
async function listPage(id) {
  const l = state.lists[id], sort = state.sort[id];
  let query = `?page=${l.page}&page_size=${PAGE_SIZE}&name=${enc(l.name)}`;
  if (sort) query += `&sort=${enc(SORT_PATHS[sort.k] || sort.k)}&sort_reverse=${sort.dir < 0}`;
  try {
    return await api(id + query);
  } catch (e) { // the list shrank below the page shown (400 page_out_of_range): back to the first page
    if (e instanceof ApiError && e.status === 400 && l.page > 1) { l.page = 1; return listPage(id); }
    throw e;
  }
}

/** Shows "first–last of N" and enables the previous/next buttons of a list's pager. */
function showPager(id, p) {
  const el = document.querySelector(`.pager[data-list="${id}"]`), first = (p.page - 1) * p.page_size + 1;
  const shown = p.item_count ? `${fmtNum(first)}–${fmtNum(first + p.item_count - 1)}` : '0';
  const all = p.filtered_count !== p.total_count ? ` (${fmtNum(p.total_count)} in all)` : '';
  el.querySelector('span').textContent = `${shown} of ${fmtNum(p.filtered_count)}${all}`;
  const [prev, next] = el.querySelectorAll('button');
  prev.disabled = p.page <= 1;
  next.disabled = p.page >= p.page_count;
}

document.querySelectorAll('.pager').forEach(el => {
  const l = state.lists[el.dataset.list] = { page: 1, name: '' };
  el.innerHTML = '<input type="search" placeholder="Filter by name"> <button data-step="-1">&lsaquo;</button> '
    + '<span></span> <button data-step="1">&rsaquo;</button>';
  el.querySelector('input').oninput = e => { l.name = e.target.value; l.page = 1; refresh(); };
  el.querySelectorAll('button').forEach(b => b.onclick = () => {
    l.page = Math.max(1, l.page + +b.dataset.step);
    refresh();
  });
});

// ---------------------------------------------------------------- rate chart

/** The smallest 1, 2 or 5 times a power of ten at or above v: a round top for the y axis. */
function niceMax(v) {
  const p = 10 ** Math.floor(Math.log10(v));
  return [1, 2, 5, 10].map(m => m * p).find(m => m >= v);
}

function drawChart() {
  const c = $('chart');
  if (!c.clientWidth) return; // hidden
  if (c.width !== c.clientWidth) c.width = c.clientWidth;
  const g = c.getContext('2d'), w = c.width, h = c.height, left = 48, right = 8, top = 8, bottom = 20;
  const h2 = state.history, max = niceMax(Math.max(1, ...h2.flatMap(p => [p.pub, p.del, p.ack])));
  g.clearRect(0, 0, w, h);
  g.font = '11px system-ui, sans-serif';
  g.fillStyle = '#6b7280';
  g.lineWidth = 1;
  g.strokeStyle = '#e5e7eb';
  for (let i = 0; i <= 4; i++) {
    const y = Math.round(top + (h - top - bottom) * i / 4) + 0.5;
    g.beginPath(); g.moveTo(left, y); g.lineTo(w - right, y); g.stroke();
    g.textAlign = 'right'; g.textBaseline = 'middle';
    g.fillText(fmtRate(max * (4 - i) / 4), left - 6, y);
  }
  g.textBaseline = 'alphabetic';
  g.textAlign = 'left'; g.fillText('-2 min', left, h - 4);
  g.textAlign = 'right'; g.fillText('now', w - right, h - 4);
  // newest sample at the right edge; older ones scroll left
  const x = i => left + (w - left - right) * (HISTORY - h2.length + i) / (HISTORY - 1);
  const y = v => top + (h - top - bottom) * (1 - v / max);
  // ack is dashed: it often equals deliver and would hide it
  [['pub', '#2563eb', []], ['del', '#16a34a', []], ['ack', '#dc2626', [6, 4]]].forEach(([k, color, dash]) => {
    g.strokeStyle = g.fillStyle = color; g.lineWidth = 2; g.setLineDash(dash);
    g.beginPath();
    h2.forEach((p, i) => i ? g.lineTo(x(i), y(p[k])) : g.moveTo(x(i), y(p[k])));
    g.stroke();
    g.setLineDash([]);
    if (h2.length) { g.beginPath(); g.arc(x(h2.length - 1), y(h2[h2.length - 1][k]), 3, 0, 2 * Math.PI); g.fill(); }
  });
}
window.onresize = drawChart;

// ---------------------------------------------------------------- views

function route() {
  const m = location.hash.match(/^#\/queues\/([^/]+)\/(.+)$/);
  state.queue = m ? { vhost: decodeURIComponent(m[1]), name: decodeURIComponent(m[2]) } : null;
  $('overview').hidden = !!state.queue;
  $('queuePage').hidden = !state.queue;
  if (state.queue) {
    $('qname').textContent = state.queue.name + ' (vhost ' + state.queue.vhost + ')';
    ['pubResult', 'getResult', 'got'].forEach(id => $(id).innerHTML = '');
  }
  refresh();
}
window.onhashchange = () => { if (state.auth) route(); };

async function refresh() {
  if (!state.auth) return;
  if (state.busy) { state.again = true; return; } // a slow answer must not pile up requests; refresh once after it
  state.busy = true;
  try {
    const o = await api('overview');
    state.history.push({ pub: rate(o, 'publish'), del: rate(o, 'deliver_get'), ack: rate(o, 'ack') });
    if (state.history.length > HISTORY) state.history.shift();
    if (state.queue) await refreshQueue(); else await refreshOverview(o);
    showError(null);
  } catch (e) {
    if (state.auth) showError(describe(e));
  } finally {
    state.busy = false;
    if (state.again) { state.again = false; refresh(); }
  }
}

async function refreshOverview(o) {
  const lists = ['queues', 'exchanges', 'connections', 'channels'];
  const pages = await Promise.all(lists.map(listPage));
  lists.forEach((id, i) => showPager(id, pages[i]));
  const [queues, exchanges, conns, chans] = pages.map(p => p.items);
  const t = o.object_totals, q = o.queue_totals;
  cards('totals', [['Connections', fmtNum(t.connections)], ['Channels', fmtNum(t.channels)],
    ['Queues', fmtNum(t.queues)], ['Consumers', fmtNum(t.consumers)], ['Ready', fmtNum(q.messages_ready)],
    ['Unacked', fmtNum(q.messages_unacknowledged)], ['Publish/s', fmtRate(rate(o, 'publish'))],
    ['Deliver/s', fmtRate(rate(o, 'deliver_get'))], ['Ack/s', fmtRate(rate(o, 'ack'))]]);
  drawChart();
  queues.forEach(r => { r.publish_rate = rate(r, 'publish'); r.deliver_rate = rate(r, 'deliver_get'); r.ack_rate = rate(r, 'ack'); });
  table('queues', queues, [
    ['name', 'Name', '', r => `<a href="#/queues/${enc(r.vhost)}/${enc(r.name)}">${esc(r.name)}</a>`],
    ['vhost', 'Vhost'], ['durable', 'Durable', '', r => r.durable ? 'D' : ''],
    ['messages_ready', 'Ready', 'num', r => fmtNum(r.messages_ready)],
    ['messages_unacknowledged', 'Unacked', 'num', r => fmtNum(r.messages_unacknowledged)],
    ['consumers', 'Consumers', 'num'],
    ['publish_rate', 'Publish/s', 'num', r => fmtRate(r.publish_rate)],
    ['deliver_rate', 'Deliver/s', 'num', r => fmtRate(r.deliver_rate)],
    ['ack_rate', 'Ack/s', 'num', r => fmtRate(r.ack_rate)]], refresh);
  table('exchanges', exchanges, [['name', 'Name', '', r => esc(r.name || '(AMQP default)')], ['vhost', 'Vhost'],
    ['type', 'Type'], ['durable', 'Durable', '', r => r.durable ? 'D' : '']], refresh);
  table('connections', conns, [['name', 'Name'], ['user', 'User'], ['vhost', 'Vhost'], ['channels', 'Channels', 'num'],
    ['recv_oct', 'Received', 'num', r => fmtBytes(r.recv_oct)], ['send_oct', 'Sent', 'num', r => fmtBytes(r.send_oct)]],
    refresh);
  table('channels', chans, [['name', 'Name'], ['user', 'User'], ['consumer_count', 'Consumers', 'num'],
    ['messages_unacknowledged', 'Unacked', 'num'], ['prefetch_count', 'Prefetch', 'num'],
    ['confirm', 'Confirm', '', r => r.confirm ? '✓' : '']], refresh);
}

const queuePath = () => enc(state.queue.vhost) + '/' + enc(state.queue.name);

async function refreshQueue() {
  const q = await api('queues/' + queuePath());
  cards('qdetails', [['Ready', fmtNum(q.messages_ready)], ['Unacked', fmtNum(q.messages_unacknowledged)],
    ['Consumers', fmtNum(q.consumers)], ['Publish/s', fmtRate(rate(q, 'publish'))],
    ['Deliver/s', fmtRate(rate(q, 'deliver_get'))], ['Ack/s', fmtRate(rate(q, 'ack'))]]);
  const features = [['durable', q.durable], ['auto_delete', q.auto_delete], ['exclusive', q.exclusive],
    ...Object.entries(q.arguments || {})].map(([k, v]) => ({ k, v: JSON.stringify(v) }));
  table('qargs', features, [['k', 'Feature / argument'], ['v', 'Value']]);
}

/** Runs a form action, showing its outcome (or the server's error) in the span with the given id. */
async function submit(resultId, action) {
  const out = $(resultId);
  try {
    out.className = 'ok';
    out.textContent = await action();
    refresh();
  } catch (e) {
    out.className = 'err';
    out.textContent = describe(e);
  }
}

$('publish').onsubmit = e => {
  e.preventDefault();
  submit('pubResult', async () => {
    const r = await api('exchanges/' + enc(state.queue.vhost) + '/amq.default/publish', 'POST', {
      properties: $('pubPersistent').checked ? { delivery_mode: 2 } : {}, routing_key: state.queue.name,
      payload: $('pubBody').value, payload_encoding: 'string' });
    return r.routed ? 'Message published.' : 'Message published, but not routed.';
  });
};

$('get').onsubmit = e => {
  e.preventDefault();
  submit('getResult', async () => {
    const msgs = await api('queues/' + queuePath() + '/get', 'POST',
      { count: Math.max(1, +$('getCount').value || 1), ackmode: $('getAckMode').value, encoding: 'auto' });
    msgs.forEach((m, i) => m.n = i + 1);
    table('got', msgs, [['n', '#', 'num'], ['payload', 'Payload', '', m => '<pre>' + esc(m.payload) + '</pre>'],
      ['payload_encoding', 'Encoding'], ['routing_key', 'Routing key'],
      ['redelivered', 'Redelivered', '', m => m.redelivered ? 'yes' : 'no'], ['message_count', 'Left in queue', 'num']]);
    return msgs.length ? msgs.length + (msgs.length === 1 ? ' message.' : ' messages.') : 'Queue is empty.';
  });
};

start();
