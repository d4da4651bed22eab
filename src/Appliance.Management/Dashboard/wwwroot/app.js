'use strict';
// The appliance dashboard: polls the admin API every second and draws what it answers.
// No libraries and no build step: this file is served as is from the daemon's assembly.

const API = '/api/v1';
const TOKEN_KEY = 'appliance-admin-token';
const COLORS = ['#58a6ff', '#3fb950', '#d29922', '#bc8cff', '#ff7b72', '#39c5cf', '#f778ba', '#a5d6ff', '#7ee787', '#ffa657'];
const HISTORY_SECONDS = 300;

const state = {
  token: sessionStorage.getItem(TOKEN_KEY),
  pools: new Map(),
  lastOk: 0,
  askingToken: false,
  slowTick: 0,
};

class AuthError extends Error {}

const $ = (selector, root = document) => root.querySelector(selector);

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

async function api(path, options = {}) {
  const headers = Object.assign({ Accept: 'application/json' }, options.headers || {});
  if (state.token) headers.Authorization = 'Bearer ' + state.token;
  const response = await fetch(path, Object.assign({}, options, { headers, cache: 'no-store' }));
  const body = await response.json().catch(() => null);
  if (response.status === 401) {
    askToken(state.token ? 'That token was refused: ' + (body && body.detail || '') : null);
    throw new AuthError('token needed');
  }
  if (!response.ok) throw new Error(body && body.detail ? body.detail : 'HTTP ' + response.status);
  return body;
}

// ---- token -----------------------------------------------------------------------------------

function askToken(error) {
  const dialog = $('#token-dialog');
  const message = $('#token-error');
  message.hidden = !error;
  message.textContent = error || '';
  if (!dialog.open) {
    $('#token-input').value = '';
    dialog.showModal();
  }
}

function setupToken() {
  $('#token-form').addEventListener('submit', () => {
    state.token = $('#token-input').value.trim();
    sessionStorage.setItem(TOKEN_KEY, state.token);
    refresh();
  });
}

// ---- header, members, VIPs -------------------------------------------------------------------

function formatUptime(seconds) {
  const s = Math.floor(seconds);
  const d = Math.floor(s / 86400), h = Math.floor(s % 86400 / 3600), m = Math.floor(s % 3600 / 60);
  if (d > 0) return `${d}d ${h}h`;
  if (h > 0) return `${h}h ${String(m).padStart(2, '0')}m`;
  if (m > 0) return `${m}m ${String(s % 60).padStart(2, '0')}s`;
  return `${s}s`;
}

function renderStatus(status) {
  $('#node-name').textContent = status.name;
  document.title = `${status.name} · Appliance`;
  const ready = $('#node-ready');
  ready.textContent = status.ready ? 'ready' : 'not ready';
  ready.className = 'badge ' + (status.ready ? 'ok' : 'bad');
  ready.title = status.notReadyReasons.join('; ');
  const reload = status.config.lastReload;
  const reloadText = reload ? ` · last reload ${reload.applied ? 'applied' : 'REFUSED'} (${reload.trigger})` : '';
  $('#node-meta').textContent =
    `v${status.version} · up ${formatUptime(status.uptimeSeconds)} · config revision ${status.config.revision}${reloadText}`;
}

function renderList(target, response, items, columns) {
  const box = $(target);
  box.replaceChildren();
  if (!response.configured) {
    box.className = 'panel-body muted';
    box.textContent = response.message || 'not configured';
    return;
  }
  box.className = 'panel-body';
  const table = el('table');
  const head = el('tr');
  columns.forEach(c => head.append(el('th', '', c.title)));
  table.append(head);
  items.forEach(item => {
    const row = el('tr');
    columns.forEach(c => row.append(el('td', c.cls ? c.cls(item) : '', c.value(item))));
    table.append(row);
  });
  box.append(table);
}

async function refreshClusterPanels() {
  const [members, vips] = await Promise.all([api(API + '/cluster/members'), api(API + '/vips')]);
  renderList('#members', members, members.members, [
    { title: 'Member', value: m => m.name + (m.self ? ' (this node)' : '') },
    { title: 'Address', value: m => m.address },
    { title: 'State', value: m => m.state, cls: m => m.state === 'up' ? 'ok' : 'bad' },
  ]);
  renderList('#vips', vips, vips.vips, [
    { title: 'VIP', value: v => v.address },
    { title: 'Owner', value: v => v.owner || '—' },
    { title: 'State', value: v => v.state },
    { title: 'Last change', value: v => v.reason || '' },
  ]);
}

// ---- pools -----------------------------------------------------------------------------------

// HTTP clusters and TCP pools: the same shapes under their own routes and id spaces.
const LAYERS = [
  { key: 'http', backends: '/backends', traffic: '/traffic', title: id => id, rate: 'Req/s', caption: 'requests/s per backend' },
  { key: 'tcp', backends: '/tcp/backends', traffic: '/tcp/traffic', title: id => 'tcp ' + id, rate: 'Conn/s', caption: 'new connections/s per backend' },
];

