import { isInterval } from "../core/intervals.ts";
import type { Side } from "../market/types.ts";
import { BOOK_FAULTS, type BookFault, isBookFault } from "../profiles/book-faults.ts";
import type { GroundTruth } from "../truth/ground-truth.ts";

/** What the HTTP control API can do to a simulator (implemented by ExchangeSimulator). */
export interface SimControl {
  readonly truth: GroundTruth;
  info(): Record<string, unknown>;
  stats(): Record<string, unknown>;
  dropConnections(): number;
  stall(ms: number, options?: { silent?: boolean }): void;
  sendMalformed(
    count: number,
    kind?: "mixed" | "truncated" | "gzip-corrupt",
  ): { connections: number; frames: number };
  reject429(count: number, retryAfterSec?: number): void;
  rejectRest(count: number, status: 429 | 418 | 403, retryAfterSec?: number): void;
  delayRest(count: number, ms: number, path?: string): void;
  pause(): void;
  resume(): void;
  setTradesPerSecond(n: number): void;
  generate(
    market: string,
    count: number,
  ): Array<{ id: number; price: number; amount: number; side: Side; ts: number }>;
  skipBookUpdates(market: string, count: number): void;
  injectBookFault(market: string, fault: BookFault): void;
}

class BadRequest extends Error {}

function num(q: URLSearchParams, name: string, def?: number): number {
  const v = q.get(name);
  if (v === null || v === "") {
    if (def === undefined) throw new BadRequest(`missing parameter ${name}`);
    return def;
  }
  const n = Number(v);
  if (!Number.isFinite(n)) throw new BadRequest(`parameter ${name} must be a number`);
  return n;
}

function optNum(q: URLSearchParams, name: string): number | undefined {
  return q.get(name) === null ? undefined : num(q, name);
}

function market(q: URLSearchParams, sim: SimControl): string {
  const m = q.get("market");
  if (!m) throw new BadRequest("missing parameter market");
  if (!sim.truth.markets.includes(m)) throw new BadRequest(`unknown market ${m}`);
  return m;
}

function window(q: URLSearchParams): { from?: number; to?: number; limit?: number } {
  const from = optNum(q, "from");
  const to = optNum(q, "to");
  const limit = optNum(q, "limit");
  return {
    ...(from !== undefined ? { from } : {}),
    ...(to !== undefined ? { to } : {}),
    ...(limit !== undefined ? { limit } : {}),
  };
}

type Route = (q: URLSearchParams, sim: SimControl) => unknown;

const ROUTES: Record<string, Route> = {
  "/_sim/info": (_q, sim) => sim.info(),
  "/_sim/stats": (_q, sim) => sim.stats(),
  "/_sim/drop": (_q, sim) => ({ dropped: sim.dropConnections() }),
  "/_sim/stall": (q, sim) => {
    const ms = num(q, "ms");
    const silent = q.get("silent") === "1" || q.get("silent") === "true";
    sim.stall(ms, { silent });
    return { stalledForMs: ms, silent };
  },
  "/_sim/malformed": (q, sim) => {
    const kind = q.get("kind") ?? "mixed";
    if (kind !== "mixed" && kind !== "truncated" && kind !== "gzip-corrupt")
      throw new BadRequest("kind must be one of mixed, truncated, gzip-corrupt");
    return sim.sendMalformed(num(q, "count", 1), kind);
  },
  "/_sim/429": (q, sim) => {
    const count = num(q, "count", 1);
    const status = num(q, "status", 429);
    if (status !== 429 && status !== 418 && status !== 403)
      throw new BadRequest("status must be one of 429, 418, 403");
    sim.rejectRest(count, status, num(q, "retryAfter", 1));
    return { pending429: count, status };
  },
  "/_sim/rest-delay": (q, sim) => {
    const count = num(q, "count", 1);
    const ms = num(q, "ms");
    const path = q.get("path") ?? undefined;
    sim.delayRest(count, ms, path);
    return { delayed: count, ms, ...(path ? { path } : {}) };
  },
  "/_sim/pause": (_q, sim) => {
    sim.pause();
    return { paused: true };
  },
  "/_sim/resume": (_q, sim) => {
    sim.resume();
    return { paused: false };
  },
  "/_sim/rate": (q, sim) => {
    const n = num(q, "tradesPerSecond");
    sim.setTradesPerSecond(n);
    return { tradesPerSecond: n };
  },
  "/_sim/generate": (q, sim) => ({ trades: sim.generate(market(q, sim), num(q, "count", 1)) }),
  "/_sim/skip-book": (q, sim) => {
    const m = market(q, sim);
    const count = num(q, "count", 1);
    sim.skipBookUpdates(m, count);
    return { market: m, skipped: count };
  },
  "/_sim/book-fault": (q, sim) => {
    const m = market(q, sim);
    const fault = q.get("fault") ?? "";
    if (!isBookFault(fault)) throw new BadRequest(`fault must be one of ${BOOK_FAULTS.join(", ")}`);
    sim.injectBookFault(m, fault);
    return { market: m, fault };
  },
  "/_sim/truth/counts": (_q, sim) => sim.truth.counts(),
  "/_sim/truth/trades": (q, sim) => {
    const fromId = optNum(q, "fromId");
    return sim.truth.trades(market(q, sim), { ...window(q), ...(fromId !== undefined ? { fromId } : {}) });
  },
  "/_sim/truth/ticker": (q, sim) => sim.truth.ticker(market(q, sim)),
  "/_sim/truth/bbo": (q, sim) => sim.truth.bbo(market(q, sim)),
  "/_sim/truth/candles": (q, sim) => {
    const interval = q.get("interval") ?? "1m";
    if (!isInterval(interval)) throw new BadRequest(`unknown interval ${interval}`);
    return sim.truth.candles(market(q, sim), interval, window(q));
  },
};
ROUTES["/_sim/reject"] = ROUTES["/_sim/429"]!;

export const CONTROL_PATHS = Object.keys(ROUTES);

/** `/_sim/*`: drive the simulator from tests in other processes. GET and POST both work. */
export function handleControl(url: URL, sim: SimControl): { status: number; body: unknown } {
  const route = ROUTES[url.pathname];
  if (!route) {
    return {
      status: 404,
      body: {
        error: { code: "not_found", message: `unknown control path; try ${CONTROL_PATHS.join(", ")}` },
      },
    };
  }
  try {
    return { status: 200, body: route(url.searchParams, sim) };
  } catch (e) {
    if (e instanceof BadRequest)
      return { status: 400, body: { error: { code: "bad_request", message: e.message } } };
    throw e;
  }
}
