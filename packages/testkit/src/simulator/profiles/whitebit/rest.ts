import { type Interval, isInterval } from "../../core/intervals.ts";
import type { MarketGenerator } from "../../market/generator.ts";
import type { SimTrade } from "../../market/types.ts";
import type { GroundTruth } from "../../truth/ground-truth.ts";
import type { HttpReply, RestRoute } from "../types.ts";
import { amount, levelsJson, money, price, seconds } from "./payloads.ts";
import type { SymbolMap } from "./symbols.ts";

/**
 * WhiteBIT public REST on whitebit.com: v4 markets, recent trades and order book; v1 kline and trade
 * history. Costs mirror the per-endpoint limits in one budget of 2000 per 10 s: v1 calls 2
 * (1000/10 s), the order book 4 (600/10 s), the rest 1.
 */

export interface RestDeps {
  generator: MarketGenerator;
  truth: GroundTruth;
  symbols: SymbolMap;
}

/** An answer decided before the call runs: the weight is charged either way. */
function route(weight: number, run: () => HttpReply): RestRoute {
  return { weight, run };
}

const ok = (body: unknown): HttpReply => ({ status: 200, body });
/** v4 market endpoints refuse with a flat field-keyed body. */
const notAvailable = (): HttpReply => ({ status: 422, body: { market: ["Market is not available."] } });
/** v1 endpoints refuse inside their envelope. */
const v1Error = (message: string): HttpReply => ({
  status: 422,
  body: { success: false, message, params: [] },
});

function int(q: URLSearchParams, name: string): number | undefined | null {
  const v = q.get(name);
  if (v === null || v === "") return undefined;
  return /^-?[0-9]{1,15}$/.test(v) ? Number(v) : null;
}

/** The REST intervals (no 1s). */
const KLINE_INTERVALS = new Set<string>([
  "1m",
  "3m",
  "5m",
  "15m",
  "30m",
  "1h",
  "2h",
  "4h",
  "6h",
  "8h",
  "12h",
  "1d",
  "3d",
  "1w",
  "1M",
]);

/** Without start/end WhiteBIT returns a day of minute candles, a week of hours, a month of days and weeks, a year of months. */
function defaultWindowMs(interval: Interval): number {
  const day = 86_400_000;
  if (interval.endsWith("m")) return day;
  if (interval.endsWith("h")) return 7 * day;
  if (interval === "1M") return 365 * day;
  return 31 * day;
}

function marketInfo(market: string, d: RestDeps): Record<string, unknown> {
  const s = d.symbols.spec(market);
  return {
    name: d.symbols.symbol(market),
    stock: s.base,
    money: s.quote,
    stockPrec: String(s.qtyDecimals),
    moneyPrec: String(s.priceDecimals),
    feePrec: "4",
    makerFee: "0.1",
    takerFee: "0.1",
    minAmount: amount(s, s.stepSize),
    minTotal: String(s.minNotional),
    maxTotal: "10000000000",
    tradesEnabled: true,
    isCollateral: false,
    type: s.kind === "perp" ? "futures" : "spot",
    isTradFiFutures: false,
    delistedAt: null,
    tickSize: price(s, s.tickSize),
    stepSize: amount(s, s.stepSize),
  };
}

function v4Trade(market: string, t: SimTrade, d: RestDeps): Record<string, unknown> {
  const s = d.symbols.spec(market);
  // WhiteBIT's reversed naming: quote_volume is the base amount, base_volume the quote amount
  return {
    tradeID: t.id,
    price: price(s, t.price),
    quote_volume: amount(s, t.amount),
    base_volume: money(s, t.price * t.amount),
    trade_timestamp: Math.floor(t.ts / 1000),
    type: t.side,
    rpi: false,
  };
}

function v1Trade(market: string, t: SimTrade, d: RestDeps): Record<string, unknown> {
  const s = d.symbols.spec(market);
  return {
    id: t.id,
    time: seconds(t.ts),
    price: price(s, t.price),
    amount: amount(s, t.amount),
    type: t.side,
  };
}

function pathMarket(path: string, prefix: string, d: RestDeps): string | undefined {
  return d.symbols.market(decodeURIComponent(path.slice(prefix.length)));
}

const TRADES = "/api/v4/public/trades/";
const ORDERBOOK = "/api/v4/public/orderbook/";

export const REST_PATHS = [
  "/api/v4/public/markets",
  "/api/v4/public/ping",
  "/api/v4/public/time",
  `${TRADES}{market}`,
  `${ORDERBOOK}{market}`,
  "/api/v1/public/kline",
  "/api/v1/public/history",
];