function pool(layer, cluster) {
  const key = `${layer.key}:${cluster.id}`;
  let entry = state.pools.get(key);
  if (!entry) {
    const node = $('#pool-template').content.firstElementChild.cloneNode(true);
    node.dataset.cluster = cluster.id;
    node.dataset.layer = layer.key;
    $('th.rate', node).textContent = layer.rate;
    $('figcaption', node).textContent = `${layer.caption}, last 5 minutes (stacked)`;
    $('#pools').append(node);
    entry = { node, rows: new Map(), canvas: $('canvas', node) };
    state.pools.set(key, entry);
  }
  return entry;
}

function renderPools(layers) {
  const seen = new Set();
  layers.forEach(({ layer, backends, traffic }) => backends.clusters.forEach(cluster => {
    seen.add(`${layer.key}:${cluster.id}`);
    const entry = pool(layer, cluster);
    $('.pool-title', entry.node).textContent = layer.title(cluster.id);
    const q = cluster.queue;
    $('.pool-meta', entry.node).textContent =
      `${cluster.policy} · queue ${q.waiting}/${q.maxLength} · rejected ${q.rejected} · timed out ${q.timedOut}`;
    renderRows(layer, entry, cluster);
    drawChart(entry.canvas, cluster, traffic);
  }));
  for (const [key, entry] of state.pools) {
    if (!seen.has(key)) { entry.node.remove(); state.pools.delete(key); }
  }
}

function renderRows(layer, entry, cluster) {
  const tbody = $('tbody', entry.node);
  const seen = new Set();
  cluster.backends.forEach((b, index) => {
    seen.add(b.id);
    let row = entry.rows.get(b.id);
    if (!row) {
      row = createRow(layer, cluster.id, b.id);
      entry.rows.set(b.id, row);
    }
    tbody.append(row); // keeps the server's order
    const color = COLORS[index % COLORS.length];
    $('.swatch', row).style.background = color;
    $('.addr', row).textContent = b.address;
    const health = $('.health', row);
    health.replaceChildren(
      badge(b.health.active, 'active check: ' + b.health.active),
      badge(b.health.passive === 'unknown' ? '' : b.health.passive, 'passive check: ' + b.health.passive));
    const admin = $('.admin-state', row);
    admin.textContent = b.adminState;
    admin.className = 'admin-state ' + b.adminState;
    $('.weight', row).textContent = b.weight === b.configuredWeight ? b.weight : `${b.weight} (file ${b.configuredWeight})`;
    $('.inflight', row).textContent = `${b.inFlight.local} / ${b.inFlight.cluster}`;
    $('.rps', row).textContent = b.requestsPerSecond.toFixed(1);
    $('.eps', row).textContent = b.errorsPerSecond.toFixed(1);
    $('.eps', row).classList.toggle('bad', b.errorsPerSecond > 0);
    row.querySelectorAll('button[data-action]').forEach(button => {
      button.disabled = button.dataset.action === b.adminState;
    });
    row.dataset.state = b.adminState;
  });
  for (const [id, row] of entry.rows) {
    if (!seen.has(id)) { row.remove(); entry.rows.delete(id); }
  }
}

function badge(text, title) {
  const span = el('span', text || 'unknown', text);
  span.title = title;
  return span;
}

function createRow(layer, clusterId, backendId) {
  const row = el('tr');
  row.dataset.backend = `${clusterId}/${backendId}`;
  const name = el('td');
  name.append(el('span', 'swatch'), el('strong', '', backendId), el('span', 'addr'));
  row.append(name, el('td', 'health'), el('td'), el('td', 'num weight'), el('td', 'num inflight'),
    el('td', 'num rps'), el('td', 'num eps'), el('td', 'act'));
  row.children[2].append(el('span', 'admin-state'));
  [['drain', 'Drain', 'No new sessions; sticky sessions continue'],
   ['maint', 'Maint', 'No traffic at all'],
   ['ready', 'Ready', 'Take new and sticky traffic']].forEach(([action, label, title]) => {
    const button = el('button', '', label);
    button.dataset.action = action;
    button.title = title;
    button.addEventListener('click', () => act(layer, clusterId, backendId, action));
    row.children[7].append(button);
  });
  return row;
}

async function act(layer, clusterId, backendId, action) {
  if (action === 'maint' && !confirm(`Put ${clusterId}/${backendId} in maintenance? It will get no traffic at all.`)) return;
  try {
    const result = await api(`${API}${layer.backends}/${encodeURIComponent(clusterId)}/${encodeURIComponent(backendId)}/${action}`, { method: 'POST' });
    notice(result.message);
  } catch (e) {
    if (!(e instanceof AuthError)) notice(e.message, true);
  }
  refresh();
}

