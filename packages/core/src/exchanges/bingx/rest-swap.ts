import type { KlinesQuery, RestContext, RestRequest, RestSpec } from "../../adapter.ts";
import { ParseError } from "../../errors.ts";
import { formatMarket, isMarketName } from "../../markets.ts";
import type { MarketInfo } from "../../schemas/market-info.ts";
import type { Book, Candle, CandleInterval, Trade } from "../../schemas/messages.ts";
import { epochMsInteger, int, isObject, num, positiveNum, sample } from "../wire/fields.ts";
import { arrayBody, nonNumericRow, objectRow } from "../wire/rest-body.ts";
import { restCandle } from "../wire/rest-messages.ts";
import { pageLimit, unsupportedInterval } from "../wire/rest-request.ts";
import { BINGX_INTERVALS, closeTimeOf, isBingxInterval } from "./intervals.ts";
import { parseDepthBody } from "./rest-book.ts";
import { marketStatus, REST_DEFAULT_URL, REST_LIMITS, requestTime, unwrap, WEIGHT } from "./rest-common.ts";
import { swapDerivPoll } from "./rest-deriv.ts";
import { parseTradeRows } from "./rest-trades.ts";
import { swapSymbolOf } from "./symbols.ts";

/**
 * BingX USDT-M perpetual swap REST: contracts `GET /openApi/swap/v2/quote/contracts`, klines
 * `GET /openApi/swap/v3/quote/klines` (≤ 1440), recent trades `GET /openApi/swap/v2/quote/trades`
 * (≤ 1000, no trade ids), older trades by id `GET /openApi/swap/v1/market/historicalTrades` (≤ 500),
 * depth `GET /openApi/swap/v2/quote/depth` (limit one of 5, 10, 20, 50, 100, 500, 1000). Every call
 * carries `timestamp`.
 */

export const SWAP_PATHS = {
  contracts: "/openApi/swap/v2/quote/contracts",
  klines: "/openApi/swap/v3/quote/klines",
  trades: "/openApi/swap/v2/quote/trades",
  historicalTrades: "/openApi/swap/v1/market/historicalTrades",
  depth: "/openApi/swap/v2/quote/depth",
} as const;

export const SWAP_KLINES_LIMIT = 1440;
export const SWAP_TRADES_LIMIT = 1000;
export const SWAP_HISTORICAL_TRADES_LIMIT = 500;
export const SWAP_DEPTH_LIMITS = [5, 10, 20, 50, 100, 500, 1000] as const;

function marketsRequest(): RestRequest {
  return { method: "GET", path: SWAP_PATHS.contracts, query: { timestamp: requestTime() }, weight: WEIGHT };
}

/** 10^-precision, the step a precision in decimals allows. */
function stepOf(precision: unknown): number | null {
  const p = int(precision);
  return Number.isNaN(p) || p < 0 || p > 18 ? null : Number(`1e-${p}`);
}

/** `{data:[{symbol,pricePrecision,quantityPrecision,tradeMinUSDT,status,...}]}` → MarketInfo[]. */
function parseMarkets(body: unknown): MarketInfo[] {
  const data = arrayBody(unwrap(body, "contracts"), "bingx contracts");
  const out: MarketInfo[] = [];
  for (let i = 0; i < data.length; i++) {
    const c = data[i];
    if (!isObject(c) || typeof c.symbol !== "string") {
      throw new ParseError(`bingx contracts: data[${i}] lacks a symbol: ${sample(c)}`);
    }
    const spot = c.symbol.toUpperCase();
    if (!isMarketName(spot)) continue;
    const [base, quote] = spot.split("-") as [string, string];
    out.push({
      exchange: "bingx",
      market: formatMarket({ base, quote, kind: "perp" }),
      symbol: c.symbol,
      base,
      quote,
      type: "perp",
      status: marketStatus(c.status),
      tickSize: stepOf(c.pricePrecision),
      lotSize: stepOf(c.quantityPrecision),
      minNotional: positiveNum(c.tradeMinUSDT),
    });
  }
  return out;
}

