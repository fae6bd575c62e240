import type { Interval } from "../../core/intervals.ts";
import type { MarketGenerator } from "../../market/generator.ts";
import type { SimTrade } from "../../market/types.ts";
import type { GroundTruth } from "../../truth/ground-truth.ts";
import type { HttpReply, RestRoute } from "../types.ts";
import { price, qty } from "./format.ts";
import type { KrakenSymbols } from "./symbols.ts";

/**
 * Kraken spot public REST (`/0/public/*`): every body is `{"error":[...],"result":{...}}` with
 * HTTP 200, errors included (`EQuery:Unknown asset pair`, `EGeneral:Invalid arguments`); per-pair
 * results are keyed by the pair's altname. Every call costs one unit of the rate limit.
 */

export interface RestDeps {
  generator: MarketGenerator;
  truth: GroundTruth;
  symbols: KrakenSymbols;
}

const MINUTES_TO_INTERVAL: ReadonlyMap<number, Interval> = new Map([
  [1, "1m"],
  [5, "5m"],
  [15, "15m"],
  [30, "30m"],
  [60, "1h"],
  [240, "4h"],
  [1440, "1d"],
  [10080, "1w"],
]);

class KrakenError extends Error {}

function ok(result: unknown): HttpReply {
  return { status: 200, body: { error: [], result } };
}

function route(fn: () => unknown): RestRoute {
  return {
    weight: 1,
    run(): HttpReply {
      try {
        return ok(fn());
      } catch (e) {
        if (e instanceof KrakenError) return { status: 200, body: { error: [e.message] } };
        throw e;
      }
    },
  };
}

function pairOf(q: URLSearchParams, d: RestDeps): string {
  const pair = q.get("pair");
  if (pair === null || pair === "") throw new KrakenError("EGeneral:Invalid arguments");
  const market = d.symbols.marketOfPair(pair);
  if (market === undefined) throw new KrakenError("EQuery:Unknown asset pair");
  return market;
}

function intParam(q: URLSearchParams, name: string): number | undefined {
  const v = q.get(name);
  if (v === null) return undefined;
  if (!/^\d+$/.test(v)) throw new KrakenError(`EGeneral:Invalid arguments:${name}`);
  return Number(v);
}

/** `since` for Trades: nanoseconds (or seconds, which Kraken also takes) → epoch ms. */
function sinceMs(q: URLSearchParams): number | undefined {
  const v = q.get("since");
  if (v === null) return undefined;
  if (!/^\d+(\.\d+)?$/.test(v)) throw new KrakenError("EGeneral:Invalid arguments:since");
  const n = Number(v);
  return n > 1e15 ? Number(BigInt(v.split(".")[0]!) / 1000n) / 1000 : n * 1000;
}

function tradeRow(t: SimTrade, d: RestDeps, market: string): unknown[] {
  const spec = d.generator.spec(market);
  return [
    price(spec, t.price),
    qty(spec, t.amount),
    t.ts / 1000,
    t.side === "buy" ? "b" : "s",
    "m",
    "",
    t.id,
  ];
}

function assetPair(market: string, d: RestDeps): Record<string, unknown> {
  const n = d.symbols.names(market);
  const s = d.generator.spec(market);
  return {
    altname: n.altname,
    wsname: n.wsname,
    aclass_base: "currency",
    base: n.wsname.split("/")[0],
    aclass_quote: "currency",
    quote: n.wsname.split("/")[1],
    lot: "unit",
    cost_decimals: 8,
    pair_decimals: s.priceDecimals,
    lot_decimals: s.qtyDecimals,
    lot_multiplier: 1,
    ordermin: qty(s, s.stepSize),
    costmin: String(s.minNotional),
    tick_size: price(s, s.tickSize),
    status: "online",
  };
}

const ROUTES: Record<string, (q: URLSearchParams, d: RestDeps) => RestRoute> = {
  "/0/public/Time": () =>
    route(() => {
      const now = Date.now();
      return { unixtime: Math.floor(now / 1000), rfc1123: new Date(now).toUTCString() };
    }),
  "/0/public/SystemStatus": () =>
    route(() => ({ status: "online", timestamp: new Date().toISOString().replace(/\.\d+Z$/, "Z") })),
  "/0/public/AssetPairs": (q, d) =>
    route(() => {
      const wanted = q.get("pair");
      const markets =
        wanted === null
          ? [...d.generator.markets]
          : wanted.split(",").map((p) => {
              const m = d.symbols.marketOfPair(p);
              if (m === undefined) throw new KrakenError("EQuery:Unknown asset pair");
              return m;
            });
      return Object.fromEntries(markets.map((m) => [d.symbols.names(m).altname, assetPair(m, d)]));
    }),
  /** The 720 most recent candles (the last one still open), those after `since` when given. */
  "/0/public/OHLC": (q, d) =>
    route(() => {
      const market = pairOf(q, d);
      const minutes = intParam(q, "interval") ?? 1;
      const interval = MINUTES_TO_INTERVAL.get(minutes);
      if (interval === undefined) throw new KrakenError("EGeneral:Invalid arguments:interval");
      const since = intParam(q, "since");
      const spec = d.generator.spec(market);
      let candles = d.truth.candles(market, interval, { limit: 720 });
      if (since !== undefined) candles = candles.filter((c) => c.openTime / 1000 > since);
      const rows = candles.map((c) => [
        c.openTime / 1000,
        price(spec, c.open),
        price(spec, c.high),
        price(spec, c.low),
        price(spec, c.close),
        (c.volume > 0 ? c.quoteVolume / c.volume : c.close).toFixed(spec.priceDecimals + 2),
        c.volume.toFixed(8),
        c.trades,
      ]);
      const lastClosed = candles.filter((c) => c.closed).at(-1);
      return {
        [d.symbols.names(market).altname]: rows,
        last: lastClosed ? lastClosed.openTime / 1000 : (since ?? 0),
      };
    }),
  /** Up to `count` (≤1000) trades after `since` (ns), oldest first; without since the most recent. */
  "/0/public/Trades": (q, d) =>
    route(() => {
      const market = pairOf(q, d);
      const count = Math.min(1000, Math.max(1, intParam(q, "count") ?? 1000));
      const from = sinceMs(q);
      const trades =
        from === undefined
          ? d.truth.recentTrades(market, count)
          : d.truth
              .trades(market, { from: Math.floor(from) })
              .filter((t) => t.ts > from)
              .slice(0, count);
      const last = trades.at(-1);
      return {
        [d.symbols.names(market).altname]: trades.map((t) => tradeRow(t, d, market)),
        last: last ? `${last.ts}000000` : (q.get("since") ?? "0"),
      };
    }),
  "/0/public/Depth": (q, d) =>
    route(() => {
      const market = pairOf(q, d);
      const count = Math.min(500, Math.max(1, intParam(q, "count") ?? 100));
      const spec = d.generator.spec(market);
      const s = d.generator.book(market).snapshot(count);
      const t = Math.floor(Date.now() / 1000);
      const side = (ls: Array<[number, number]>) => ls.map(([p, a]) => [price(spec, p), qty(spec, a), t]);
      return { [d.symbols.names(market).altname]: { asks: side(s.asks), bids: side(s.bids) } };
    }),
};

export function matchRest(method: string, url: URL, deps: RestDeps): RestRoute | undefined {
  if (method !== "GET" && method !== "HEAD") return undefined;
  const handler = ROUTES[url.pathname];
  return handler ? handler(url.searchParams, deps) : undefined;
}

export const REST_PATHS = Object.keys(ROUTES);