function notice(text, error = false) {
  const box = $('#notice');
  box.textContent = text;
  box.className = 'notice' + (error ? ' error' : '');
  box.hidden = false;
  clearTimeout(notice.timer);
  notice.timer = setTimeout(() => { box.hidden = true; }, 8000);
}

// ---- chart -----------------------------------------------------------------------------------

function niceCeiling(value) {
  if (value <= 1) return 1;
  const power = Math.pow(10, Math.floor(Math.log10(value)));
  for (const step of [1, 2, 5, 10]) {
    if (value <= step * power) return step * power;
  }
  return 10 * power;
}

function drawChart(canvas, cluster, traffic) {
  const ratio = window.devicePixelRatio || 1;
  const width = canvas.clientWidth, height = canvas.clientHeight;
  if (width === 0) return;
  canvas.width = Math.round(width * ratio);
  canvas.height = Math.round(height * ratio);
  const g = canvas.getContext('2d');
  g.setTransform(ratio, 0, 0, ratio, 0, 0);
  g.clearRect(0, 0, width, height);

  const series = cluster.backends.map((b, i) => {
    const found = traffic.series.find(s => s.cluster === cluster.id && s.backend === b.id);
    return { color: COLORS[i % COLORS.length], values: found ? found.requestsPerSecond : [] };
  });
  const points = Math.max(1, ...series.map(s => s.values.length));
  const stacked = [];
  const totals = new Array(points).fill(0);
  series.forEach(s => {
    const base = totals.slice();
    for (let i = 0; i < points; i++) totals[i] += s.values[i] || 0;
    stacked.push({ color: s.color, base, top: totals.slice() });
  });
  const max = niceCeiling(Math.max(...totals));

  const left = 44, right = 8, top = 8, bottom = 20;
  const w = width - left - right, h = height - top - bottom;
  const x = i => left + (points === 1 ? w : (i / (points - 1)) * w);
  const y = v => top + h - (v / max) * h;

  g.font = '11px system-ui, sans-serif';
  g.fillStyle = '#8b98a5';
  g.strokeStyle = '#263240';
  g.lineWidth = 1;
  [0, max / 2, max].forEach(v => {
    g.beginPath(); g.moveTo(left, y(v) + .5); g.lineTo(left + w, y(v) + .5); g.stroke();
    g.textAlign = 'right'; g.textBaseline = 'middle';
    g.fillText(v >= 10 ? v.toFixed(0) : v.toFixed(1), left - 6, y(v));
  });
  g.textAlign = 'center'; g.textBaseline = 'top';
  const minutes = Math.round(points / 60);
  for (let m = minutes; m >= 0; m--) {
    const i = Math.max(0, points - 1 - m * 60);
    g.fillText(m === 0 ? 'now' : `-${m}m`, Math.min(Math.max(x(i), left + 10), left + w - 12), top + h + 5);
  }

  stacked.forEach(layer => {
    g.beginPath();
    for (let i = 0; i < points; i++) g.lineTo(x(i), y(layer.top[i]));
    for (let i = points - 1; i >= 0; i--) g.lineTo(x(i), y(layer.base[i]));
    g.closePath();
    g.globalAlpha = 0.35; g.fillStyle = layer.color; g.fill();
    g.globalAlpha = 1; g.strokeStyle = layer.color; g.lineWidth = 1.5;
    g.beginPath();
    for (let i = 0; i < points; i++) g.lineTo(x(i), y(layer.top[i]));
    g.stroke();
  });
}

// ---- loop ------------------------------------------------------------------------------------

let refreshing = null;

function refresh() {
  if (!refreshing) {
    refreshing = load().finally(() => { refreshing = null; });
  }
  return refreshing;
}

async function load() {
  const conn = $('#conn');
  try {
    const [status, ...layers] = await Promise.all([api(API + '/status'), ...LAYERS.map(async layer => {
      try {
        const [backends, traffic] = await Promise.all([
          api(API + layer.backends), api(`${API}${layer.traffic}?seconds=${HISTORY_SECONDS}`)]);
        return { layer, backends, traffic };
      } catch (e) {
        // A node without TCP pools' routes (an older version) still shows its HTTP clusters.
        if (e instanceof AuthError || e instanceof TypeError || layer.key === 'http') throw e;
        return { layer, backends: { clusters: [] }, traffic: { series: [] } };
      }
    })]);
    renderStatus(status);
    renderPools(layers);
    if (state.slowTick++ % 5 === 0) await refreshClusterPanels();
    state.lastOk = Date.now();
    conn.textContent = 'live · updated ' + new Date().toLocaleTimeString();
    conn.classList.remove('down');
  } catch (e) {
    if (e instanceof AuthError) {
      conn.textContent = 'waiting for a token';
    } else {
      conn.textContent = e instanceof TypeError ? 'cannot reach the node (is applianced running?)' : e.message;
      conn.classList.add('down');
    }
  }
}

setupToken();
refresh();
setInterval(refresh, 1000);
window.addEventListener('resize', () => refresh());
