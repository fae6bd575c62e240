import type { KlinesQuery, RestContext, RestRequest, RestSpec } from "../../adapter.ts";
import { ParseError } from "../../errors.ts";
import { isMarketName } from "../../markets.ts";
import type { MarketInfo } from "../../schemas/market-info.ts";
import type { Book, Candle, CandleInterval, Trade } from "../../schemas/messages.ts";
import { epochMsInteger, isObject, num, positiveNum, sample } from "../wire/fields.ts";
import { klineRow, nonNumericRow } from "../wire/rest-body.ts";
import { restCandle } from "../wire/rest-messages.ts";
import { pageLimit, unsupportedInterval } from "../wire/rest-request.ts";
import { BINGX_INTERVALS, isBingxInterval } from "./intervals.ts";
import { parseDepthBody } from "./rest-book.ts";
import { marketStatus, REST_DEFAULT_URL, REST_LIMITS, requestTime, unwrap, WEIGHT } from "./rest-common.ts";
import { parseTradeRows } from "./rest-trades.ts";
import { spotSymbolOf } from "./symbols.ts";

/**
 * BingX spot REST: symbols `GET /openApi/spot/v1/common/symbols`, klines
 * `GET /openApi/spot/v2/market/kline` (≤ 1440 rows, newest first), recent trades
 * `GET /openApi/spot/v1/market/trades` (≤ 500), older trades by id `GET /openApi/market/his/v1/trade`
 * (≤ 500; its ids are not the stream's trade ids), depth `GET /openApi/spot/v1/market/depth` (≤ 1000).
 */

export const SPOT_PATHS = {
  symbols: "/openApi/spot/v1/common/symbols",
  klines: "/openApi/spot/v2/market/kline",
  trades: "/openApi/spot/v1/market/trades",
  historicalTrades: "/openApi/market/his/v1/trade",
  depth: "/openApi/spot/v1/market/depth",
} as const;

export const SPOT_KLINES_LIMIT = 1440;
export const SPOT_TRADES_LIMIT = 500;
export const SPOT_DEPTH_LIMIT = 1000;

function marketsRequest(): RestRequest {
  return { method: "GET", path: SPOT_PATHS.symbols, query: { timestamp: requestTime() }, weight: WEIGHT };
}

/** `{data:{symbols:[{symbol,tickSize,stepSize,minNotional,status,...}]}}` → MarketInfo[]. */
function parseMarkets(body: unknown): MarketInfo[] {
  const data = unwrap(body, "symbols");
  const symbols = isObject(data) ? data.symbols : undefined;
  if (!Array.isArray(symbols)) {
    throw new ParseError(`bingx symbols: expected data.symbols to be an array, got ${sample(data)}`);
  }
  const out: MarketInfo[] = [];
  for (let i = 0; i < symbols.length; i++) {
    const s = symbols[i];
    if (!isObject(s) || typeof s.symbol !== "string") {
      throw new ParseError(`bingx symbols: symbols[${i}] lacks a symbol: ${sample(s)}`);
    }
    const market = s.symbol.toUpperCase();
    if (!isMarketName(market)) continue; // odd names (pre-listings, non-alphanumeric codes)
    const [base, quote] = market.split("-") as [string, string];
    out.push({
      exchange: "bingx",
      market,
      symbol: s.symbol,
      base,
      quote,
      type: "spot",
      status: marketStatus(s.status),
      tickSize: positiveNum(s.tickSize),
      lotSize: positiveNum(s.stepSize),
      minNotional: positiveNum(s.minNotional),
    });
  }
  return out;
}

