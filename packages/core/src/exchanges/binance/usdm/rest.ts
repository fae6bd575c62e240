import type { KlinesQuery, RestContext, RestLimits, RestRequest, RestSpec } from "../../../adapter.ts";
import { ParseError } from "../../../errors.ts";
import { formatMarket, isMarketName } from "../../../markets.ts";
import type { MarketInfo } from "../../../schemas/market-info.ts";
import type { Book, Candle, CandleInterval, Deriv, Trade } from "../../../schemas/messages.ts";
import { int, isObject, num, sample } from "../../wire/fields.ts";
import { arrayBody, arrayField, objectBody, objectRow } from "../../wire/rest-body.ts";
import { restTrade } from "../../wire/rest-messages.ts";
import { pageLimit, type TradesQuery, unsupportedInterval } from "../../wire/rest-request.ts";
import { epochMs } from "../fields.ts";
import { depthSnapshot, filterValue, klineRows } from "../rest.ts";
import { isUsdmInterval, USDM_INTERVALS } from "./streams.ts";
import { symbolOf } from "./symbols.ts";

/**
 * Binance USD-M REST (fapi.binance.com, derivatives/usds-margined-futures/market-data/rest-api):
 * request builders with their request weight, and parsers that throw ParseError on anything
 * unexpected. Weight is metered apart from spot: 2400 per minute per IP, reported in
 * X-MBX-USED-WEIGHT-1m.
 */

export const USDM_REST_DEFAULT_URL = "https://fapi.binance.com";

export const USDM_REST_LIMITS: RestLimits = {
  budget: 2400,
  windowMs: 60_000,
  usedHeader: "x-mbx-used-weight-1m",
  // fapi weight is metered apart from spot's.
  scope: "binance-usdm",
};

/** Klines page: 1000 rows cost 5, 1500 cost 10, so 1000 is the cheaper page per row. */
export const USDM_KLINES_PAGE = 1000;
export const USDM_KLINES_MAX = 1500;
/** Rows one aggTrades call returns at most. */
export const USDM_TRADES_PAGE = 1000;
/** aggTrades refuses a startTime–endTime window of an hour or more. */
export const AGG_TRADES_MAX_WINDOW_MS = 3_600_000 - 1;
/** The depth limits fapi accepts. */
export const USDM_DEPTH_LIMITS = [5, 10, 20, 50, 100, 500, 1000] as const;

export const USDM_WEIGHTS = {
  exchangeInfo: 1,
  aggTrades: 20,
  openInterest: 1,
} as const;

const EXCHANGE = "binance";

/** GET /fapi/v1/depth weight: 5–50 levels: 2, 100: 5, 500: 10, 1000: 20. */
export function usdmDepthWeight(limit: number): number {
  if (limit <= 50) return 2;
  if (limit <= 100) return 5;
  if (limit <= 500) return 10;
  return 20;
}

/** GET /fapi/v1/klines weight: [1,100): 1, [100,500): 2, [500,1000]: 5, above: 10. */
export function usdmKlinesWeight(limit: number): number {
  if (limit < 100) return 1;
  if (limit < 500) return 2;
  if (limit <= 1000) return 5;
  return 10;
}

/** The smallest accepted depth limit that covers `limit` (fapi takes only the listed values). */
export function usdmDepthLimit(limit: number): number {
  for (const l of USDM_DEPTH_LIMITS) if (limit <= l) return l;
  return 1000;
}

// ---------------------------------------------------------------------------------------------
// markets

function marketsRequest(): RestRequest {
  return { method: "GET", path: "/fapi/v1/exchangeInfo", query: {}, weight: USDM_WEIGHTS.exchangeInfo };
}

function marketStatus(status: string): MarketInfo["status"] {
  switch (status) {
    case "TRADING":
      return "trading";
    case "PENDING_TRADING":
    case "PRE_TRADING":
    case "PRE_SETTLE":
    case "SETTLING":
    case "PRE_DELIVERING":
    case "DELIVERING":
      return "halted";
    default: // CLOSE, DELIVERED
      return "delisted";
  }
}

/**
 * The kind of an exchangeInfo row: `PERPETUAL` (and the newer `TRADIFI_PERPETUAL`)
 * contracts are perps; quarterly contracts (`BTCUSDT_250926`) dated futures named by the symbol's
 * expiry; anything else (settled contracts without a type) null.
 */
