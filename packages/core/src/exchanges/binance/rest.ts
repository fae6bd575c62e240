import type { KlinesQuery, RestContext, RestLimits, RestRequest, RestSpec } from "../../adapter.ts";
import { ParseError } from "../../errors.ts";
import { formatMarket, isMarketName } from "../../markets.ts";
import type { MarketInfo } from "../../schemas/market-info.ts";
import type { Book, Candle, CandleInterval, Trade } from "../../schemas/messages.ts";
import { int, isObject, num, positiveNum, sample } from "../wire/fields.ts";
import {
  arrayBody,
  arrayField,
  bookSide,
  klineRow,
  nonNumericRow,
  objectBody,
  objectRow,
} from "../wire/rest-body.ts";
import { restBookSnapshot, restCandle, restTrade } from "../wire/rest-messages.ts";
import { pageLimit, type TradesQuery, unsupportedInterval } from "../wire/rest-request.ts";
import { epochMs } from "./fields.ts";
import { BINANCE_INTERVALS, isBinanceInterval } from "./streams.ts";
import { symbolOf } from "./symbols.ts";

/**
 * Binance spot REST (rest-api.md): request builders with their request weight, and parsers that
 * validate the body and throw ParseError on anything unexpected.
 */

export const REST_DEFAULT_URL = "https://api.binance.com";

export const REST_LIMITS: RestLimits = {
  budget: 6000,
  windowMs: 60_000,
  usedHeader: "x-mbx-used-weight-1m",
};

/** Most rows one klines, trades or historicalTrades call returns. */
export const PAGE_LIMIT = 1000;
/** Most levels one depth call returns. */
export const DEPTH_MAX_LIMIT = 5000;

const EXCHANGE = "binance";

export const WEIGHTS = {
  exchangeInfo: 20,
  klines: 2,
  trades: 25,
  historicalTrades: 25,
  aggTrades: 4,
} as const;

/** GET /api/v3/depth weight by limit: 1–100: 5, 101–500: 25, 501–1000: 50, 1001–5000: 250. */
export function depthWeight(limit: number): number {
  if (limit <= 100) return 5;
  if (limit <= 500) return 25;
  if (limit <= 1000) return 50;
  return 250;
}

// ---------------------------------------------------------------------------------------------
// markets

function marketsRequest(): RestRequest {
  return { method: "GET", path: "/api/v3/exchangeInfo", query: {}, weight: WEIGHTS.exchangeInfo };
}

function marketStatus(status: string): MarketInfo["status"] {
  if (status === "TRADING") return "trading";
  if (status === "BREAK" || status === "HALT") return "halted";
  return "delisted";
}

/** A filter's numeric field; null when absent or zero (Binance's "no constraint"). */
export function filterValue(filters: unknown[], type: string, field: string): number | null {
  for (const f of filters) {
    if (isObject(f) && f.filterType === type) return positiveNum(f[field]);
  }
  return null;
}

/**
 * exchangeInfo → MarketInfo[]. Symbols whose assets cannot form a market name (non-alphanumeric
 * asset codes) are skipped; a body that is not exchangeInfo-shaped throws ParseError.
 */
