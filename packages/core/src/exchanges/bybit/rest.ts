import type { KlinesQuery, RestContext, RestLimits, RestRequest, RestSpec } from "../../adapter.ts";
import { ParseError, TransientError } from "../../errors.ts";
import { formatMarket, isMarketName } from "../../markets.ts";
import type { MarketInfo } from "../../schemas/market-info.ts";
import type { Book, Candle, CandleInterval, Trade } from "../../schemas/messages.ts";
import { epochMsInteger, isObject, num, positiveNum, sample } from "../wire/fields.ts";
import { bookSide, klineRow, nonNumericRow, objectBody, objectRow } from "../wire/rest-body.ts";
import { restBookSnapshot, restCandle, restTrade } from "../wire/rest-messages.ts";
import { pageLimit, type TradesQuery, unsupportedInterval } from "../wire/rest-request.ts";
import type { Category } from "./symbols.ts";
import {
  BYBIT_INTERVALS,
  candleCloseTime,
  INTERVAL_NAMES,
  isBybitInterval,
  minIntervalMs,
  symbolOf,
} from "./topics.ts";

/**
 * Bybit v5 market REST (v5/market/*): request builders and parsers that validate the body and
 * throw ParseError (or TransientError for Bybit's "too many visits"/server-busy codes).
 * Every public call costs one request of the IP budget: 600 requests per 5 s window. Exceeding it
 * answers HTTP 403 "access too frequent" and bans the IP for ≥ 10 minutes; Bybit reports no used
 * budget in headers for public calls (X-Bapi-Limit-* are per-UID, private).
 */

export const REST_DEFAULT_URL = "https://api.bybit.com";

export const REST_LIMITS: RestLimits = {
  budget: 600,
  windowMs: 5_000,
  rateLimitStatuses: [403],
  rateLimitBackoffMs: 10 * 60_000,
};

/** Rows per klines page; the order-book snapshot's maximum depth. */
export const KLINES_PAGE_LIMIT = 1000;
export const DEPTH_MAX_LIMIT = 1000;
/** Recent trades per call: spot keeps the last 60, linear the last 1000. */
export const TRADES_LIMIT: Record<Category, number> = { spot: 60, linear: 1000 };

/** retCodes that a retry can cure: 10006 too many visits, 10016 server error, 10000 server timeout. */
const TRANSIENT_CODES: ReadonlySet<number> = new Set([10000, 10006, 10016]);

const EXCHANGE = "bybit";

function get(path: string, query: Record<string, string | number>): RestRequest {
  return { method: "GET", path, query, weight: 1 };
}

/** `{retCode: 0, result: {...}}` → result; throws on any other envelope. */
function result(body: unknown, what: string): Record<string, unknown> {
  const b = objectBody(body, `bybit ${what}`);
  const code = b.retCode;
  if (code !== 0) {
    const msg = `bybit ${what}: retCode ${sample(code, 20)} ${sample(b.retMsg)}`;
    if (typeof code === "number" && TRANSIENT_CODES.has(code)) throw new TransientError("exchange_busy", msg);
    throw new ParseError(msg);
  }
  const r = b.result;
  if (!isObject(r)) throw new ParseError(`bybit ${what}: "result" is not an object: ${sample(r)}`);
  return r;
}

function list(r: Record<string, unknown>, what: string): unknown[] {
  if (!Array.isArray(r.list)) throw new ParseError(`bybit ${what}: "result.list" is not an array`);
  return r.list;
}

// ---------------------------------------------------------------------------------------------
// markets

function marketStatus(status: unknown): MarketInfo["status"] {
  if (status === "Trading") return "trading";
  if (status === "Closed" || status === "Delisted") return "delisted";
  return "halted"; // PreLaunch, Delivering, Settling
}

/** `yymmdd` of a delivery time in ms. */
function expiryOf(deliveryMs: number): string {
  return new Date(deliveryMs).toISOString().slice(2, 10).replaceAll("-", "");
}

function marketName(
  category: Category,
  s: Record<string, unknown>,
  base: string,
  quote: string,
): string | null {
  if (category === "spot") return formatMarket({ base, quote, kind: "spot" });
  if (s.contractType === "LinearPerpetual") return formatMarket({ base, quote, kind: "perp" });
  if (s.contractType === "LinearFutures") {
    const delivery = epochMsInteger(s.deliveryTime);
    if (Number.isNaN(delivery)) return null;
    return formatMarket({ base, quote, kind: "future", expiry: expiryOf(delivery) });
  }
  return null;
}

