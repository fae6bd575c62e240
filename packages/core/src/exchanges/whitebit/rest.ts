import type { KlinesQuery, RestContext, RestLimits, RestRequest, RestSpec } from "../../adapter.ts";
import { ParseError } from "../../errors.ts";
import { formatMarket, isMarketName } from "../../markets.ts";
import type { MarketInfo } from "../../schemas/market-info.ts";
import type { Book, Candle, CandleInterval, Trade } from "../../schemas/messages.ts";
import { int, isObject, num, positiveNum, sample } from "../wire/fields.ts";
import { arrayBody, bookSide, klineRow, nonNumericRow, objectBody, objectRow } from "../wire/rest-body.ts";
import { restBookSnapshot, restCandle, restTrade } from "../wire/rest-messages.ts";
import { pageLimit, type TradesQuery, unsupportedInterval } from "../wire/rest-request.ts";
import { secondsToMs } from "./fields.ts";
import { closeTimeOf, INTERVAL_SECONDS, isRestInterval, REST_INTERVALS } from "./intervals.ts";
import { symbolOf } from "./symbols.ts";

/**
 * WhiteBIT REST (https://whitebit.com): request builders with their cost, and parsers that
 * validate the body and throw ParseError on anything unexpected.
 *
 * Limits are per endpoint and per 10 s: /api/v4/* 2000 requests (orderbook 600), /api/v1/* 1000.
 * They are modelled as one budget of 2000 per 10 s in which a v1 call costs 2 and an orderbook
 * call 4. WhiteBIT reports no used-weight header; a 429 comes from its gateway.
 */

export const REST_DEFAULT_URL = "https://whitebit.com";

export const REST_LIMITS: RestLimits = { budget: 2000, windowMs: 10_000 };

export const WEIGHTS = {
  markets: 1,
  kline: 2,
  recentTrades: 1,
  history: 2,
  orderbook: 4,
} as const;

/** Most candles one kline call returns. */
export const KLINES_PAGE_LIMIT = 1440;
/** Most levels per side of an orderbook call. */
export const DEPTH_MAX_LIMIT = 100;
/** Most trades of one /api/v1/public/history call (the documented example's size). */
export const HISTORY_MAX_LIMIT = 100;

const EXCHANGE = "whitebit";

/** `{success, message, result}` (the v1 envelope) → result; ParseError when success is false. */
function v1Result(what: string, body: unknown): unknown {
  const b = objectBody(body, `whitebit ${what}`);
  if (b.success !== true) {
    throw new ParseError(`whitebit ${what}: the exchange refused: ${sample(b.message ?? b, 160)}`);
  }
  return b.result;
}

// ---------------------------------------------------------------------------------------------
// markets

function marketsRequest(): RestRequest {
  return { method: "GET", path: "/api/v4/public/markets", query: {}, weight: WEIGHTS.markets };
}

/** A decimal step: the field when it is a positive number, else 10^-precision; null without either. */
function step(value: unknown, precision: unknown): number | null {
  const v = num(value);
  if (v > 0) return v;
  const p = int(precision);
  return p >= 0 ? Number(`1e-${p}`) : null;
}

/**
 * `[{name, stock, money, stockPrec, moneyPrec, minAmount, minTotal, tradesEnabled, type, tickSize,
 * stepSize, ...}]` → the spot markets (futures and TradFi futures are skipped). WhiteBIT lists only
 * tradeable markets and drops delisted ones; tickSize/stepSize may be empty strings, then the
 * precisions give the steps.
 */
