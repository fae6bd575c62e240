// Live tickers (ticker:*:*) and a trade tape for one market.
import { $, cell, fmt } from "./format.js";
import { on, subscribe, unsubscribe } from "./socket.js";

const tickers = new Map(); // channel → { row, data, updated }
const TAPE_MAX = 60;
let tapeChannel = null;

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

function onTicker(msg) {
  const entry = tickers.get(msg.channel) ?? {};
  entry.data = msg.data;
  entry.updated = Date.now();
  tickers.set(msg.channel, entry);
  renderTicker(msg.channel);
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

function watchTrades(exchange, market) {
  $("tape-exchange").value = exchange;
  $("tape-market").value = market;
  const channel = `trade:${exchange}:${market}`;
  if (tapeChannel && tapeChannel !== channel) unsubscribe([tapeChannel]);
  tapeChannel = channel;
  $("tape").tBodies[0].replaceChildren();
  $("tape-channel").textContent = channel;
  subscribe([channel]);
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

export function initTickers() {
  on((c) => c.startsWith("ticker:"), onTicker);
  on((c) => c === tapeChannel, onTrade);
  subscribe(["ticker:*:*"]);
  $("tape-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    watchTrades($("tape-exchange").value.trim(), $("tape-market").value.trim().toUpperCase());
  });
  watchTrades($("tape-exchange").value, $("tape-market").value);
  setInterval(tickAges, 1000);
}
