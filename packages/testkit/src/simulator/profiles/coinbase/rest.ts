import type { Interval } from "../../core/intervals.ts";
import type { MarketGenerator } from "../../market/generator.ts";
import type { Candle, SimTrade } from "../../market/types.ts";
import type { GroundTruth } from "../../truth/ground-truth.ts";
import type { HttpReply, RestRoute } from "../types.ts";
import { dec, rfc3339 } from "./wire.ts";

/**
 * Coinbase Advanced Trade public REST (`/api/v3/brokerage/market/...`): every call costs one of the
 * 10 requests per second per IP. Errors are `{"error":"<CODE>","error_details":..,"message":..}`.
 */

export interface RestDeps {
  generator: MarketGenerator;
  truth: GroundTruth;
  /** Product id → market (Coinbase ids are the market names). */
  market(product: string): string | undefined;
}

const BASE = "/api/v3/brokerage/market";
const MAX_CANDLES = 350;
const MAX_TRADES = 1000;

const GRANULARITY: Record<string, { interval: Interval; seconds: number }> = {
  ONE_MINUTE: { interval: "1m", seconds: 60 },
  FIVE_MINUTE: { interval: "5m", seconds: 300 },
  FIFTEEN_MINUTE: { interval: "15m", seconds: 900 },
  THIRTY_MINUTE: { interval: "30m", seconds: 1800 },
  ONE_HOUR: { interval: "1h", seconds: 3600 },
  TWO_HOUR: { interval: "2h", seconds: 7200 },
  SIX_HOUR: { interval: "6h", seconds: 21_600 },
  ONE_DAY: { interval: "1d", seconds: 86_400 },
};

class CoinbaseError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    msg: string,
  ) {
    super(msg);
  }

  reply(): HttpReply {
    return {
      status: this.status,
      body: { error: this.code, error_details: this.message, message: this.message },
    };
  }
}

const invalidArgument = (msg: string) => new CoinbaseError(400, "INVALID_ARGUMENT", msg);

function route(fn: () => unknown): RestRoute {
  return {
    weight: 1,
    run(): HttpReply {
      try {
        return { status: 200, body: fn() };
      } catch (e) {
        if (e instanceof CoinbaseError) return e.reply();
        throw e;
      }
    },
  };
}

function productOf(id: string, d: RestDeps): string {
  const m = d.market(id);
  if (!m) throw new CoinbaseError(404, "NOT_FOUND", "ProductID is invalid");
  return m;
}

function intParam(q: URLSearchParams, name: string, required: boolean): number | undefined {
  const v = q.get(name);
  if (v === null || v === "") {
    if (required) throw invalidArgument(`${name} is required`);
    return undefined;
  }
  if (!/^[0-9]{1,12}$/.test(v)) throw invalidArgument(`invalid ${name}: ${v}`);
  return Number(v);
}

function productBody(market: string, d: RestDeps): Record<string, unknown> {
  const s = d.generator.spec(market);
  const t = d.generator.ticker(market);
  const pct = t.open === 0 ? 0 : ((t.last - t.open) / t.open) * 100;
  return {
    product_id: market,
    price: dec(t.last, s.priceDecimals),
    price_percentage_change_24h: String(pct),
    volume_24h: dec(t.volume, s.qtyDecimals),
    volume_percentage_change_24h: "0",
    base_increment: dec(s.stepSize, s.qtyDecimals),
    quote_increment: dec(s.tickSize, s.priceDecimals),
    quote_min_size: dec(s.minNotional, 8),
    quote_max_size: "10000000",
    base_min_size: dec(s.stepSize, s.qtyDecimals),
    base_max_size: "1000000",
    base_name: s.base,
    quote_name: s.quote,
    watched: false,
    is_disabled: false,
    new: false,
    status: "online",
    cancel_only: false,
    limit_only: false,
    post_only: false,
    trading_disabled: false,
    auction_mode: false,
    product_type: "SPOT",
    quote_currency_id: s.quote,
    base_currency_id: s.base,
    fcm_trading_session_details: null,
    mid_market_price: "",
    alias: "",
    alias_to: [],
    base_display_symbol: s.base,
    quote_display_symbol: s.quote,
    view_only: false,
    price_increment: dec(s.tickSize, s.priceDecimals),
    display_name: market,
    product_venue: "CBE",
    approximate_quote_24h_volume: dec(t.quoteVolume, 2),
    simulated: true,
  };
}

function candleRow(c: Candle, market: string, d: RestDeps): Record<string, string> {
  const s = d.generator.spec(market);
  const p = (v: number) => dec(v, s.priceDecimals);
  return {
    start: String(Math.floor(c.openTime / 1000)),
    low: p(c.low),
    high: p(c.high),
    open: p(c.open),
    close: p(c.close),
    volume: dec(c.volume, s.qtyDecimals),
  };
}

function tradeRow(t: SimTrade, market: string, d: RestDeps): Record<string, string> {
  const s = d.generator.spec(market);
  return {
    trade_id: String(t.id),
    product_id: market,
    price: dec(t.price, s.priceDecimals),
    size: dec(t.amount, s.qtyDecimals),
    time: rfc3339(t.ts),
    // the maker's side, as on the WebSocket
    side: t.side === "buy" ? "SELL" : "BUY",
    bid: "",
    ask: "",
    exchange: "coinbase",
  };
}

