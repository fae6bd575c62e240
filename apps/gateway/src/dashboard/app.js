// Tickerplant dashboard: live tickers and a trades tape over the gateway WebSocket. No build step.

const $ = (id) => document.getElementById(id);
const tickers = new Map(); // channel → { row, data, updated }
const TAPE_MAX = 60;
let ws;
let nextId = 1;
let tapeChannel = null;
let backoffMs = 500;

function fmt(n, digits) {
  if (n === null || n === undefined || !Number.isFinite(n)) return "–";
  if (digits !== undefined) return n.toFixed(digits);
  const abs = Math.abs(n);
  return n.toLocaleString(undefined, { maximumFractionDigits: abs >= 100 ? 2 : abs >= 1 ? 4 : 8 });
}

function cell(row, text, cls) {
  const td = document.createElement("td");
  td.textContent = text;
  if (cls) td.className = cls;
  row.appendChild(td);
  return td;
}

function renderTicker(channel) {
  const entry = tickers.get(channel);
  const t = entry.data;
  const row = document.createElement("tr");
  cell(row, t.exchange);
  cell(row, t.market);
  cell(row, fmt(t.last));
  cell(row, `${fmt(t.changePct, 2)}%`, t.changePct >= 0 ? "up" : "down");
  cell(row, fmt(t.high));
  cell(row, fmt(t.low));
  cell(row, fmt(t.volume));
  cell(row, fmt(t.bid));
  cell(row, fmt(t.ask));
  entry.ageCell = cell(row, "");
  const flag = cell(row, "");
  if (t.simulated) {
    const span = document.createElement("span");
    span.className = "sim";
    span.textContent = "SIMULATED";
    flag.appendChild(span);
  }
  row.addEventListener("click", () => watchTrades(t.exchange, t.market));
  row.style.cursor = "pointer";
  if (entry.row) entry.row.replaceWith(row);
  else insertSorted(row, channel);
  entry.row = row;
  $("tickers-empty").hidden = true;
}

function insertSorted(row, channel) {
  const body = $("tickers").tBodies[0];
  const keys = [...tickers.keys()].filter((k) => tickers.get(k).row).sort();
  const after = keys.find((k) => k > channel);
  body.insertBefore(row, after ? tickers.get(after).row : null);
}

function onTicker(channel, data) {
  const entry = tickers.get(channel) ?? {};
  entry.data = data;
  entry.updated = Date.now();
  tickers.set(channel, entry);
  renderTicker(channel);
}

function onTrade(msg) {
  const t = msg.data;
  const row = document.createElement("tr");
  cell(row, new Date(t.ts).toISOString().slice(11, 23));
  cell(row, t.side, t.side === "buy" ? "up" : t.side === "sell" ? "down" : "");
  cell(row, fmt(t.price));
  cell(row, fmt(t.amount));
  cell(row, String(msg.seq));
  const body = $("tape").tBodies[0];
  body.insertBefore(row, body.firstChild);
  while (body.rows.length > TAPE_MAX) body.deleteRow(body.rows.length - 1);
}

function send(msg) {
  if (ws && ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(msg));
}

function watchTrades(exchange, market) {
  $("tape-exchange").value = exchange;
  $("tape-market").value = market;
  const channel = `trade:${exchange}:${market}`;
  if (tapeChannel && tapeChannel !== channel)
    send({ op: "unsubscribe", channels: [tapeChannel], id: nextId++ });
  tapeChannel = channel;
  $("tape").tBodies[0].replaceChildren();
  $("tape-channel").textContent = channel;
  send({ op: "subscribe", channels: [channel], id: nextId++ });
}

function connect() {
  const proto = location.protocol === "https:" ? "wss" : "ws";
  ws = new WebSocket(`${proto}://${location.host}/ws`);
  ws.onopen = () => {
    backoffMs = 500;
    $("conn").textContent = "live";
    $("conn").className = "conn up";
    send({ op: "subscribe", channels: ["ticker:*:*"], id: nextId++ });
    if (tapeChannel) send({ op: "subscribe", channels: [tapeChannel], id: nextId++ });
  };
  ws.onmessage = (ev) => {
    const msg = JSON.parse(ev.data);
    if (msg.channel) {
      if (msg.channel.startsWith("ticker:")) onTicker(msg.channel, msg.data);
      else if (msg.channel === tapeChannel) onTrade(msg);
    } else if (msg.type === "error") {
      console.warn("gateway error", msg);
      $("tape-channel").textContent = `${tapeChannel ?? ""} — ${msg.code}: ${msg.message}`;
    }
  };
  ws.onclose = (ev) => {
    $("conn").textContent = `disconnected${ev.reason ? `: ${ev.reason}` : ""} — retrying`;
    $("conn").className = "conn down";
    setTimeout(connect, backoffMs);
    backoffMs = Math.min(backoffMs * 2, 10_000);
  };
}

async function loadExchanges() {
  try {
    const res = await fetch("/api/v1/exchanges");
    const body = await res.json();
    const simulated = (body.data ?? []).filter((e) => e.simulated);
    $("simulated-banner").hidden = simulated.length === 0;
    $("simulated-notice").textContent = simulated.length
      ? `${simulated.map((e) => e.name).join(", ")}: prices come from the exchange simulator, not the real exchange.`
      : "";
  } catch (err) {
    console.warn("cannot load exchanges", err);
  }
}

function tickAges() {
  const now = Date.now();
  for (const entry of tickers.values()) {
    if (!entry.ageCell) continue;
    const age = Math.round((now - entry.updated) / 1000);
    entry.ageCell.textContent = `${age}s`;
    entry.row.classList.toggle("stale", age > 60);
  }
}

$("tape-form").addEventListener("submit", (ev) => {
  ev.preventDefault();
  watchTrades($("tape-exchange").value.trim(), $("tape-market").value.trim().toUpperCase());
});

loadExchanges();
setInterval(loadExchanges, 30_000);
setInterval(tickAges, 1000);
tapeChannel = `trade:${$("tape-exchange").value}:${$("tape-market").value}`;
$("tape-channel").textContent = tapeChannel;
connect();