export function matchRest(method: string, url: URL, d: RestDeps): RestRoute | undefined {
  if (method !== "GET" && method !== "HEAD") return undefined;
  const path = url.pathname;
  const q = url.searchParams;
  switch (path) {
    case "/api/v4/public/markets":
      return route(1, () => ok(d.symbols.markets().map((m) => marketInfo(m, d))));
    case "/api/v4/public/ping":
      return route(1, () => ok(["pong"]));
    case "/api/v4/public/time":
      return route(1, () => ok({ time: Math.floor(Date.now() / 1000) }));
    case "/api/v1/public/kline":
      return route(2, () => kline(q, d));
    case "/api/v1/public/history":
      return route(2, () => history(q, d));
  }
  if (path.startsWith(TRADES)) {
    return route(1, () => {
      const m = pathMarket(path, TRADES, d);
      if (!m) return notAvailable();
      const type = q.get("type");
      if (type !== null && type !== "buy" && type !== "sell")
        return { status: 422, body: { type: ["Type should be 'sell' or 'buy'."] } };
      const recent = d.truth.recentTrades(m, 100).reverse();
      return ok(recent.filter((t) => type === null || t.side === type).map((t) => v4Trade(m, t, d)));
    });
  }
  if (path.startsWith(ORDERBOOK) && !path.startsWith(`${ORDERBOOK}depth/`)) {
    return route(4, () => {
      const m = pathMarket(path, ORDERBOOK, d);
      if (!m) return notAvailable();
      const limit = int(q, "limit");
      if (limit === null) return { status: 422, body: { limit: ["The limit must be an integer."] } };
      const n = limit === undefined || limit <= 0 ? 100 : Math.min(limit, 100);
      const s = d.symbols.spec(m);
      const snap = d.generator.book(m).snapshot(n);
      // built as a string: levels keep the exchange's decimal strings
      const body = `{"ticker_id":"${d.symbols.symbol(m)}","timestamp":${Math.floor(Date.now() / 1000)},"asks":${levelsJson(s, snap.asks)},"bids":${levelsJson(s, snap.bids)}}`;
      return ok(body);
    });
  }
  return undefined;
}

/** GET /api/v1/public/kline?market&interval&start&end&limit: candles whose open time is in [start, end]. */
function kline(q: URLSearchParams, d: RestDeps): HttpReply {
  const m = d.symbols.market(q.get("market") ?? "");
  if (!m) return v1Error("Market is not available.");
  const interval = q.get("interval") ?? "1h";
  if (!KLINE_INTERVALS.has(interval) || !isInterval(interval)) return v1Error("Invalid interval.");
  const start = int(q, "start");
  const end = int(q, "end");
  const limit = int(q, "limit");
  if (start === null || end === null || limit === null) return v1Error("Invalid parameters.");
  if (limit !== undefined && (limit < 1 || limit > 1440)) return v1Error("Limit must be between 1 and 1440.");
  if (start !== undefined && end !== undefined && start > end)
    return v1Error("Start cannot be greater than end.");
  const n = limit ?? 1440;
  const now = Date.now();
  const to = end !== undefined ? end * 1000 : now;
  const from = start !== undefined ? start * 1000 : undefined;
  let candles = d.truth.candles(
    m,
    interval,
    from !== undefined ? { from, to, limit: n } : { to, limit: n },
    now,
  );
  if (from === undefined) candles = candles.filter((c) => c.openTime >= to - defaultWindowMs(interval));
  const s = d.symbols.spec(m);
  return ok({
    success: true,
    message: "",
    result: candles.map((c) => [
      Math.floor(c.openTime / 1000),
      price(s, c.open),
      price(s, c.close),
      price(s, c.high),
      price(s, c.low),
      amount(s, c.volume),
      money(s, c.quoteVolume),
    ]),
  });
}

/**
 * GET /api/v1/public/history?market&lastId&limit: the newest `limit` trades with an id above
 * lastId, newest first (how WhiteBIT's engine lists deals).
 */
function history(q: URLSearchParams, d: RestDeps): HttpReply {
  const m = d.symbols.market(q.get("market") ?? "");
  if (!m) return v1Error("Market is not available.");
  const lastId = int(q, "lastId");
  if (lastId === undefined || lastId === null || lastId < 0) return v1Error("The last id field is required.");
  const limit = int(q, "limit");
  if (limit === null || (limit !== undefined && limit < 1)) return v1Error("Invalid limit.");
  const n = Math.min(limit ?? 50, 100);
  const newest = d.truth.trades(m, { fromId: Math.max(lastId + 1, d.truth.count(m) - n + 1) });
  return ok({ success: true, message: "", result: newest.reverse().map((t) => v1Trade(m, t, d)) });
}