function parseMarkets(body: unknown): MarketInfo[] {
  const symbols = arrayField(body, "symbols", "binance exchangeInfo");
  const out: MarketInfo[] = [];
  for (let i = 0; i < symbols.length; i++) {
    const s = symbols[i];
    if (
      !isObject(s) ||
      typeof s.symbol !== "string" ||
      typeof s.baseAsset !== "string" ||
      typeof s.quoteAsset !== "string" ||
      typeof s.status !== "string"
    ) {
      throw new ParseError(
        `binance exchangeInfo: symbols[${i}] lacks symbol/baseAsset/quoteAsset/status strings: ${sample(s)}`,
      );
    }
    const base = s.baseAsset.toUpperCase();
    const quote = s.quoteAsset.toUpperCase();
    const market = formatMarket({ base, quote, kind: "spot" });
    if (!isMarketName(market)) continue;
    const filters = Array.isArray(s.filters) ? s.filters : [];
    out.push({
      exchange: EXCHANGE,
      market,
      symbol: s.symbol,
      base,
      quote,
      type: "spot",
      status: marketStatus(s.status),
      tickSize: filterValue(filters, "PRICE_FILTER", "tickSize"),
      lotSize: filterValue(filters, "LOT_SIZE", "stepSize"),
      minNotional:
        filterValue(filters, "NOTIONAL", "minNotional") ??
        filterValue(filters, "MIN_NOTIONAL", "minNotional"),
    });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// klines

function klinesRequest(q: KlinesQuery): RestRequest {
  if (!isBinanceInterval(q.interval)) {
    throw unsupportedInterval("binance klines", q.interval, BINANCE_INTERVALS);
  }
  const query: Record<string, string | number> = { symbol: symbolOf(q.market), interval: q.interval };
  if (q.startTime !== undefined) query.startTime = Math.floor(q.startTime);
  if (q.endTime !== undefined) query.endTime = Math.floor(q.endTime);
  query.limit = pageLimit(q.limit, PAGE_LIMIT);
  return { method: "GET", path: "/api/v3/klines", query, weight: WEIGHTS.klines };
}

/**
 * Rows `[openTime, o, h, l, c, volume, closeTime, quoteVolume, trades, takerBuyBase, takerBuyQuote, ignore]`.
 * closed = closeTime < recvTs; ts = closeTime for a closed candle (so re-fetching it yields the
 * same message id), recvTs for the candle still open.
 */
function parseKlines(body: unknown, ctx: RestContext & { interval: CandleInterval }): Candle[] {
  return klineRows(body, ctx, symbolOf(ctx.market));
}

/** Kline rows of `symbol` → candles (the row format is the same on spot and USD-M). */
export function klineRows(
  body: unknown,
  ctx: RestContext & { interval: CandleInterval },
  symbol: string,
): Candle[] {
  const rows = arrayBody(body, "binance klines", "an array of rows");
  const n = rows.length;
  const out: Candle[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const r = klineRow(rows[i], i, "binance klines", 9);
    const openTime = epochMs(r[0]);
    const open = num(r[1]);
    const high = num(r[2]);
    const low = num(r[3]);
    const close = num(r[4]);
    const volume = num(r[5]);
    const closeTime = epochMs(r[6]);
    const quoteVolume = num(r[7]);
    const trades = int(r[8]);
    if (
      Number.isNaN(openTime) ||
      Number.isNaN(open) ||
      Number.isNaN(high) ||
      Number.isNaN(low) ||
      Number.isNaN(close) ||
      Number.isNaN(volume) ||
      Number.isNaN(closeTime) ||
      Number.isNaN(quoteVolume) ||
      Number.isNaN(trades)
    ) {
      throw nonNumericRow("binance klines", i, r);
    }
    out[i] = restCandle(EXCHANGE, ctx, symbol, {
      openTime,
      closeTime,
      open,
      high,
      low,
      close,
      volume,
      quoteVolume,
      trades,
    });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// trades

/**
 * With fromId: GET /api/v3/historicalTrades (pages forward from a trade id); otherwise the most
 * recent trades, GET /api/v3/trades. Neither takes a time range (Binance rejects unread
 * parameters), so startTime/endTime are not sent: callers page by id and filter by time.
 */
function tradesRequest(q: TradesQuery): RestRequest {
  const symbol = symbolOf(q.market);
  const limit = pageLimit(q.limit, PAGE_LIMIT);
  if (q.fromId !== undefined) {
    if (!/^[0-9]+$/.test(q.fromId))
      throw new Error(`binance trades: fromId must be a trade id, got "${q.fromId}"`);
    return {
      method: "GET",
      path: "/api/v3/historicalTrades",
      query: { symbol, fromId: q.fromId, limit },
      weight: WEIGHTS.historicalTrades,
    };
  }
  return { method: "GET", path: "/api/v3/trades", query: { symbol, limit }, weight: WEIGHTS.trades };
}

/**
 * The first trade id at or after `time`: GET /api/v3/aggTrades?startTime&endTime&limit=1 (weight 4
 * against historicalTrades' 25 per probe of an id search); its `f` is the aggregate's first trade.
 * Binance allows at most an hour between startTime and endTime.
 */
export const firstTradeId = {
  request(market: string, time: number): RestRequest {
    const startTime = Math.ceil(time);
    return {
      method: "GET",
      path: "/api/v3/aggTrades",
      query: { symbol: symbolOf(market), startTime, endTime: startTime + 3_599_999, limit: 1 },
      weight: WEIGHTS.aggTrades,
    };
  },
  parse(body: unknown): string | undefined {
    const rows = arrayBody(body, "binance aggTrades");
    if (rows.length === 0) return undefined;
    const f = objectRow(rows[0], 0, "binance aggTrades").f;
    if (typeof f !== "number" || !Number.isSafeInteger(f) || f < 0)
      throw new ParseError(`binance aggTrades: row 0 has no first trade id: ${sample(rows[0])}`);
    return String(f);
  },
};

/** Rows `{id, price, qty, quoteQty, time, isBuyerMaker, isBestMatch}` → trades. */
function parseTrades(body: unknown, ctx: RestContext): Trade[] {
  const rows = arrayBody(body, "binance trades");
  const symbol = symbolOf(ctx.market);
  const n = rows.length;
  const out: Trade[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const r = objectRow(rows[i], i, "binance trades");
    const id = r.id;
    const price = num(r.price);
    const amount = num(r.qty);
    const ts = epochMs(r.time);
    const maker = r.isBuyerMaker;
    if (
      (typeof id !== "number" && typeof id !== "string") ||
      Number.isNaN(price) ||
      Number.isNaN(amount) ||
      Number.isNaN(ts) ||
      typeof maker !== "boolean"
    ) {
      throw new ParseError(
        `binance trades: row ${i} lacks id/price/qty/time/isBuyerMaker: ${sample(r, 160)}`,
      );
    }
    out[i] = restTrade(EXCHANGE, ctx, symbol, {
      ts,
      id: String(id),
      price,
      amount,
      side: maker ? "sell" : "buy",
    });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// depth

function depthRequest(market: string, limit: number): RestRequest {
  const l = pageLimit(limit, DEPTH_MAX_LIMIT);
  return {
    method: "GET",
    path: "/api/v3/depth",
    query: { symbol: symbolOf(market), limit: l },
    weight: depthWeight(l),
  };
}

/** `{lastUpdateId, bids, asks}` → a book snapshot (seq = lastUpdateId; the body has no time: ts = recvTs). */
function parseDepth(body: unknown, ctx: RestContext): Book {
  return depthSnapshot(body, ctx, symbolOf(ctx.market));
}

/** A depth body of `symbol` → a book snapshot (same shape on spot and USD-M). */
export function depthSnapshot(body: unknown, ctx: RestContext, symbol: string): Book {
  const b = objectBody(body, "binance depth");
  const seq = int(b.lastUpdateId);
  if (Number.isNaN(seq)) throw new ParseError(`binance depth: bad lastUpdateId ${sample(b.lastUpdateId)}`);
  const bids = bookSide(b.bids, "binance depth", "bids", "[price, qty]");
  const asks = bookSide(b.asks, "binance depth", "asks", "[price, qty]");
  return restBookSnapshot(EXCHANGE, ctx, symbol, { ts: ctx.recvTs, seq, bids, asks });
}

export const rest: RestSpec = {
  defaultUrl: REST_DEFAULT_URL,
  limits: REST_LIMITS,
  klinesPageLimit: PAGE_LIMIT,
  marketsRequest,
  parseMarkets,
  klinesRequest,
  parseKlines,
  tradesRequest,
  tradesPaging: "id",
  firstTradeId,
  parseTrades,
  depthRequest,
  parseDepth,
};
