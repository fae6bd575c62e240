// The one WebSocket to the gateway: subscriptions survive reconnects; handlers by channel prefix.
import { apiKey } from "./api-key.js";
import { $ } from "./format.js";

// Each panel's channels are subscribed in their own request, so a channel type this gateway does not
// serve (an error reply) does not take the other panels' channels down with it.
const groups = new Set();
const handlers = []; // [predicate(channel), fn(msg)]
let ws;
let nextId = 1;
let backoffMs = 500;

function send(msg) {
  if (ws && ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(msg));
}

export function subscribe(list) {
  groups.add(list);
  send({ op: "subscribe", channels: list, id: nextId++ });
}

export function unsubscribe(list) {
  for (const g of [...groups]) {
    const left = g.filter((c) => !list.includes(c));
    groups.delete(g);
    if (left.length) groups.add(left);
  }
  send({ op: "unsubscribe", channels: list, id: nextId++ });
}

export function on(predicate, fn) {
  handlers.push([predicate, fn]);
}

function setConn(text, cls) {
  // Neutral wording: this is the page's link to the gateway, not a claim about where data comes from.
  $("conn").textContent = text;
  $("conn").className = `conn ${cls}`;
}

export function connect() {
  const proto = location.protocol === "https:" ? "wss" : "ws";
  const key = apiKey();
  ws = new WebSocket(`${proto}://${location.host}/ws${key ? `?api_key=${encodeURIComponent(key)}` : ""}`);
  ws.onopen = () => {
    backoffMs = 500;
    setConn("gateway: connected", "up");
    for (const g of groups) send({ op: "subscribe", channels: g, id: nextId++ });
  };
  ws.onmessage = (ev) => {
    const msg = JSON.parse(ev.data);
    if (msg.channel) {
      for (const [match, fn] of handlers) if (match(msg.channel)) fn(msg);
    } else if (msg.type === "error") {
      console.warn("gateway error", msg);
    }
  };
  ws.onclose = (ev) => {
    setConn(`gateway: disconnected${ev.reason ? ` (${ev.reason})` : ""} — retrying`, "down");
    setTimeout(connect, backoffMs);
    backoffMs = Math.min(backoffMs * 2, 10_000);
  };
}
