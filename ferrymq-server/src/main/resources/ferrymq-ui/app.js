// FerryMQ web UI: plain JS over the management API (/api), polling every 2 s.
const state = { auth: sessionStorage.getItem('auth'), sort: {}, history: [], queue: null };

async function api(path, method = 'GET', body) {
  const r = await fetch('/api/' + path, { method, headers: { 'Authorization': 'Basic ' + state.auth,
    'Content-Type': 'application/json' }, body: body ? JSON.stringify(body) : undefined });
  if (r.status === 401) { showLogin('Login failed'); throw new Error('401'); }
  return r.status === 204 ? null : r.json();
}

function showLogin(error) {
  document.getElementById('login').hidden = false;
  document.getElementById('app').hidden = true;
  document.getElementById('loginError').textContent = error || '';
}

document.getElementById('login').onsubmit = e => {
  e.preventDefault();
  state.auth = btoa(document.getElementById('user').value + ':' + document.getElementById('pass').value);
  sessionStorage.setItem('auth', state.auth);
  start();
};

function esc(s) { return String(s).replace(/[&<>"]/g, c => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]); }

function table(id, rows, columns) {
  const el = document.getElementById(id);
  const sort = state.sort[id];
  if (sort) rows = [...rows].sort((a, b) => (a[sort.k] > b[sort.k] ? 1 : -1) * sort.dir);
  el.innerHTML = '<tr>' + columns.map(c => `<th data-k="${c[0]}" class="${c[2] || ''}">${c[1]}</th>`).join('') + '</tr>' +
    rows.map(r => '<tr>' + columns.map(c => `<td class="${c[2] || ''}">${c[3] ? c[3](r) : esc(r[c[0]] ?? '')}</td>`).join('') + '</tr>').join('');
  el.querySelectorAll('th').forEach(th => th.onclick = () => {
    const k = th.dataset.k, cur = state.sort[id];
    state.sort[id] = { k, dir: cur && cur.k === k ? -cur.dir : 1 };
    refresh();
  });
}

function rate(r, key) { return r.message_stats && r.message_stats[key + '_details'] ? r.message_stats[key + '_details'].rate : 0; }

function drawChart() {
  const c = document.getElementById('chart'), g = c.getContext('2d');
  g.clearRect(0, 0, c.width, c.height);
  const h = state.history, max = Math.max(1, ...h.flatMap(p => [p.pub, p.del, p.ack]));
  g.fillStyle = '#888'; g.font = '11px sans-serif'; g.fillText(max.toFixed(1) + '/s', 4, 12);
  [['pub', '#1f77b4'], ['del', '#2ca02c'], ['ack', '#d62728']].forEach(([k, color]) => {
    g.strokeStyle = color; g.lineWidth = 2; g.beginPath();
    h.forEach((p, i) => { const x = i * c.width / 59, y = c.height - 4 - p[k] / max * (c.height - 20);
      i ? g.lineTo(x, y) : g.moveTo(x, y); });
    g.stroke();
  });
}

async function refresh() {
  const [o, queues, exchanges, conns, chans] = await Promise.all([api('overview'), api('queues'),
    api('exchanges'), api('connections'), api('channels')]);
  const t = o.object_totals, q = o.queue_totals;
  document.getElementById('totals').innerHTML = [['Connections', t.connections], ['Channels', t.channels],
    ['Queues', t.queues], ['Consumers', t.consumers], ['Messages', q.messages], ['Ready', q.messages_ready],
    ['Unacked', q.messages_unacknowledged], ['Publish/s', rate(o, 'publish')], ['Deliver/s', rate(o, 'deliver_get')]]
    .map(([k, v]) => `<div class="card">${k}<b>${v}</b></div>`).join('');
  state.history.push({ pub: rate(o, 'publish'), del: rate(o, 'deliver_get'), ack: rate(o, 'ack') });
  if (state.history.length > 60) state.history.shift();
  drawChart();
  queues.forEach(r => { r.publish_rate = rate(r, 'publish'); r.deliver_rate = rate(r, 'deliver_get'); });
  table('queues', queues, [['name', 'Name', '', r => `<a data-q="${esc(r.vhost)}|${esc(r.name)}">${esc(r.name)}</a>`],
    ['vhost', 'Vhost'], ['messages_ready', 'Ready', 'num'], ['messages_unacknowledged', 'Unacked', 'num'],
    ['consumers', 'Consumers', 'num'], ['publish_rate', 'Publish/s', 'num'], ['deliver_rate', 'Deliver/s', 'num']]);
  document.querySelectorAll('a[data-q]').forEach(a => a.onclick = () => openQueue(...a.dataset.q.split('|')));
  table('exchanges', exchanges, [['name', 'Name', '', r => esc(r.name || '(AMQP default)')], ['vhost', 'Vhost'],
    ['type', 'Type'], ['durable', 'Durable']]);
  table('connections', conns, [['name', 'Name'], ['user', 'User'], ['vhost', 'Vhost'], ['channels', 'Channels', 'num'],
    ['recv_oct', 'Bytes in', 'num'], ['send_oct', 'Bytes out', 'num']]);
  table('channels', chans, [['name', 'Name'], ['user', 'User'], ['consumer_count', 'Consumers', 'num'],
    ['messages_unacknowledged', 'Unacked', 'num'], ['prefetch_count', 'Prefetch', 'num'], ['confirm', 'Confirm']]);
}

function openQueue(vhost, name) {
  state.queue = { vhost, name };
  document.getElementById('queuePage').hidden = false;
  document.getElementById('qname').textContent = name + ' (vhost ' + vhost + ')';
}

const qpath = () => encodeURIComponent(state.queue.vhost) + '/' + encodeURIComponent(state.queue.name);
document.getElementById('publish').onsubmit = async e => {
  e.preventDefault();
  const r = await api('exchanges/' + encodeURIComponent(state.queue.vhost) + '/amq.default/publish', 'POST',
    { properties: {}, routing_key: state.queue.name, payload: document.getElementById('pubBody').value, payload_encoding: 'string' });
  document.getElementById('got').textContent = r.routed ? 'Message published.' : 'Message not routed.';
};
document.getElementById('get').onsubmit = async e => {
  e.preventDefault();
  const msgs = await api('queues/' + qpath() + '/get', 'POST',
    { count: +document.getElementById('getCount').value, ackmode: 'ack_requeue_false', encoding: 'auto' });
  document.getElementById('got').textContent = msgs.length ? msgs.map(m => m.payload).join('\n') : 'Queue is empty.';
};

async function start() {
  if (!state.auth) { showLogin(); return; }
  try {
    const me = await api('whoami');
    document.getElementById('who').textContent = me.name + ' (' + me.tags.join(', ') + ')';
    document.getElementById('login').hidden = true;
    document.getElementById('app').hidden = false;
    await refresh();
    if (!state.timer) state.timer = setInterval(() => refresh().catch(() => {}), 2000);
  } catch (e) { /* login form shown */ }
}
start();
