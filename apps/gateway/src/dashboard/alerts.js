// Alerts firing live on alert:*:*, newest first.
import { $, el, fmt, fmtTime } from "./format.js";
import { on, subscribe } from "./socket.js";

const MAX = 50;

function onFiring(msg) {
  const f = msg.data ?? {};
  const [, exchange, market] = msg.channel.split(":");
  const item = el("li", { class: "alert-firing" });
  item.appendChild(el("span", { class: "muted" }, fmtTime(f.ts ?? Date.now())));
  item.appendChild(el("strong", {}, ` ${f.exchange ?? exchange} ${f.market ?? market} `));
  item.appendChild(el("span", { class: "kind" }, String(f.kind ?? "alert")));
  const value = typeof f.value === "number" ? ` ${fmt(f.value)}` : "";
  const threshold = typeof f.threshold === "number" ? ` (threshold ${fmt(f.threshold)})` : "";
  item.appendChild(el("span", {}, `${value}${threshold}`));
  if (f.simulated) item.appendChild(el("span", { class: "sim" }, "SIMULATED"));
  if (f.detail) item.title = f.detail;
  if (f.alertId) item.dataset.alert = String(f.alertId);
  const list = $("alerts");
  list.insertBefore(item, list.firstChild);
  while (list.children.length > MAX) list.lastChild.remove();
  $("alerts-empty").hidden = true;
}

export function initAlerts() {
  on((c) => c.startsWith("alert:"), onFiring);
  subscribe(["alert:*:*"]);
}