function products(q: URLSearchParams, d: RestDeps): unknown {
  const type = q.get("product_type");
  if (type !== null && type !== "SPOT" && type !== "FUTURE")
    throw invalidArgument(`invalid product_type: ${type}`);
  const wanted = q.getAll("product_ids");
  let markets = type === "FUTURE" ? [] : [...d.generator.markets];
  if (wanted.length > 0) markets = markets.filter((m) => wanted.includes(m));
  const offset = intParam(q, "offset", false) ?? 0;
  const limit = intParam(q, "limit", false);
  const page = markets.slice(offset, limit === undefined ? undefined : offset + limit);
  return { products: page.map((m) => productBody(m, d)), num_products: markets.length };
}

function candles(market: string, q: URLSearchParams, d: RestDeps): unknown {
  const start = intParam(q, "start", true)!;
  const end = intParam(q, "end", true)!;
  const g = GRANULARITY[q.get("granularity") ?? ""];
  if (!g) throw invalidArgument(`invalid granularity: ${q.get("granularity") ?? ""}`);
  if (end < start) throw invalidArgument("end must be after start");
  const limit = intParam(q, "limit", false) ?? MAX_CANDLES;
  if (limit > MAX_CANDLES || (end - start) / g.seconds >= MAX_CANDLES) {
    throw invalidArgument(`number of candles requested should be less than or equal to ${MAX_CANDLES}`);
  }
  const rows = d.truth
    .candles(market, g.interval, { from: start * 1000, to: end * 1000 })
    // no candle for a bucket without trades, as Coinbase publishes none
    .filter((c) => c.trades > 0)
    .slice(-limit)
    .reverse();
  return { candles: rows.map((c) => candleRow(c, market, d)) };
}

function marketTrades(market: string, q: URLSearchParams, d: RestDeps): unknown {
  const limit = intParam(q, "limit", true)!;
  if (limit < 1 || limit > MAX_TRADES) throw invalidArgument(`limit must be between 1 and ${MAX_TRADES}`);
  const start = intParam(q, "start", false);
  const end = intParam(q, "end", false);
  const window = d.truth.trades(market, {
    ...(start !== undefined ? { from: start * 1000 } : {}),
    ...(end !== undefined ? { to: end * 1000 + 999 } : {}),
  });
  const newest = window.slice(-limit).reverse();
  const bbo = d.generator.bbo(market);
  const s = d.generator.spec(market);
  return {
    trades: newest.map((t) => tradeRow(t, market, d)),
    best_bid: dec(bbo.bidPrice, s.priceDecimals),
    best_ask: dec(bbo.askPrice, s.priceDecimals),
  };
}

function productBook(q: URLSearchParams, d: RestDeps): unknown {
  const id = q.get("product_id");
  if (!id) throw invalidArgument("product_id is required");
  const market = productOf(id, d);
  const limit = intParam(q, "limit", false) ?? 50;
  const s = d.generator.spec(market);
  const snap = d.generator.book(market).snapshot(Math.max(1, limit));
  const side = (levels: readonly [number, number][]) =>
    levels.map(([p, a]) => ({ price: dec(p, s.priceDecimals), size: dec(a, s.qtyDecimals) }));
  const bbo = d.generator.bbo(market);
  const mid = (bbo.bidPrice + bbo.askPrice) / 2;
  return {
    pricebook: {
      product_id: market,
      bids: side(snap.bids),
      asks: side(snap.asks),
      time: rfc3339(Date.now()),
    },
    last: dec(d.generator.ticker(market).last, s.priceDecimals),
    mid_market: String(mid),
    spread_bps: String(((bbo.askPrice - bbo.bidPrice) / mid) * 10_000),
    spread_absolute: dec(bbo.askPrice - bbo.bidPrice, s.priceDecimals),
  };
}

/** The routes the project uses; `/market/products/{id}[/candles|/ticker]` carry the product in the path. */
export function matchRest(method: string, url: URL, d: RestDeps): RestRoute | undefined {
  if (method !== "GET" && method !== "HEAD") return undefined;
  const path = url.pathname;
  const q = url.searchParams;
  if (path === "/api/v3/brokerage/time") {
    return route(() => {
      const now = Date.now();
      return {
        iso: new Date(now).toISOString(),
        epochSeconds: String(Math.floor(now / 1000)),
        epochMillis: String(now),
      };
    });
  }
  if (path === `${BASE}/products`) return route(() => products(q, d));
  if (path === `${BASE}/product_book`) return route(() => productBook(q, d));
  if (!path.startsWith(`${BASE}/products/`)) return undefined;
  const [id, tail, ...more] = path.slice(BASE.length + "/products/".length).split("/");
  if (!id || more.length > 0) return undefined;
  switch (tail) {
    case undefined:
      return route(() => productBody(productOf(id, d), d));
    case "candles":
      return route(() => candles(productOf(id, d), q, d));
    case "ticker":
      return route(() => marketTrades(productOf(id, d), q, d));
    default:
      return undefined;
  }
}

export const REST_PATHS = [
  "/api/v3/brokerage/time",
  `${BASE}/products`,
  `${BASE}/products/{product_id}`,
  `${BASE}/products/{product_id}/candles`,
  `${BASE}/products/{product_id}/ticker`,
  `${BASE}/product_book`,
];