function contractKind(symbol: string, contractType: unknown): "perp" | "future" | null {
  if (typeof contractType !== "string") return null;
  if (contractType.endsWith("PERPETUAL")) return "perp";
  const u = symbol.lastIndexOf("_");
  return u > 0 && /^[0-9]{6}$/.test(symbol.slice(u + 1)) ? "future" : null;
}

/**
 * exchangeInfo → MarketInfo[]: perpetuals and dated futures, with tick size (PRICE_FILTER), lot
 * size (LOT_SIZE stepSize) and minimum notional (MIN_NOTIONAL `notional`, not spot's `minNotional`).
 */
function parseMarkets(body: unknown): MarketInfo[] {
  const symbols = arrayField(body, "symbols", "binance USD-M exchangeInfo");
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
        `binance USD-M exchangeInfo: symbols[${i}] lacks symbol/baseAsset/quoteAsset/status strings: ${sample(s)}`,
      );
    }
    const base = s.baseAsset.toUpperCase();
    const quote = s.quoteAsset.toUpperCase();
    const type = contractKind(s.symbol, s.contractType);
    if (type === null) continue;
    const market =
      type === "perp"
        ? formatMarket({ base, quote, kind: "perp" })
        : formatMarket({
            base,
            quote,
            kind: "future",
            expiry: s.symbol.slice(s.symbol.lastIndexOf("_") + 1),
          });
    if (!isMarketName(market)) continue;
    const filters = Array.isArray(s.filters) ? s.filters : [];
    out.push({
      exchange: EXCHANGE,
      market,
      symbol: s.symbol,
      base,
      quote,
      type,
      status: marketStatus(s.status),
      tickSize: filterValue(filters, "PRICE_FILTER", "tickSize"),
      lotSize: filterValue(filters, "LOT_SIZE", "stepSize"),
      minNotional: filterValue(filters, "MIN_NOTIONAL", "notional"),
    });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// klines

function klinesRequest(q: KlinesQuery): RestRequest {
  if (!isUsdmInterval(q.interval)) {
    throw unsupportedInterval("binance USD-M klines", q.interval, USDM_INTERVALS);
  }
  const query: Record<string, string | number> = { symbol: symbolOf(q.market), interval: q.interval };
  if (q.startTime !== undefined) query.startTime = Math.floor(q.startTime);
  if (q.endTime !== undefined) query.endTime = Math.floor(q.endTime);
  const limit = q.limit === undefined ? USDM_KLINES_PAGE : pageLimit(q.limit, USDM_KLINES_MAX);
  query.limit = limit;
  return { method: "GET", path: "/fapi/v1/klines", query, weight: usdmKlinesWeight(limit) };
}

/** Same rows as spot; closed = closeTime < recvTs. */
function parseKlines(body: unknown, ctx: RestContext & { interval: CandleInterval }): Candle[] {
  return klineRows(body, ctx, symbolOf(ctx.market));
}

// ---------------------------------------------------------------------------------------------
// trades (aggregate trades: the id space of the @aggTrade stream)

/**
 * GET /fapi/v1/aggTrades: from an id (`fromId`), or a time window (Binance refuses windows of an
 * hour or more, and warns that combining both can time out, so fromId wins and the window is cut to
 * under an hour: callers page on), or the most recent trades.
 */
function tradesRequest(q: TradesQuery): RestRequest {
  const symbol = symbolOf(q.market);
  const limit = pageLimit(q.limit, USDM_TRADES_PAGE);
  const query: Record<string, string | number> = { symbol };
  if (q.fromId !== undefined) {
    if (!/^[0-9]+$/.test(q.fromId))
      throw new Error(`binance USD-M trades: fromId must be an aggregate trade id, got "${q.fromId}"`);
    query.fromId = q.fromId;
  } else if (q.startTime !== undefined || q.endTime !== undefined) {
    const start =
      q.startTime !== undefined ? Math.floor(q.startTime) : Math.floor(q.endTime!) - AGG_TRADES_MAX_WINDOW_MS;
    const end = Math.min(
      q.endTime !== undefined ? Math.floor(q.endTime) : Number.POSITIVE_INFINITY,
      start + AGG_TRADES_MAX_WINDOW_MS,
    );
    query.startTime = start;
    query.endTime = end;
  }
  query.limit = limit;
  return { method: "GET", path: "/fapi/v1/aggTrades", query, weight: USDM_WEIGHTS.aggTrades };
}

