import { type Interval, intervalOpen, nextIntervalOpen } from "../../core/intervals.ts";
import type { MarketGenerator } from "../../market/generator.ts";
import type { SimTrade } from "../../market/types.ts";
import type { GroundTruth } from "../../truth/ground-truth.ts";
import type { HttpReply, RestRoute } from "../types.ts";
import { candleRow, type Wire } from "./payloads.ts";
import type { InstMap } from "./symbols.ts";
import { dec } from "./wire.ts";

/**
 * OKX v5 public REST: `{"code":"0","msg":"","data":[...]}`, newest rows first, `after` = older
 * than, `before` = newer than (alone: the newest page above it). Every endpoint has its own
 * limit per 2 s; the server's single weight window models them as one budget of 40 per 2 s in
 * which a call costs 40 / its endpoint's limit (the adapter's model too).
 */

export interface RestDeps {
  generator: MarketGenerator;
  truth: GroundTruth;
  insts: InstMap;
  wire(market: string): Wire;
}

/** An OKX error answer: HTTP status plus OKX's code and message. */
export class OkxRestError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }

  reply(): HttpReply {
    return { status: this.status, body: { code: this.code, msg: this.message, data: [] } };
  }
}

const BARS: Readonly<Record<string, Interval>> = {
  "1s": "1s",
  "1m": "1m",
  "3m": "3m",
  "5m": "5m",
  "15m": "15m",
  "30m": "30m",
  "1H": "1h",
  "2H": "2h",
  "4H": "4h",
  "6Hutc": "6h",
  "12Hutc": "12h",
  "1Dutc": "1d",
  "3Dutc": "3d",
  "1Wutc": "1w",
  "1Mutc": "1M",
};

/** The recent candles endpoint serves only the newest 1440 bars. */
const RECENT_BARS = 1440;

function route(weight: number, fn: () => unknown[]): RestRoute {
  return {
    weight,
    run(): HttpReply {
      try {
        return { status: 200, body: { code: "0", msg: "", data: fn() } };
      } catch (e) {
        if (e instanceof OkxRestError) return e.reply();
        throw e;
      }
    },
  };
}

function instOf(q: URLSearchParams, d: RestDeps): string {
  const instId = q.get("instId");
  if (instId === null || instId === "")
    throw new OkxRestError(400, "50014", "Parameter instId can not be empty.");
  const m = d.insts.market(instId);
  if (m === undefined) throw new OkxRestError(200, "51001", "Instrument ID does not exist.");
  return m;
}

function intParam(q: URLSearchParams, name: string): number | undefined {
  const v = q.get(name);
  if (v === null || v === "") return undefined;
  if (!/^[0-9]{1,20}$/.test(v)) throw new OkxRestError(400, "51000", `Parameter ${name} error`);
  return Number(v);
}

function limitParam(q: URLSearchParams, def: number, max: number): number {
  const v = intParam(q, "limit");
  if (v === undefined) return def;
  if (v < 1) throw new OkxRestError(400, "51000", "Parameter limit error");
  return Math.min(v, max);
}

function instrument(market: string, d: RestDeps): Record<string, string> {
  const s = d.generator.spec(market);
  const w = d.wire(market);
  const swap = s.kind === "perp";
  const pair = `${s.base}-${s.quote}`;
  return {
    instType: swap ? "SWAP" : "SPOT",
    instId: w.instId,
    uly: swap ? pair : "",
    instFamily: swap ? pair : "",
    baseCcy: swap ? "" : s.base,
    quoteCcy: swap ? "" : s.quote,
    settleCcy: swap ? s.quote : "",
    ctVal: swap ? "1" : "",
    ctMult: swap ? "1" : "",
    ctValCcy: swap ? s.base : "",
    ctType: swap ? "linear" : "",
    listTime: String(d.generator.startTime),
    expTime: "",
    lever: swap ? "100" : "10",
    tickSz: dec(s.tickSize, 10),
    lotSz: dec(s.stepSize, 10),
    minSz: dec(s.stepSize, 10),
    state: "live",
    ruleType: "normal",
  };
}

