// One portfolio valued live: REST for the list and the first value, then portfolio:<id> updates.
import { $, cell, dataOf, el, fmt, fmtTime, getJson, kv } from "./format.js";
import { on, subscribe, unsubscribe } from "./socket.js";

let current = null; // id
let state = null;

const num = (v) => (typeof v === "number" && Number.isFinite(v) ? v : undefined);

function render() {
  const box = $("portfolio");
  box.replaceChildren();
  if (!state) {
    box.appendChild(el("span", { class: "muted" }, "No portfolio."));
    return;
  }
  const value = kv(box, "value", fmt(num(state.value)), "big");
  value.id = "portfolio-value";
  const pnl = num(state.pnl);
  const pnlPct = num(state.pnlPct);
  kv(
    box,
    "P&L",
    `${fmt(pnl)}${pnlPct !== undefined ? ` (${fmt(pnlPct, 2)}%)` : ""}`,
    pnl === undefined ? "" : pnl >= 0 ? "up" : "down",
  );
  const change = num(state.change24hPct);
  if (change !== undefined) kv(box, "24h", `${fmt(change, 2)}%`, change >= 0 ? "up" : "down");
  if (state.ts) kv(box, "at", fmtTime(state.ts));
  if (Array.isArray(state.unpriced) && state.unpriced.length)
    kv(box, "no live price", state.unpriced.join(", "), "down");
  if (state.simulated) box.appendChild(el("span", { class: "sim" }, "SIMULATED PRICES"));
  const holdings = Array.isArray(state.holdings) ? state.holdings : [];
  if (holdings.length === 0) return;
  const table = el("table", { id: "portfolio-holdings" });
  const head = el("tr");
  for (const h of ["asset", "qty", "price", "value", "alloc"]) head.appendChild(el("th", {}, h));
  table.appendChild(el("thead")).appendChild(head);
  const body = table.appendChild(el("tbody"));
  for (const h of holdings) {
    const row = el("tr");
    cell(row, String(h.asset));
    cell(row, fmt(num(h.quantity)));
    cell(row, fmt(num(h.price)));
    cell(row, fmt(num(h.value)));
    const a = num(h.allocationPct);
    cell(row, a === undefined ? "–" : `${fmt(a, 1)}%`);
    body.appendChild(row);
  }
  box.appendChild(table);
}

async function show(id) {
  if (current) unsubscribe([`portfolio:${current}`]);
  current = id;
  state = null;
  if (!id) return render();
  subscribe([`portfolio:${id}`]);
  try {
    state = dataOf(await getJson(`/api/v1/portfolios/${encodeURIComponent(id)}`));
  } catch (err) {
    console.warn("portfolio", err);
  }
  render();
}

/** Refreshes the list of portfolios; keeps the chosen one (or ?portfolio=, or the first). */
export async function loadPortfolios() {
  let list = [];
  try {
    list = dataOf(await getJson("/api/v1/portfolios")) ?? [];
  } catch (err) {
    console.warn("portfolios", err);
  }
  const select = $("portfolio-select");
  const wanted = current ?? new URLSearchParams(location.search).get("portfolio") ?? list[0]?.id ?? null;
  select.replaceChildren(
    ...list.map((p) => el("option", { value: p.id }, p.name ? `${p.name} (${p.id})` : p.id)),
  );
  select.hidden = list.length === 0;
  if (wanted && list.some((p) => p.id === wanted)) {
    select.value = wanted;
    if (wanted !== current) await show(wanted);
  } else if (!current) render();
}

on(
  (c) => c === `portfolio:${current}`,
  (msg) => {
    state = { ...(state ?? {}), ...msg.data };
    render();
  },
);

export function initPortfolio() {
  $("portfolio-select").addEventListener("change", (ev) => show(ev.target.value));
  loadPortfolios();
  setInterval(loadPortfolios, 15_000);
}