function klinesRequest(q: KlinesQuery): RestRequest {
  if (!isBingxInterval(q.interval)) {
    throw unsupportedInterval("bingx klines", q.interval, BINGX_INTERVALS);
  }
  const query: Record<string, string | number> = { symbol: swapSymbolOf(q.market), interval: q.interval };
  if (q.startTime !== undefined) query.startTime = Math.floor(q.startTime);
  if (q.endTime !== undefined) query.endTime = Math.floor(q.endTime);
  query.limit = pageLimit(q.limit, SWAP_KLINES_LIMIT);
  query.timeZone = 0;
  query.timestamp = requestTime();
  return { method: "GET", path: SWAP_PATHS.klines, query, weight: WEIGHT };
}

/**
 * Rows `{open,close,high,low,volume,time}` (time = open time; no close time, quote volume or trade
 * count: the close time is computed, the others are 0) → oldest first.
 */
function parseKlines(body: unknown, ctx: RestContext & { interval: CandleInterval }): Candle[] {
  const data = unwrap(body, "klines");
  const rows = arrayBody(data, "bingx klines", "an array of rows");
  if (!isBingxInterval(ctx.interval))
    throw new ParseError(`bingx klines: unsupported interval ${ctx.interval}`);
  const interval = ctx.interval;
  const symbol = swapSymbolOf(ctx.market);
  const out = rows.map((row, i): Candle => {
    const r = objectRow(row, i, "bingx klines");
    const openTime = epochMsInteger(r.time);
    const [open, high, low, close, volume] = [r.open, r.high, r.low, r.close, r.volume].map(num) as [
      number,
      number,
      number,
      number,
      number,
    ];
    if ([openTime, open, high, low, close, volume].some(Number.isNaN)) {
      throw nonNumericRow("bingx klines", i, r);
    }
    const closeTime = closeTimeOf(interval, openTime);
    return restCandle("bingx", ctx, symbol, {
      openTime,
      closeTime,
      open,
      high,
      low,
      close,
      volume,
      // swap kline rows carry neither
      quoteVolume: null,
      trades: null,
    });
  });
  return out.sort((a, b) => a.openTime - b.openTime);
}

/** With fromId: the history by id; otherwise the most recent trades. No time range. */
function tradesRequest(q: { market: string; fromId?: string; limit?: number }): RestRequest {
  const symbol = swapSymbolOf(q.market);
  if (q.fromId !== undefined) {
    if (!/^[0-9]+$/.test(q.fromId))
      throw new Error(`bingx trades: fromId must be a trade id, got "${q.fromId}"`);
    return {
      method: "GET",
      path: SWAP_PATHS.historicalTrades,
      query: {
        symbol,
        fromId: q.fromId,
        limit: pageLimit(q.limit, SWAP_HISTORICAL_TRADES_LIMIT),
        timestamp: requestTime(),
      },
      weight: WEIGHT,
    };
  }
  return {
    method: "GET",
    path: SWAP_PATHS.trades,
    query: { symbol, limit: pageLimit(q.limit, SWAP_TRADES_LIMIT), timestamp: requestTime() },
    weight: WEIGHT,
  };
}

function parseTrades(body: unknown, ctx: RestContext): Trade[] {
  return parseTradeRows(unwrap(body, "trades"), ctx, swapSymbolOf(ctx.market), "trades");
}

/** The smallest allowed depth limit that covers `limit` (1000 at most). */
export function swapDepthLimit(limit: number): number {
  for (const l of SWAP_DEPTH_LIMITS) if (limit <= l) return l;
  return 1000;
}

function depthRequest(market: string, limit: number): RestRequest {
  return {
    method: "GET",
    path: SWAP_PATHS.depth,
    query: { symbol: swapSymbolOf(market), limit: swapDepthLimit(limit), timestamp: requestTime() },
    weight: WEIGHT,
  };
}

function parseDepth(body: unknown, ctx: RestContext): Book {
  return parseDepthBody(unwrap(body, "depth"), ctx, swapSymbolOf(ctx.market), "depth");
}

export const swapRest: RestSpec = {
  defaultUrl: REST_DEFAULT_URL,
  limits: REST_LIMITS,
  klinesPageLimit: SWAP_KLINES_LIMIT,
  marketsRequest,
  parseMarkets,
  klinesRequest,
  parseKlines,
  tradesRequest,
  tradesPaging: "id",
  parseTrades,
  depthRequest,
  parseDepth,
  polls: [swapDerivPoll],
};
