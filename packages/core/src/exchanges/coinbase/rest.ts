import type { KlinesQuery, RestContext, RestLimits, RestRequest, RestSpec } from "../../adapter.ts";
import { ParseError } from "../../errors.ts";
import type { MarketInfo } from "../../schemas/market-info.ts";
import type { Book, Candle, CandleInterval, Level, Trade } from "../../schemas/messages.ts";
import { isObject, num, positiveNum, sample } from "../wire/fields.ts";
import { arrayField, nonNumericRow, objectRow } from "../wire/rest-body.ts";
import { restBookSnapshot, restCandle, restTrade } from "../wire/rest-messages.ts";
import { pageLimit, type TradesQuery, unsupportedInterval } from "../wire/rest-request.ts";
import { GRANULARITY, GRANULARITY_SECONDS, isRestInterval, REST_INTERVALS } from "./channels.ts";
import { marketOfSymbol, symbolOf } from "./symbols.ts";
import { isoMs, toMicros } from "./time.ts";

/**
 * Coinbase Advanced Trade public REST (`/api/v3/brokerage/market/...`, no authentication): request
 * builders and parsers that validate the body and throw ParseError on anything unexpected. Public
 * endpoints allow 10 requests per second per IP and report no usage header; every call costs 1.
 */

export const REST_DEFAULT_URL = "https://api.coinbase.com";
export const REST_LIMITS: RestLimits = { budget: 10, windowMs: 1000 };

const BASE = "/api/v3/brokerage/market";
const EXCHANGE = "coinbase";
/** Every public call counts one request against the per-second budget. */
export const WEIGHT = 1;
/** Most candles one candles call may cover (a wider start/end range is rejected). */
export const CANDLES_PAGE_LIMIT = 350;
/** Most trades one market-trades call returns. */
export const TRADES_PAGE_LIMIT = 1000;
/** Most levels per side we ask of product_book. */
export const DEPTH_MAX_LIMIT = 1000;

function productPath(market: string, tail: string): string {
  return `${BASE}/products/${symbolOf(market)}/${tail}`;
}

// ---------------------------------------------------------------------------------------------
// markets

function marketsRequest(): RestRequest {
  return { method: "GET", path: `${BASE}/products`, query: { product_type: "SPOT" }, weight: WEIGHT };
}

function marketStatus(p: Record<string, unknown>): MarketInfo["status"] {
  if (p.status === "delisted") return "delisted";
  const blocked = p.trading_disabled === true || p.is_disabled === true || p.cancel_only === true;
  return p.status === "online" && !blocked ? "trading" : "halted";
}

/**
 * `{products:[{product_id, status, base_increment, quote_increment, price_increment,
 * quote_min_size, product_type, ...}]}` → spot markets. Ids that are not market names (futures)
 * are skipped.
 */