function candles(q: URLSearchParams, d: RestDeps, max: number, recentOnly: boolean): string[][] {
  const m = instOf(q, d);
  const bar = q.get("bar") ?? "1m";
  const interval = BARS[bar];
  if (!interval) throw new OkxRestError(400, "51000", "Parameter bar error");
  const after = intParam(q, "after");
  const before = intParam(q, "before");
  const limit = limitParam(q, 100, max);
  const now = Date.now();
  let from = before !== undefined ? before + 1 : undefined;
  if (recentOnly && interval !== "1M") {
    const open = intervalOpen(interval, now);
    const floor = open - (RECENT_BARS - 1) * (nextIntervalOpen(interval, open) - open);
    from = Math.max(from ?? floor, floor);
  }
  const rows = d.truth.candles(
    m,
    interval,
    {
      ...(from !== undefined ? { from } : {}),
      ...(after !== undefined ? { to: after - 1 } : {}),
    },
    now,
  );
  const w = d.wire(m);
  return rows
    .slice(Math.max(0, rows.length - limit))
    .reverse()
    .map((c) => candleRow(w, c));
}

function tradeRow(w: Wire, t: SimTrade): Record<string, string> {
  return {
    instId: w.instId,
    side: t.side,
    sz: dec(t.amount, w.qtyDecimals),
    px: dec(t.price, w.priceDecimals),
    source: "0",
    tradeId: String(t.id),
    ts: String(t.ts),
  };
}

/** history-trades: type 1 pages by trade id (after/before), type 2 by time (after only; before is an id). */
function historyTrades(q: URLSearchParams, d: RestDeps): Record<string, string>[] {
  const m = instOf(q, d);
  const type = q.get("type") ?? "1";
  if (type !== "1" && type !== "2") throw new OkxRestError(400, "51000", "Parameter type error");
  const after = intParam(q, "after");
  const before = intParam(q, "before");
  const limit = limitParam(q, 100, 100);
  const tape = d.truth.tape(m);
  // trade id = tape index + 1: work in indexes [lo, hi)
  let lo = before !== undefined ? before : 0;
  let hi = tape.length;
  if (after !== undefined) hi = Math.min(hi, type === "1" ? after - 1 : tape.lowerBound(after));
  lo = Math.max(lo, hi - limit);
  const w = d.wire(m);
  return tape
    .slice(lo, hi)
    .reverse()
    .map((t) => tradeRow(w, t));
}

type Handler = (q: URLSearchParams, d: RestDeps) => RestRoute;

const ROUTES: Record<string, Handler> = {
  "/api/v5/public/time": () => route(1, () => [{ ts: String(Date.now()) }]),
  "/api/v5/public/instruments": (q, d) =>
    route(2, () => {
      const type = q.get("instType");
      if (!type) throw new OkxRestError(400, "50014", "Parameter instType can not be empty.");
      if (!["SPOT", "MARGIN", "SWAP", "FUTURES", "OPTION"].includes(type))
        throw new OkxRestError(400, "51000", "Parameter instType error");
      const instId = q.get("instId");
      return d.generator.markets
        .filter((m) => (d.generator.spec(m).kind === "perp" ? type === "SWAP" : type === "SPOT"))
        .filter((m) => instId === null || d.wire(m).instId === instId)
        .map((m) => instrument(m, d));
    }),
  "/api/v5/market/candles": (q, d) => route(1, () => candles(q, d, 300, true)),
  "/api/v5/market/history-candles": (q, d) => route(2, () => candles(q, d, 100, false)),
  "/api/v5/market/trades": (q, d) =>
    route(1, () => {
      const m = instOf(q, d);
      const w = d.wire(m);
      return d.truth
        .recentTrades(m, limitParam(q, 100, 500))
        .reverse()
        .map((t) => tradeRow(w, t));
    }),
  "/api/v5/market/history-trades": (q, d) => route(2, () => historyTrades(q, d)),
  "/api/v5/market/books": (q, d) =>
    route(1, () => {
      const m = instOf(q, d);
      const size =
        q.get("sz") === null ? 1 : limitParam(new URLSearchParams({ limit: q.get("sz")! }), 1, 400);
      const w = d.wire(m);
      const s = d.generator.book(m).snapshot(size);
      const lv = (ls: readonly [number, number][]) =>
        ls.map(([p, a]) => [dec(p, w.priceDecimals), dec(a, w.qtyDecimals), "0", "1"]);
      return [{ asks: lv(s.asks), bids: lv(s.bids), ts: String(Date.now()) }];
    }),
};

export const REST_PATHS = Object.keys(ROUTES);

export function matchRest(method: string, url: URL, deps: RestDeps): RestRoute | undefined {
  if (method !== "GET" && method !== "HEAD") return undefined;
  const handler = ROUTES[url.pathname];
  return handler ? handler(url.searchParams, deps) : undefined;
}