/** The first aggregate trade id at or after a time: one aggTrades call from `startTime`, limit 1. */
const firstTradeId = {
  request: (market: string, time: number): RestRequest =>
    tradesRequest({ market, startTime: Math.ceil(time), limit: 1 }),
  parse(body: unknown): string | undefined {
    const rows = arrayBody(body, "binance USD-M aggTrades");
    if (rows.length === 0) return undefined;
    const a = int(objectRow(rows[0], 0, "binance USD-M aggTrades").a);
    if (Number.isNaN(a) || a < 0)
      throw new ParseError(`binance USD-M aggTrades: row 0 has no id: ${sample(rows[0])}`);
    return String(a);
  },
};

/** Rows `{a, p, q, f, l, T, m}` → trades (id = a, the @aggTrade id). */
function parseTrades(body: unknown, ctx: RestContext): Trade[] {
  const rows = arrayBody(body, "binance USD-M aggTrades");
  const symbol = symbolOf(ctx.market);
  const n = rows.length;
  const out: Trade[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const r = objectRow(rows[i], i, "binance USD-M aggTrades");
    const id = int(r.a);
    const price = num(r.p);
    const amount = num(r.q);
    const ts = epochMs(r.T);
    const maker = r.m;
    if (
      Number.isNaN(id) ||
      Number.isNaN(price) ||
      Number.isNaN(amount) ||
      Number.isNaN(ts) ||
      typeof maker !== "boolean"
    ) {
      throw new ParseError(`binance USD-M aggTrades: row ${i} lacks a/p/q/T/m: ${sample(r, 160)}`);
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
  const l = usdmDepthLimit(pageLimit(limit, 1000));
  return {
    method: "GET",
    path: "/fapi/v1/depth",
    query: { symbol: symbolOf(market), limit: l },
    weight: usdmDepthWeight(l),
  };
}

/** `{lastUpdateId, E, T, bids, asks}` → a snapshot (seq = lastUpdateId, ts = T when present). */
function parseDepth(body: unknown, ctx: RestContext): Book {
  const book = depthSnapshot(body, ctx, symbolOf(ctx.market));
  const t = epochMs((body as Record<string, unknown>).T);
  if (!Number.isNaN(t)) book.ts = t;
  return book;
}

// ---------------------------------------------------------------------------------------------
// open interest (no WebSocket stream on USD-M)

export function openInterestRequest(market: string): RestRequest {
  return {
    method: "GET",
    path: "/fapi/v1/openInterest",
    query: { symbol: symbolOf(market) },
    weight: USDM_WEIGHTS.openInterest,
  };
}

/** `{openInterest, symbol, time}` → a deriv message with only openInterest (ts = time). */
export function parseOpenInterest(body: unknown, ctx: RestContext): Deriv {
  const b = objectBody(body, "binance USD-M openInterest");
  const openInterest = num(b.openInterest);
  if (Number.isNaN(openInterest))
    throw new ParseError(`binance USD-M openInterest: bad openInterest ${sample(b.openInterest)}`);
  const ts = b.time === undefined ? ctx.recvTs : epochMs(b.time);
  if (Number.isNaN(ts)) throw new ParseError(`binance USD-M openInterest: bad time ${sample(b.time)}`);
  const symbol = symbolOf(ctx.market);
  if (b.symbol !== undefined && b.symbol !== symbol) {
    throw new ParseError(`binance USD-M openInterest: asked for ${symbol}, got ${sample(b.symbol)}`);
  }
  return {
    type: "deriv",
    exchange: EXCHANGE,
    market: ctx.market,
    symbol,
    ts,
    recvTs: ctx.recvTs,
    markPrice: null,
    indexPrice: null,
    fundingRate: null,
    nextFundingTime: null,
    openInterest,
  };
}

export const usdmRest: RestSpec = {
  defaultUrl: USDM_REST_DEFAULT_URL,
  limits: USDM_REST_LIMITS,
  klinesPageLimit: USDM_KLINES_PAGE,
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
  // mark price and funding stream (@markPrice); open interest does not
  polls: [
    {
      name: "deriv",
      requests: (q) => [openInterestRequest(q.market)],
      parse: ([body], ctx) => [parseOpenInterest(body, ctx)],
    },
  ],
};