function parseMarkets(body: unknown): MarketInfo[] {
  const rows = arrayBody(body, "whitebit markets");
  const out: MarketInfo[] = [];
  for (let i = 0; i < rows.length; i++) {
    const m = rows[i];
    if (
      !isObject(m) ||
      typeof m.name !== "string" ||
      typeof m.stock !== "string" ||
      typeof m.money !== "string"
    ) {
      throw new ParseError(`whitebit markets: [${i}] lacks name/stock/money strings: ${sample(m)}`);
    }
    if (m.type !== undefined && m.type !== "spot") continue;
    const base = m.stock.toUpperCase();
    const quote = m.money.toUpperCase();
    const market = formatMarket({ base, quote, kind: "spot" });
    if (!isMarketName(market)) continue;
    out.push({
      exchange: EXCHANGE,
      market,
      symbol: m.name,
      base,
      quote,
      type: "spot",
      status: m.tradesEnabled === false ? "halted" : "trading",
      tickSize: step(m.tickSize, m.moneyPrec),
      lotSize: step(m.stepSize, m.stockPrec),
      minNotional: positiveNum(m.minTotal),
    });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// klines

/** Longest candle of an interval in seconds (a month counts 31 days), for page bounds. */
function maxSeconds(interval: CandleInterval): number {
  return interval === "1M" ? 31 * 86400 : INTERVAL_SECONDS[interval];
}

/**
 * GET /api/v1/public/kline?market&interval&start&end&limit (times in seconds, ≤ 1440 candles).
 * Pages forward: from startTime the page ends `limit` candles later (or at endTime if sooner), so
 * the server's window holds exactly the page; with only endTime the page ends there.
 */
function klinesRequest(q: KlinesQuery): RestRequest {
  if (!isRestInterval(q.interval)) {
    throw unsupportedInterval("whitebit klines", q.interval, REST_INTERVALS);
  }
  const limit = pageLimit(q.limit, KLINES_PAGE_LIMIT);
  const span = maxSeconds(q.interval) * (limit - 1);
  const query: Record<string, string | number> = { market: symbolOf(q.market), interval: q.interval };
  if (q.startTime !== undefined) {
    const start = Math.floor(q.startTime / 1000);
    const end = q.endTime !== undefined ? Math.floor(q.endTime / 1000) : Number.POSITIVE_INFINITY;
    query.start = start;
    query.end = Math.max(start, Math.min(end, start + span));
  } else if (q.endTime !== undefined) {
    const end = Math.floor(q.endTime / 1000);
    query.start = Math.max(0, end - span);
    query.end = end;
  }
  query.limit = limit;
  return { method: "GET", path: "/api/v1/public/kline", query, weight: WEIGHTS.kline };
}

/**
 * `{success, message, result: [[time, open, close, high, low, volume, deal], ...]}`, oldest first.
 * closed = closeTime < recvTs; ts = closeTime for a closed candle (the same message id as the
 * closed candle the WebSocket parser emits), recvTs for the candle still open.
 */
function parseKlines(body: unknown, ctx: RestContext & { interval: CandleInterval }): Candle[] {
  const rows = v1Result("klines", body);
  if (!Array.isArray(rows)) throw new ParseError(`whitebit klines: result is not an array: ${sample(rows)}`);
  const symbol = symbolOf(ctx.market);
  const out: Candle[] = new Array(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const r = klineRow(rows[i], i, "whitebit klines", 7);
    const openTime = typeof r[0] === "number" && Number.isInteger(r[0]) ? secondsToMs(r[0]) : Number.NaN;
    const open = num(r[1]);
    const close = num(r[2]);
    const high = num(r[3]);
    const low = num(r[4]);
    const volume = num(r[5]);
    const quoteVolume = num(r[6]);
    if ([openTime, open, close, high, low, volume, quoteVolume].some(Number.isNaN)) {
      throw nonNumericRow("whitebit klines", i, r);
    }
    const closeTime = closeTimeOf(ctx.interval, openTime);
    out[i] = restCandle(EXCHANGE, ctx, symbol, {
      openTime,
      closeTime,
      open,
      high,
      low,
      close,
      volume,
      quoteVolume,
      trades: null, // not in WhiteBIT kline rows
    });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// trades

/**
 * With fromId: GET /api/v1/public/history?market&lastId=fromId-1&limit — trades after an id, with
 * the same fractional times as the WebSocket (the healing path). Otherwise GET
 * /api/v4/public/trades/{market}: the last 100 trades, whole-second times. Neither takes a time
 * range (callers filter by time): WhiteBIT keeps no deeper trade history, so trades must be
 * recorded from the WebSocket.
 */
function tradesRequest(q: TradesQuery): RestRequest {
  const symbol = symbolOf(q.market);
  if (q.fromId !== undefined) {
    if (!/^[0-9]+$/.test(q.fromId) || Number(q.fromId) < 1)
      throw new Error(`whitebit trades: fromId must be a trade id, got "${q.fromId}"`);
    return {
      method: "GET",
      path: "/api/v1/public/history",
      query: { market: symbol, lastId: Number(q.fromId) - 1, limit: pageLimit(q.limit, HISTORY_MAX_LIMIT) },
      weight: WEIGHTS.history,
    };
  }
  return {
    method: "GET",
    path: `/api/v4/public/trades/${symbol}`,
    query: {},
    weight: WEIGHTS.recentTrades,
  };
}

/**
 * Both trade bodies, newest first on the wire, oldest first out:
 * - v1 history `{success, result: [{id, time, price, amount, type}]}`;
 * - v4 trades `[{tradeID, price, quote_volume, base_volume, trade_timestamp, type}]` — WhiteBIT's
 *   reversed naming: quote_volume is the BASE amount (BTC in BTC_USDT).
 */
function parseTrades(body: unknown, ctx: RestContext): Trade[] {
  const symbol = symbolOf(ctx.market);
  const v4 = Array.isArray(body);
  const rows = v4 ? body : v1Result("trades", body);
  if (!Array.isArray(rows)) throw new ParseError(`whitebit trades: result is not an array: ${sample(rows)}`);
  const out: Trade[] = new Array(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const r = objectRow(rows[i], i, "whitebit trades");
    const id = int(v4 ? r.tradeID : r.id);
    const price = num(r.price);
    const amount = num(v4 ? r.quote_volume : r.amount);
    const ts = v4
      ? int(r.trade_timestamp) > 0
        ? int(r.trade_timestamp) * 1000
        : Number.NaN
      : secondsToMs(r.time);
    if ([id, price, amount, ts].some(Number.isNaN) || (r.type !== "buy" && r.type !== "sell")) {
      throw new ParseError(`whitebit trades: row ${i} lacks id/price/amount/time/type: ${sample(r, 160)}`);
    }
    // r.type is "buy" or "sell" (checked above)
    out[i] = restTrade(EXCHANGE, ctx, symbol, { ts, id: String(id), price, amount, side: r.type });
  }
  return out.sort((a, b) => +a.id - +b.id);
}

// ---------------------------------------------------------------------------------------------
// depth

/** GET /api/v4/public/orderbook/{market}?limit (1..100 levels per side). */
function depthRequest(market: string, limit: number): RestRequest {
  return {
    method: "GET",
    path: `/api/v4/public/orderbook/${symbolOf(market)}`,
    query: { limit: pageLimit(limit, DEPTH_MAX_LIMIT) },
    weight: WEIGHTS.orderbook,
  };
}

/**
 * `{ticker_id, timestamp, asks, bids}` → a snapshot. The body has no update id, so seq = 0: it
 * cannot anchor WebSocket deltas — WhiteBIT's resync is a new depth_subscribe, whose first push is
 * a sequenced snapshot. ts = timestamp (whole seconds).
 */
function parseDepth(body: unknown, ctx: RestContext): Book {
  const b = objectBody(body, "whitebit orderbook");
  const bids = bookSide(b.bids, "whitebit orderbook", "bids", "[price, amount]");
  const asks = bookSide(b.asks, "whitebit orderbook", "asks", "[price, amount]");
  const ts = b.timestamp === undefined ? ctx.recvTs : secondsToMs(b.timestamp);
  if (Number.isNaN(ts)) throw new ParseError(`whitebit orderbook: bad timestamp ${sample(b.timestamp)}`);
  return restBookSnapshot(EXCHANGE, ctx, symbolOf(ctx.market), { ts, seq: 0, bids, asks });
}

/**
 * The stream closes a candle with its last 0.5 s push, missing the trades after it (candles.ts);
 * the final 1m candles come from REST. Only candles closed this long are published: the stream's
 * own close (when the next minute's first push arrives) must not land after the final one.
 */
const CANDLE_SETTLE_MS = 5_000;

export const rest: RestSpec = {
  defaultUrl: REST_DEFAULT_URL,
  limits: REST_LIMITS,
  klinesPageLimit: KLINES_PAGE_LIMIT,
  marketsRequest,
  parseMarkets,
  klinesRequest,
  parseKlines,
  tradesRequest,
  parseTrades,
  depthRequest,
  parseDepth,
  polls: [
    {
      name: "candles",
      requests: (q) => [
        klinesRequest({ market: q.market, interval: "1m", startTime: q.from, endTime: q.to }),
      ],
      parse: ([body], ctx) =>
        parseKlines(body, { ...ctx, interval: "1m" }).filter(
          (c) => c.closed && c.closeTime <= ctx.recvTs - CANDLE_SETTLE_MS,
        ),
    },
  ],
};