function parseMarkets(body: unknown): MarketInfo[] {
  const products = arrayField(body, "products", "coinbase products");
  const out: MarketInfo[] = [];
  for (let i = 0; i < products.length; i++) {
    const p = products[i];
    if (!isObject(p) || typeof p.product_id !== "string" || typeof p.status !== "string") {
      throw new ParseError(`coinbase products: products[${i}] lacks product_id/status strings: ${sample(p)}`);
    }
    if (p.product_type !== undefined && p.product_type !== "SPOT") continue;
    const market = marketOfSymbol(p.product_id);
    if (market === undefined || market !== p.product_id) continue;
    const [base, quote] = market.split("-") as [string, string];
    out.push({
      exchange: EXCHANGE,
      market,
      symbol: p.product_id,
      base,
      quote,
      type: "spot",
      status: marketStatus(p),
      tickSize: positiveNum(p.price_increment) ?? positiveNum(p.quote_increment),
      lotSize: positiveNum(p.base_increment),
      minNotional: positiveNum(p.quote_min_size),
    });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// candles

/**
 * GET .../products/{id}/candles?start&end&granularity&limit: start/end are required UNIX seconds
 * and may span at most 350 candles. From startTime the page runs forward; from endTime alone it
 * ends with the candle that holds endTime. Coinbase answers newest first; parseKlines sorts.
 */
function klinesRequest(q: KlinesQuery): RestRequest {
  if (!isRestInterval(q.interval)) {
    throw unsupportedInterval("coinbase candles", q.interval, REST_INTERVALS);
  }
  const g = GRANULARITY_SECONDS[q.interval];
  const limit = pageLimit(q.limit, CANDLES_PAGE_LIMIT);
  let start: number;
  let end: number;
  if (q.startTime !== undefined) {
    start = Math.floor(q.startTime / 1000);
    end = start + limit * g - 1;
    if (q.endTime !== undefined) end = Math.min(end, Math.floor(q.endTime / 1000));
  } else if (q.endTime !== undefined) {
    end = Math.floor(q.endTime / 1000);
    start = end - limit * g + 1;
  } else {
    throw new Error("coinbase candles: Coinbase needs a time range (startTime and/or endTime)");
  }
  return {
    method: "GET",
    path: productPath(q.market, "candles"),
    query: { start: Math.max(0, start), end, granularity: GRANULARITY[q.interval], limit },
    weight: WEIGHT,
  };
}

/** `{candles:[{start, low, high, open, close, volume}]}` (start in seconds) → candles, oldest first. */
function parseKlines(body: unknown, ctx: RestContext & { interval: CandleInterval }): Candle[] {
  const rows = arrayField(body, "candles", "coinbase candles");
  if (!isRestInterval(ctx.interval))
    throw new ParseError(`coinbase candles: unsupported interval ${ctx.interval}`);
  const lengthMs = GRANULARITY_SECONDS[ctx.interval] * 1000;
  const symbol = symbolOf(ctx.market);
  const out: Candle[] = new Array(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const r = objectRow(rows[i], i, "coinbase candles");
    const start = num(r.start);
    const open = num(r.open);
    const high = num(r.high);
    const low = num(r.low);
    const close = num(r.close);
    const volume = num(r.volume);
    if (
      !Number.isSafeInteger(start) ||
      Number.isNaN(open) ||
      Number.isNaN(high) ||
      Number.isNaN(low) ||
      Number.isNaN(close) ||
      Number.isNaN(volume)
    ) {
      throw nonNumericRow("coinbase candles", i, r);
    }
    const openTime = start * 1000;
    const closeTime = openTime + lengthMs - 1;
    out[i] = restCandle(EXCHANGE, ctx, symbol, {
      openTime,
      closeTime,
      open,
      high,
      low,
      close,
      volume,
      // not published by Coinbase
      quoteVolume: null,
      trades: null,
    });
  }
  return out.sort((a, b) => a.openTime - b.openTime);
}

// ---------------------------------------------------------------------------------------------
// trades

/**
 * GET .../products/{id}/ticker?limit[&start&end]: the most recent trades of a time window, newest
 * first (so paging runs backward by moving `end`). Coinbase has no trade-id paging: fromId throws.
 */
function tradesRequest(q: TradesQuery): RestRequest {
  if (q.fromId !== undefined) {
    throw new Error("coinbase trades: there is no paging by trade id; page by startTime/endTime");
  }
  const query: Record<string, string | number> = { limit: pageLimit(q.limit, TRADES_PAGE_LIMIT) };
  if (q.startTime !== undefined) query.start = Math.floor(q.startTime / 1000);
  if (q.endTime !== undefined) query.end = Math.ceil(q.endTime / 1000);
  return { method: "GET", path: productPath(q.market, "ticker"), query, weight: WEIGHT };
}

/** `{trades:[{trade_id, product_id, price, size, time, side}], best_bid, best_ask}` → trades, oldest first. */
function parseTrades(body: unknown, ctx: RestContext): Trade[] {
  const rows = arrayField(body, "trades", "coinbase trades");
  const symbol = symbolOf(ctx.market);
  const out: Trade[] = new Array(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const r = objectRow(rows[i], i, "coinbase trades");
    const id = r.trade_id;
    const price = num(r.price);
    const amount = num(r.size);
    const ts = isoMs(r.time);
    const side = typeof r.side === "string" ? r.side.toUpperCase() : "";
    if (
      (typeof id !== "string" && typeof id !== "number") ||
      id === "" ||
      Number.isNaN(price) ||
      Number.isNaN(amount) ||
      Number.isNaN(ts) ||
      typeof r.side !== "string"
    ) {
      throw new ParseError(
        `coinbase trades: row ${i} lacks trade_id/price/size/time/side: ${sample(r, 160)}`,
      );
    }
    out[i] = restTrade(EXCHANGE, ctx, typeof r.product_id === "string" ? r.product_id : symbol, {
      ts,
      id: String(id),
      price,
      amount,
      // the maker's side, as on the WebSocket: the taker did the opposite
      side: side === "BUY" ? "sell" : side === "SELL" ? "buy" : "unknown",
    });
  }
  return out.sort((a, b) => a.ts - b.ts || Number(a.id) - Number(b.id));
}

// ---------------------------------------------------------------------------------------------
// depth

function depthRequest(market: string, limit: number): RestRequest {
  return {
    method: "GET",
    path: `${BASE}/product_book`,
    query: { product_id: symbolOf(market), limit: pageLimit(limit, DEPTH_MAX_LIMIT) },
    weight: WEIGHT,
  };
}

function priceSizeSide(v: unknown, side: string): Level[] {
  if (!Array.isArray(v)) throw new ParseError(`coinbase product_book: ${side} is not a list: ${sample(v)}`);
  const out: Level[] = new Array(v.length);
  for (let i = 0; i < v.length; i++) {
    const l = v[i];
    const price = isObject(l) ? num(l.price) : Number.NaN;
    const amount = isObject(l) ? num(l.size) : Number.NaN;
    if (Number.isNaN(price) || Number.isNaN(amount)) {
      throw new ParseError(`coinbase product_book: ${side}[${i}] is not {price, size}: ${sample(l)}`);
    }
    out[i] = [price, amount];
  }
  return out;
}

/**
 * `{pricebook:{product_id, bids:[{price,size}], asks, time}}` → a snapshot. The REST book has no
 * sequence number to align with the WebSocket: seq is its time in µs (a level2 resubscribe is the
 * way to resync a Coinbase book).
 */
function parseDepth(body: unknown, ctx: RestContext): Book {
  const book = isObject(body) ? body.pricebook : undefined;
  if (!isObject(book))
    throw new ParseError(`coinbase product_book: expected {"pricebook":{...}}, got ${sample(body)}`);
  const bids = priceSizeSide(book.bids, "bids");
  const asks = priceSizeSide(book.asks, "asks");
  const t = isoMs(book.time);
  const ts = Number.isNaN(t) ? ctx.recvTs : t;
  const symbol = typeof book.product_id === "string" ? book.product_id : symbolOf(ctx.market);
  return restBookSnapshot(EXCHANGE, ctx, symbol, { ts, seq: toMicros(ts), bids, asks });
}

export const rest: RestSpec = {
  defaultUrl: REST_DEFAULT_URL,
  limits: REST_LIMITS,
  klinesPageLimit: CANDLES_PAGE_LIMIT,
  marketsRequest,
  parseMarkets,
  klinesRequest,
  parseKlines,
  tradesRequest,
  parseTrades,
  depthRequest,
  parseDepth,
  // the WebSocket has 5m candles only: 1m candles are polled (the open one too, closed by the clock)
  polls: [
    {
      name: "candles",
      requests: (q) => {
        // a window longer than a page keeps its newest page
        const startTime = Math.max(q.from, q.to - CANDLES_PAGE_LIMIT * 60_000 + 1);
        return [klinesRequest({ market: q.market, interval: "1m", startTime, endTime: q.to })];
      },
      parse: ([body], ctx) => parseKlines(body, { ...ctx, interval: "1m" }),
    },
  ],
};
