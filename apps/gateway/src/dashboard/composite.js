// Composite price and cross-exchange spread of one asset: REST first, then the composite:/spread: channels.
import { $, dataOf, el, fmt, fmtTime, getJson, kv } from "./format.js";
import { on, subscribe, unsubscribe } from "./socket.js";

let asset = null;

const num = (v) => (typeof v === "number" && Number.isFinite(v) ? v : undefined);

function venue(v) {
  if (!v || typeof v !== "object") return fmt(num(v));
  const where = [v.exchange, v.market].filter(Boolean).join(" ");
  return `${fmt(num(v.price))}${where ? ` @ ${where}` : ""}`;
}

function renderComposite(c) {
  const box = $("composite");
  box.replaceChildren();
  if (!c) {
    box.appendChild(el("span", { class: "muted" }, `no composite price for ${asset} yet`));
    return;
  }
  const price = kv(box, `${c.asset ?? asset} composite`, fmt(num(c.price)), "big");
  price.id = "composite-price";
  if (typeof c.changePct24h === "number")
    kv(box, "24h", `${fmt(c.changePct24h, 2)}%`, c.changePct24h >= 0 ? "up" : "down");
  if (c.method) kv(box, "method", String(c.method).replace("_", " "));
  const sources = Array.isArray(c.sources) ? c.sources : [];
  kv(box, "sources", sources.length ? "" : "none");
  const list = el("ul", { class: "sources-list", id: "composite-sources" });
  for (const s of sources) {
    const weight = num(s.weight) !== undefined ? ` (${fmt(s.weight * 100, 1)}%)` : "";
    const item = el("li", {}, `${s.exchange ?? ""} ${s.market ?? ""} ${fmt(num(s.price))}${weight}`);
    if (s.simulated) item.appendChild(el("span", { class: "sim" }, "SIMULATED"));
    list.appendChild(item);
  }
  box.appendChild(list);
  const excluded = Array.isArray(c.excluded) ? c.excluded : [];
  if (excluded.length)
    kv(
      box,
      "excluded",
      excluded
        .map((x) => (typeof x === "string" ? x : `${x.exchange ?? ""} ${x.reason ? `(${x.reason})` : ""}`))
        .join(", "),
      "down",
    );
  if (c.ts) kv(box, "at", fmtTime(c.ts));
  if (c.simulated) box.appendChild(el("span", { class: "sim" }, "SIMULATED SOURCES"));
}

function renderSpread(s) {
  const box = $("spread");
  box.replaceChildren();
  if (!s) return;
  const bid = s.bestBid ?? s.bid;
  const ask = s.bestAsk ?? s.ask;
  if (bid !== undefined) kv(box, "best bid", venue(bid), "up");
  if (ask !== undefined) kv(box, "best ask", venue(ask), "down");
  for (const [label, key] of [
    ["spread", "spread"],
    ["spread %", "spreadPct"],
    ["arbitrage gap", "arbitrage"],
    ["arbitrage %", "arbitragePct"],
  ])
    if (num(s[key]) !== undefined) kv(box, label, fmt(s[key]));
}

export async function showAsset(next) {
  if (asset) unsubscribe([`composite:${asset}`, `spread:${asset}`]);
  asset = next.toUpperCase();
  subscribe([`composite:${asset}`, `spread:${asset}`]);
  try {
    const [c, s] = await Promise.all([
      getJson(`/api/v1/composite?asset=${encodeURIComponent(asset)}`).catch(() => null),
      getJson(`/api/v1/spreads?asset=${encodeURIComponent(asset)}`).catch(() => null),
    ]);
    renderComposite(dataOf(c));
    renderSpread(dataOf(s));
  } catch (err) {
    console.warn("composite", err);
  }
}

on(
  (c) => c === `composite:${asset}`,
  (msg) => renderComposite(msg.data),
);
on(
  (c) => c === `spread:${asset}`,
  (msg) => renderSpread(msg.data),
);

export function initComposite() {
  $("asset").addEventListener("change", () => showAsset($("asset").value.trim() || "BTC"));
  showAsset($("asset").value);
}
