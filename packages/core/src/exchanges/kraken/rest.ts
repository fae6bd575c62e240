import type { KlinesQuery, RestContext, RestLimits, RestRequest, RestSpec } from "../../adapter.ts";
import { ParseError, TransientError } from "../../errors.ts";
import type { MarketInfo } from "../../schemas/market-info.ts";
import type { Book, Candle, CandleInterval, Level, Trade } from "../../schemas/messages.ts";
import { int, isObject, num, sample } from "../wire/fields.ts";
import { arrayBody, nonNumericRow, objectBody } from "../wire/rest-body.ts";
import { restBookSnapshot, restCandle, restTrade } from "../wire/rest-messages.ts";
import { pageLimit, type TradesQuery } from "../wire/rest-request.ts";
import { intervalMinutes } from "./channels.ts";
import type { ExactLevel } from "./checksum.ts";
import { exact } from "./fields.ts";
import { EXCHANGE } from "./results.ts";
import { isoAsset, marketOfSymbol, restPair, symbolOf, v2Symbol } from "./symbols.ts";
import { epochSecondsMs, toMicros } from "./time.ts";

/**
 * Kraken spot public REST (docs.kraken.com/api, market data): request builders and parsers that
 * throw ParseError on a body they cannot read, and TransientError when Kraken answers with a
 * retryable error (rate limit, busy, unavailable). Every body is `{"error":[...],"result":{...}}`
 * and the result is keyed by Kraken's own pair name (`XXBTZUSD`), which we do not need to know.
 *
 * Rate limit: public calls are metered per IP by a decaying counter (about one call per second
 * sustained, short bursts allowed); modelled as 10 calls per 10 s, one unit each, no header.
 */

export const REST_DEFAULT_URL = "https://api.kraken.com";

export const REST_LIMITS: RestLimits = { budget: 10, windowMs: 10_000 };

/** OHLC returns at most the 720 most recent candles; older ones cannot be fetched at all. */
export const OHLC_PAGE_LIMIT = 720;
/** Trades: at most 1000 per call, paging forward by `since` (nanoseconds). */
export const TRADES_PAGE_LIMIT = 1000;
/** Depth: `count` 1..500 levels per side. */
export const DEPTH_MAX_COUNT = 500;

const WEIGHT = 1;

const RETRYABLE = [
  "EAPI:Rate limit exceeded",
  "EGeneral:Too many requests",
  "EService:Unavailable",
  "EService:Busy",
];

/** The `result` of a Kraken body; throws on `error` entries or a body of another shape. */
function resultOf(body: unknown, what: string): Record<string, unknown> {
  const b = objectBody(body, `kraken ${what}`);
  const errors = b.error;
  if (Array.isArray(errors) && errors.length > 0) {
    const text = errors.map(String).join("; ");
    if (errors.some((e) => RETRYABLE.some((r) => String(e).startsWith(r))))
      throw new TransientError("exchange_busy", `kraken ${what}: ${text}`);
    throw new ParseError(`kraken ${what}: ${text}`);
  }
  const result = b.result;
  if (!isObject(result)) throw new ParseError(`kraken ${what}: no "result" object in ${sample(b)}`);
  return result;
}

/** The one pair entry of a per-pair result (keyed by Kraken's pair name, next to `last`). */
function pairEntry(result: Record<string, unknown>, what: string): unknown {
  for (const key of Object.keys(result)) if (key !== "last") return result[key];
  throw new ParseError(`kraken ${what}: the result holds no pair`);
}

// ---------------------------------------------------------------------------------------------
// markets

function marketsRequest(): RestRequest {
  return { method: "GET", path: "/0/public/AssetPairs", query: {}, weight: WEIGHT };
}

function marketStatus(status: unknown): MarketInfo["status"] {
  if (status === undefined || status === "online") return "trading";
  if (status === "delisted") return "delisted";
  return "halted"; // cancel_only, post_only, limit_only, reduce_only, maintenance
}

function power10(decimals: unknown): number | null {
  const d = int(decimals);
  return Number.isNaN(d) || d < 0 || d > 18 ? null : Number(`1e-${d}`);
}

