// Where the data comes from (header and banner, without contradiction) and system status:
// exchange connections, lag, message rates and open gaps.
import { $, cell, dataOf, el, fmt, fmtAge, getJson } from "./format.js";

let exchanges = [];

/** Header: one badge per ingested exchange saying its source; the banner when any is simulated. */
function renderSources() {
  const active = exchanges.filter((e) => e.source !== "unknown");
  const box = $("sources");
  box.replaceChildren(
    ...(active.length
      ? active.map((e) =>
          el(
            "span",
            { class: `source ${e.source}`, title: e.sourceUrl ?? "" },
            `${e.id}: ${e.source === "simulated" ? "SIMULATED" : e.source}`,
          ),
        )
      : [el("span", { class: "source unknown" }, "no exchange ingested")]),
  );
  const simulated = active.filter((e) => e.simulated);
  $("simulated-banner").hidden = simulated.length === 0;
  const live = active.filter((e) => e.source === "live");
  $("simulated-notice").textContent = simulated.length
    ? `${simulated.map((e) => e.name).join(", ")}: prices come from the exchange simulator, not the real exchange.` +
      (live.length ? ` Real data: ${live.map((e) => e.name).join(", ")}.` : "")
    : "";
}

function renderStatus(status, ready, health) {
  // /api/v1/status: each exchange's connection state, lag and message rate (from the ingestors).
  const byId = new Map((status?.exchanges ?? []).map((e) => [e.id, e]));
  const body = $("status-table").tBodies[0];
  body.replaceChildren();
  for (const e of exchanges) {
    if (e.source === "unknown" && !byId.has(e.id)) continue;
    const s = byId.get(e.id) ?? {};
    const row = el("tr");
    row.dataset.exchange = e.id;
    cell(row, e.id);
    cell(
      row,
      e.source === "simulated" ? "SIMULATED" : e.source,
      e.source === "live" ? "up" : e.source === "simulated" ? "sim-text" : "",
    );
    const state = s.state ?? "–";
    cell(row, state, state === "connected" ? "up" : state === "–" || state === "unknown" ? "" : "down");
    cell(row, fmtAge(s.lagMs));
    cell(row, fmt(s.messagesPerSecond, 1));
    body.appendChild(row);
  }
  // /health summarises services as {name: {status, instances}}; its overall status covers dependencies.
  const services =
    health?.services && typeof health.services === "object" ? Object.entries(health.services) : [];
  const names = services.map(
    ([name, v]) => `${name}: ${v?.status ?? "?"}${v?.instances > 1 ? ` ×${v.instances}` : ""}`,
  );
  $("status-summary").textContent =
    `gateway ${ready ? "ready" : "NOT ready"}${health?.status ? ` · platform ${health.status}` : ""}${names.length ? ` · ${names.join(" · ")}` : ""}`;
}

function renderGaps(gaps) {
  const box = $("gaps");
  box.replaceChildren();
  if (gaps === null || gaps === undefined) return;
  if (!Array.isArray(gaps) && Array.isArray(gaps.byExchange)) {
    // /api/v1/status: gap events per exchange over a window
    const hours = Math.round((gaps.windowMs ?? 86_400_000) / 3_600_000);
    box.appendChild(
      el("div", { class: gaps.total ? "down" : "muted" }, `gap events in ${hours} h: ${gaps.total ?? 0}`),
    );
    const ul = el("ul");
    for (const g of gaps.byExchange)
      ul.appendChild(el("li", {}, `${g.exchange}: ${g.gaps}${g.open ? ` (open ${g.open})` : ""}`));
    box.appendChild(ul);
    return;
  }
  // /api/v1/gaps: each gap with the state of its heal (pending, healing, healed, unhealable, failed)
  const list = Array.isArray(gaps) ? gaps : [];
  const open = list.filter((g) => OPEN_GAP_STATES.has(g.state));
  box.appendChild(
    el(
      "div",
      { class: open.length ? "down" : "muted" },
      `gaps: ${list.length} recent · open ${open.length}${list.length ? ` · healed ${list.filter((g) => g.state === "healed").length} · unhealable ${list.filter((g) => g.state === "unhealable").length}` : ""}`,
    ),
  );
  const ul = el("ul");
  for (const g of list.slice(0, 10)) {
    const when = g.from ? `${g.from.slice(11, 19)}–${(g.to ?? "").slice(11, 19)}` : "";
    const rows = g.rowsWritten ? ` (${g.rowsWritten} rows)` : "";
    const reason = g.reason ? `: ${g.reason}` : "";
    ul.appendChild(
      el(
        "li",
        { class: OPEN_GAP_STATES.has(g.state) ? "down" : "muted", title: g.detail ?? "" },
        `${g.exchange ?? ""} ${g.market ?? ""} ${when} ${g.state ?? "?"}${rows}${reason}`,
      ),
    );
  }
  box.appendChild(ul);
}

/** Gaps whose data is still missing and may yet be fetched. */
const OPEN_GAP_STATES = new Set(["pending", "healing", "failed"]);

export async function refreshStatus() {
  try {
    const body = await getJson("/api/v1/exchanges");
    exchanges = body?.data ?? [];
    renderSources();
  } catch (err) {
    console.warn("cannot load exchanges", err);
  }
  const [status, ready, health, gaps] = await Promise.all([
    getJson("/api/v1/status").catch(() => null),
    fetch("/health/ready").then(
      (r) => r.ok,
      () => false,
    ),
    // 503 still carries the body (status "down" with the failing dependency).
    fetch("/health").then(
      (r) => r.json(),
      () => null,
    ),
    getJson("/api/v1/gaps").catch(() => null),
  ]);
  renderStatus(status ? dataOf(status) : null, ready, health);
  renderGaps(gaps !== null ? dataOf(gaps) : (status?.gaps ?? null));
}

export function initStatus() {
  refreshStatus();
  setInterval(refreshStatus, 5_000);
}