function klinesRequest(q: KlinesQuery): RestRequest {
  if (!isBingxInterval(q.interval)) {
    throw unsupportedInterval("bingx klines", q.interval, BINGX_INTERVALS);
  }
  const query: Record<string, string | number> = { symbol: spotSymbolOf(q.market), interval: q.interval };
  if (q.startTime !== undefined) query.startTime = Math.floor(q.startTime);
  if (q.endTime !== undefined) query.endTime = Math.floor(q.endTime);
  query.limit = pageLimit(q.limit, SPOT_KLINES_LIMIT);
  query.timeZone = 0; // UTC boundaries, like every other venue's candles
  query.timestamp = requestTime();
  return { method: "GET", path: SPOT_PATHS.klines, query, weight: WEIGHT };
}

/**
 * Rows `[openTime, open, high, low, close, volume, closeTime, quoteVolume]` (no trade count: 0),
 * newest first → oldest first. closed = closeTime < recvTs; ts = closeTime when closed.
 */
function parseKlines(body: unknown, ctx: RestContext & { interval: CandleInterval }): Candle[] {
  const data = unwrap(body, "klines");
  const rows = isObject(data) ? data.klines : data;
  if (!Array.isArray(rows))
    throw new ParseError(`bingx klines: expected an array of rows, got ${sample(data)}`);
  const symbol = spotSymbolOf(ctx.market);
  const out = rows.map((row, i): Candle => {
    const r = klineRow(row, i, "bingx klines", 8);
    const openTime = epochMsInteger(r[0]);
    const closeTime = epochMsInteger(r[6]);
    const [open, high, low, close, volume, quoteVolume] = [r[1], r[2], r[3], r[4], r[5], r[7]].map(num) as [
      number,
      number,
      number,
      number,
      number,
      number,
    ];
    if ([openTime, closeTime, open, high, low, close, volume, quoteVolume].some(Number.isNaN)) {
      throw nonNumericRow("bingx klines", i, r);
    }
    return restCandle("bingx", ctx, symbol, {
      openTime,
      closeTime,
      open,
      high,
      low,
      close,
      volume,
      quoteVolume,
      trades: null, // not in BingX kline rows
    });
  });
  return out.sort((a, b) => a.openTime - b.openTime);
}

/** With fromId: the trade history by id; otherwise the most recent trades. No time range. */
function tradesRequest(q: { market: string; fromId?: string; limit?: number }): RestRequest {
  const symbol = spotSymbolOf(q.market);
  const limit = pageLimit(q.limit, SPOT_TRADES_LIMIT);
  if (q.fromId !== undefined) {
    if (!/^[0-9]+$/.test(q.fromId))
      throw new Error(`bingx trades: fromId must be a trade id, got "${q.fromId}"`);
    return {
      method: "GET",
      path: SPOT_PATHS.historicalTrades,
      query: { symbol, fromId: q.fromId, limit, timestamp: requestTime() },
      weight: WEIGHT,
    };
  }
  return {
    method: "GET",
    path: SPOT_PATHS.trades,
    query: { symbol, limit, timestamp: requestTime() },
    weight: WEIGHT,
  };
}

function parseTrades(body: unknown, ctx: RestContext): Trade[] {
  return parseTradeRows(unwrap(body, "trades"), ctx, spotSymbolOf(ctx.market), "trades");
}

function depthRequest(market: string, limit: number): RestRequest {
  return {
    method: "GET",
    path: SPOT_PATHS.depth,
    query: {
      symbol: spotSymbolOf(market),
      limit: pageLimit(limit, SPOT_DEPTH_LIMIT),
      timestamp: requestTime(),
    },
    weight: WEIGHT,
  };
}

function parseDepth(body: unknown, ctx: RestContext): Book {
  return parseDepthBody(unwrap(body, "depth"), ctx, spotSymbolOf(ctx.market), "depth");
}

export const spotRest: RestSpec = {
  defaultUrl: REST_DEFAULT_URL,
  limits: REST_LIMITS,
  klinesPageLimit: SPOT_KLINES_LIMIT,
  marketsRequest,
  parseMarkets,
  klinesRequest,
  parseKlines,
  tradesRequest,
  parseTrades,
  depthRequest,
  parseDepth,
};