/**
 * AssetPairs → MarketInfo[]. Pairs without a `wsname` (dark pool `.d` pairs) or whose asset codes
 * cannot form a market name (`ETH2.S/ETH`) are skipped.
 */
function parseMarkets(body: unknown): MarketInfo[] {
  const result = resultOf(body, "AssetPairs");
  const out: MarketInfo[] = [];
  for (const [key, p] of Object.entries(result)) {
    if (!isObject(p)) throw new ParseError(`kraken AssetPairs: ${key} is not an object: ${sample(p)}`);
    if (typeof p.wsname !== "string") continue;
    const market = marketOfSymbol(p.wsname);
    if (market === undefined) continue;
    const [base, quote] = market.split("-") as [string, string];
    const tick = num(p.tick_size);
    const costmin = num(p.costmin);
    out.push({
      exchange: EXCHANGE,
      market,
      symbol: v2Symbol(p.wsname),
      base: isoAsset(base),
      quote: isoAsset(quote),
      type: "spot",
      status: marketStatus(p.status),
      tickSize: tick > 0 ? tick : power10(p.pair_decimals),
      lotSize: power10(p.lot_decimals),
      minNotional: costmin > 0 ? costmin : null,
    });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// klines

/**
 * GET /0/public/OHLC?pair&interval(minutes)&since(seconds). Kraken returns candles newer than
 * `since`, but only among its 720 most recent: history beyond that must be rebuilt from trades.
 * endTime and limit have no Kraken parameter; callers filter.
 */
function klinesRequest(q: KlinesQuery): RestRequest {
  const query: Record<string, string | number> = {
    pair: restPair(q.market),
    interval: intervalMinutes(q.interval),
  };
  // one second earlier, so that the candle opening at startTime is included
  if (q.startTime !== undefined) query.since = Math.max(0, Math.floor(q.startTime / 1000) - 1);
  return { method: "GET", path: "/0/public/OHLC", query, weight: WEIGHT };
}

/**
 * Rows `[time(s), open, high, low, close, vwap, volume, count]`, oldest first; the last row is the
 * candle still open. closed = closeTime < recvTs; ts = closeTime when closed (stable message ids).
 */
function parseKlines(body: unknown, ctx: RestContext & { interval: CandleInterval }): Candle[] {
  const rows = arrayBody(pairEntry(resultOf(body, "OHLC"), "OHLC"), "kraken OHLC", "rows");
  const lengthMs = intervalMinutes(ctx.interval) * 60_000;
  const symbol = symbolOf(ctx.market);
  return rows.map((r, i): Candle => {
    if (!Array.isArray(r) || r.length < 8) throw new ParseError(`kraken OHLC: row ${i} is ${sample(r)}`);
    const openTime = int(r[0]) * 1000;
    const [open, high, low, close, vwap, volume] = [1, 2, 3, 4, 5, 6].map((k) => num(r[k])) as number[];
    const trades = int(r[7]);
    if ([openTime, open, high, low, close, vwap, volume, trades].some((x) => Number.isNaN(x)))
      throw nonNumericRow("kraken OHLC", i, r);
    const closeTime = openTime + lengthMs - 1;
    return restCandle(EXCHANGE, ctx, symbol, {
      openTime,
      closeTime,
      open: open!,
      high: high!,
      low: low!,
      close: close!,
      volume: volume!,
      quoteVolume: vwap! * volume!,
      trades,
    });
  });
}

// ---------------------------------------------------------------------------------------------
// trades

/**
 * GET /0/public/Trades?pair&since(ns)&count: up to 1000 trades from `since`, oldest first, paging
 * forward by the body's `last`. Without startTime: the most recent trades. Kraken has no paging by
 * trade id, so a request by fromId alone is refused rather than answered with the wrong trades.
 */
function tradesRequest(q: TradesQuery): RestRequest {
  const query: Record<string, string | number> = { pair: restPair(q.market) };
  if (q.startTime !== undefined) {
    // nanoseconds exceed 2^53: built as a string
    // one nanosecond earlier: Kraken returns trades after `since`, and the one at startTime counts
    const ms = Math.floor(q.startTime);
    query.since = ms > 0 ? `${ms - 1}999999` : "0";
  } else if (q.fromId !== undefined) {
    throw new Error("kraken trades: Kraken pages trades by time (since), not by id; pass startTime");
  }
  query.count = pageLimit(q.limit, TRADES_PAGE_LIMIT);
  return { method: "GET", path: "/0/public/Trades", query, weight: WEIGHT };
}

/** Rows `[price, volume, time(s), "b"|"s", "l"|"m", misc, trade_id]` → trades (id = trade_id). */
function parseTrades(body: unknown, ctx: RestContext): Trade[] {
  const rows = arrayBody(pairEntry(resultOf(body, "Trades"), "Trades"), "kraken Trades", "rows");
  const symbol = symbolOf(ctx.market);
  return rows.map((r, i): Trade => {
    if (!Array.isArray(r) || r.length < 7) throw new ParseError(`kraken Trades: row ${i} is ${sample(r)}`);
    const price = num(r[0]);
    const amount = num(r[1]);
    const ts = epochSecondsMs(r[2]);
    const side = r[3];
    const id = int(r[6]);
    if (
      Number.isNaN(price) ||
      Number.isNaN(amount) ||
      Number.isNaN(ts) ||
      (side !== "b" && side !== "s") ||
      Number.isNaN(id)
    ) {
      throw new ParseError(
        `kraken Trades: row ${i} lacks price/volume/time/side/trade_id: ${sample(r, 160)}`,
      );
    }
    return restTrade(EXCHANGE, ctx, symbol, {
      ts,
      id: String(id),
      price,
      amount,
      side: side === "b" ? "buy" : "sell",
    });
  });
}

// ---------------------------------------------------------------------------------------------
// depth

function depthRequest(market: string, limit: number): RestRequest {
  return {
    method: "GET",
    path: "/0/public/Depth",
    query: { pair: restPair(market), count: pageLimit(limit, DEPTH_MAX_COUNT) },
    weight: WEIGHT,
  };
}

function depthSide(v: unknown, side: string): { levels: Level[]; exact: ExactLevel[]; latest: number } {
  if (!Array.isArray(v)) throw new ParseError(`kraken Depth: ${side} is not a list: ${sample(v)}`);
  let latest = 0;
  const levels: Level[] = [];
  const strings: ExactLevel[] = [];
  for (const row of v) {
    const p = Array.isArray(row) ? exact(row[0]) : null;
    const q = Array.isArray(row) ? exact(row[1]) : null;
    const t = Array.isArray(row) ? epochSecondsMs(row[2]) : Number.NaN;
    if (p === null || q === null || Number.isNaN(t))
      throw new ParseError(`kraken Depth: bad ${side} level ${sample(row)}`);
    levels.push([+p, +q]);
    strings.push([p, q]);
    if (t > latest) latest = t;
  }
  return { levels, exact: strings, latest };
}

/**
 * `{asks, bids}` of `[price, volume, time]` → a snapshot with the exact strings (for checksums);
 * seq = the latest level time in µs, ts = recvTs (the body has no time of its own).
 */
function parseDepth(body: unknown, ctx: RestContext): Book {
  const entry = pairEntry(resultOf(body, "Depth"), "Depth");
  const sides = objectBody(entry, "kraken Depth", "{asks, bids}");
  const bids = depthSide(sides.bids, "bids");
  const asks = depthSide(sides.asks, "asks");
  const latest = Math.max(bids.latest, asks.latest);
  return {
    ...restBookSnapshot(EXCHANGE, ctx, symbolOf(ctx.market), {
      ts: ctx.recvTs,
      seq: toMicros(latest > 0 ? latest : ctx.recvTs),
      bids: bids.levels,
      asks: asks.levels,
    }),
    exact: { bids: bids.exact, asks: asks.exact },
  };
}

export const rest: RestSpec = {
  defaultUrl: REST_DEFAULT_URL,
  limits: REST_LIMITS,
  klinesPageLimit: OHLC_PAGE_LIMIT,
  marketsRequest,
  parseMarkets,
  klinesRequest,
  parseKlines,
  tradesRequest,
  parseTrades,
  depthRequest,
  parseDepth,
};