function parseMarkets(category: Category, body: unknown): MarketInfo[] {
  const rows = list(result(body, "instruments-info"), "instruments-info");
  const out: MarketInfo[] = [];
  for (let i = 0; i < rows.length; i++) {
    const s = rows[i];
    if (
      !isObject(s) ||
      typeof s.symbol !== "string" ||
      typeof s.baseCoin !== "string" ||
      typeof s.quoteCoin !== "string"
    ) {
      throw new ParseError(
        `bybit instruments-info: list[${i}] lacks symbol/baseCoin/quoteCoin: ${sample(s)}`,
      );
    }
    const base = s.baseCoin.toUpperCase();
    const quote = s.quoteCoin.toUpperCase();
    const market = marketName(category, s, base, quote);
    if (market === null || !isMarketName(market)) continue;
    const price = isObject(s.priceFilter) ? s.priceFilter : {};
    const lot = isObject(s.lotSizeFilter) ? s.lotSizeFilter : {};
    out.push({
      exchange: EXCHANGE,
      market,
      symbol: s.symbol,
      base,
      quote,
      type: category === "spot" ? "spot" : s.contractType === "LinearFutures" ? "future" : "perp",
      status: marketStatus(s.status),
      tickSize: positiveNum(price.tickSize),
      // spot: basePrecision is the quantity step; derivatives: qtyStep
      lotSize: positiveNum(category === "spot" ? lot.basePrecision : lot.qtyStep),
      minNotional: positiveNum(category === "spot" ? lot.minOrderAmt : lot.minNotionalValue),
    });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// klines

/**
 * GET /v5/market/kline answers the newest `limit` candles of [start, end], newest first. With a
 * start time the builder caps `end` at start + limit intervals, so a page begins at `start` and
 * callers page forward (next start = last open time + 1 interval).
 */
function klinesRequest(category: Category, q: KlinesQuery): RestRequest {
  if (!isBybitInterval(q.interval)) {
    throw unsupportedInterval("bybit klines", q.interval, BYBIT_INTERVALS);
  }
  const limit = pageLimit(q.limit, KLINES_PAGE_LIMIT);
  const query: Record<string, string | number> = {
    category,
    symbol: symbolOf(category, q.market),
    interval: INTERVAL_NAMES[q.interval],
  };
  let end = q.endTime;
  if (q.startTime !== undefined) {
    const start = Math.floor(q.startTime);
    query.start = start;
    const pageEnd = start + limit * minIntervalMs(q.interval) - 1;
    end = end === undefined ? pageEnd : Math.min(end, pageEnd);
  }
  if (end !== undefined) query.end = Math.floor(end);
  query.limit = limit;
  return get("/v5/market/kline", query);
}

/** Rows `[start, open, high, low, close, volume, turnover]`, newest first → candles, oldest first. */
function parseKlines(
  category: Category,
  body: unknown,
  ctx: RestContext & { interval: CandleInterval },
): Candle[] {
  const interval = ctx.interval;
  if (!isBybitInterval(interval)) throw new ParseError(`bybit klines: unsupported interval "${interval}"`);
  const rows = list(result(body, "kline"), "kline");
  const symbol = symbolOf(category, ctx.market);
  const out: Candle[] = [];
  for (let i = rows.length - 1; i >= 0; i--) {
    const r = klineRow(rows[i], i, "bybit kline", 7);
    const openTime = epochMsInteger(r[0]);
    const open = num(r[1]);
    const high = num(r[2]);
    const low = num(r[3]);
    const close = num(r[4]);
    const volume = num(r[5]);
    const quoteVolume = num(r[6]);
    if ([openTime, open, high, low, close, volume, quoteVolume].some(Number.isNaN)) {
      throw nonNumericRow("bybit kline", i, r);
    }
    const closeTime = candleCloseTime(interval, openTime);
    out.push(
      restCandle(EXCHANGE, ctx, symbol, {
        openTime,
        closeTime,
        open,
        high,
        low,
        close,
        volume,
        quoteVolume,
        trades: null, // not reported by Bybit
      }),
    );
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// trades

/**
 * GET /v5/market/recent-trade: the last 60 (spot) or 1000 (linear) trades. Bybit has no public
 * REST trade history by id or time (only daily CSV archives), so fromId/startTime/endTime cannot be
 * sent: gap healing gets the most recent trades and filters them itself.
 */
function tradesRequest(category: Category, q: TradesQuery): RestRequest {
  return get("/v5/market/recent-trade", {
    category,
    symbol: symbolOf(category, q.market),
    limit: pageLimit(q.limit, TRADES_LIMIT[category]),
  });
}

/** Rows `{execId, symbol, price, size, side (taker), time}`, newest first → trades, oldest first. */
function parseTrades(category: Category, body: unknown, ctx: RestContext): Trade[] {
  const rows = list(result(body, "recent-trade"), "recent-trade");
  const symbol = symbolOf(category, ctx.market);
  const out: Trade[] = [];
  for (let i = rows.length - 1; i >= 0; i--) {
    const r = objectRow(rows[i], i, "bybit recent-trade");
    const id = r.execId;
    const price = num(r.price);
    const amount = num(r.size);
    const ts = epochMsInteger(r.time);
    const side = r.side === "Buy" ? "buy" : r.side === "Sell" ? "sell" : undefined;
    if (
      typeof id !== "string" ||
      id.length === 0 ||
      Number.isNaN(price) ||
      Number.isNaN(amount) ||
      Number.isNaN(ts) ||
      side === undefined
    ) {
      throw new ParseError(
        `bybit recent-trade: row ${i} lacks execId/price/size/time/side: ${sample(r, 160)}`,
      );
    }
    if (r.symbol !== undefined && r.symbol !== symbol) {
      throw new ParseError(`bybit recent-trade: row ${i} is for ${sample(r.symbol)}, not ${symbol}`);
    }
    out.push(restTrade(EXCHANGE, ctx, symbol, { ts, id, price, amount, side }));
  }
  // time order; equal times keep the exchange's order (reversed from newest-first)
  return out.sort((a, b) => a.ts - b.ts);
}

// ---------------------------------------------------------------------------------------------
// depth

function depthRequest(category: Category, market: string, limit: number): RestRequest {
  return get("/v5/market/orderbook", {
    category,
    symbol: symbolOf(category, market),
    limit: pageLimit(limit, DEPTH_MAX_LIMIT),
  });
}

/** `{s, b, a, ts, u, seq}` → a book snapshot with seq = u (the 1000-level stream's update id). */
function parseDepth(category: Category, body: unknown, ctx: RestContext): Book {
  const r = result(body, "orderbook");
  const symbol = symbolOf(category, ctx.market);
  if (r.s !== symbol) throw new ParseError(`bybit orderbook: symbol ${sample(r.s)}, expected ${symbol}`);
  const seq = epochMsInteger(r.u);
  if (Number.isNaN(seq)) throw new ParseError(`bybit orderbook: bad u ${sample(r.u)}`);
  const ts = epochMsInteger(r.ts);
  if (Number.isNaN(ts)) throw new ParseError(`bybit orderbook: bad ts ${sample(r.ts)}`);
  const bids = bookSide(r.b, "bybit orderbook", "b", "[price, size]");
  const asks = bookSide(r.a, "bybit orderbook", "a", "[price, size]");
  return restBookSnapshot(EXCHANGE, ctx, symbol, { ts, seq, bids, asks });
}

export function restSpec(category: Category): RestSpec {
  return {
    defaultUrl: REST_DEFAULT_URL,
    limits: REST_LIMITS,
    klinesPageLimit: KLINES_PAGE_LIMIT,
    marketsRequest: () =>
      // spot ignores limit (no paging); linear returns 500 by default, 1000 at most
      get("/v5/market/instruments-info", category === "spot" ? { category } : { category, limit: 1000 }),
    parseMarkets: (body) => parseMarkets(category, body),
    klinesRequest: (q) => klinesRequest(category, q),
    parseKlines: (body, ctx) => parseKlines(category, body, ctx),
    tradesRequest: (q) => tradesRequest(category, q),
    parseTrades: (body, ctx) => parseTrades(category, body, ctx),
    depthRequest: (market, limit) => depthRequest(category, market, limit),
    parseDepth: (body, ctx) => parseDepth(category, body, ctx),
  };
}
