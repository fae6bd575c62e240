import type { KlinesQuery, RestContext, RestLimits, RestRequest, RestSpec } from "../../adapter.ts";
import { ParseError } from "../../errors.ts";
import type { Book, Candle, CandleInterval, Trade } from "../../schemas/messages.ts";
import { restInBaseUnits } from "../wire/contracts.ts";
import { int, isObject, num, sample } from "../wire/fields.ts";
import { bookSide, objectRow } from "../wire/rest-body.ts";
import { restBookSnapshot, restTrade } from "../wire/rest-messages.ts";
import { pageLimit, type TradesQuery, unsupportedInterval } from "../wire/rest-request.ts";
import { epochMs } from "./fields.ts";
import { isOkxInterval, OKX_BARS, OKX_INTERVALS } from "./intervals.ts";
import { candleOfRow } from "./parse-candle.ts";
import { okxData } from "./rest-body.ts";
import { type InstType, parseInstruments } from "./rest-markets.ts";
import { EXCHANGE } from "./results.ts";

/**
 * OKX v5 public REST. Every endpoint has its own limit per IP (2 s windows); they are modelled as
 * one budget of 40 units per 2 s in which each call costs 40 / its endpoint's limit, so no
 * endpoint can exceed its own limit. OKX reports no used-weight header; a 429 carries code 50011.
 *
 * | endpoint                        | limit / 2 s | weight | page                          |
 * |---------------------------------|-------------|--------|-------------------------------|
 * | /api/v5/public/instruments      | 20          | 2      | all instruments of a type     |
 * | /api/v5/market/candles          | 40          | 1      | ≤ 300, newest 1440 bars only   |
 * | /api/v5/market/history-candles  | 20          | 2      | ≤ 100, any age                 |
 * | /api/v5/market/trades           | 100         | 1      | ≤ 500 most recent              |
 * | /api/v5/market/history-trades   | 20          | 2      | ≤ 100, by tradeId or ts        |
 * | /api/v5/market/books            | 40          | 1      | ≤ 400 levels                   |
 *
 * Paging runs BACKWARDS: answers are newest first; `after` asks for records older than a ts (or
 * trade id), `before` for newer ones, and `before` alone returns the NEWEST page above it, not the
 * page right after it. A caller walks back by setting endTime to (oldest openTime or ts − 1).
 * Parsers return rows oldest first.
 */

export const REST_DEFAULT_URL = "https://www.okx.com";

export const REST_LIMITS: RestLimits = { budget: 40, windowMs: 2000 };

export const WEIGHTS = {
  instruments: 2,
  candles: 1,
  historyCandles: 2,
  trades: 1,
  historyTrades: 2,
  books: 1,
} as const;

/** Rows of one history-candles page (the smaller of the two candle endpoints' pages). */
export const KLINES_PAGE_LIMIT = 100;
export const RECENT_KLINES_LIMIT = 300;
export const HISTORY_TRADES_LIMIT = 100;
export const RECENT_TRADES_LIMIT = 500;
export const DEPTH_MAX_LIMIT = 400;

/** How the klines and trades pages advance (see the table above). */
export const PAGING = "backward" as const;

/** `BigInt`-safe id − 1 (OKX trade ids are decimal strings). */
function previousId(id: string): string {
  if (!/^[0-9]+$/.test(id)) throw new Error(`okx trades: fromId must be a trade id, got "${id}"`);
  const n = BigInt(id);
  return (n > 0n ? n - 1n : 0n).toString();
}

export function createRest(symbolOf: (market: string) => string, instType: InstType): RestSpec {
  function klinesRequest(q: KlinesQuery): RestRequest {
    if (!isOkxInterval(q.interval)) {
      throw unsupportedInterval("okx candles", q.interval, OKX_INTERVALS);
    }
    const query: Record<string, string | number> = { instId: symbolOf(q.market), bar: OKX_BARS[q.interval] };
    if (q.startTime === undefined && q.endTime === undefined) {
      // the latest bars: the recent endpoint is cheaper and has bigger pages
      query.limit = pageLimit(q.limit, RECENT_KLINES_LIMIT, KLINES_PAGE_LIMIT);
      return { method: "GET", path: "/api/v5/market/candles", query, weight: WEIGHTS.candles };
    }
    // ts < after and ts > before, newest first
    if (q.endTime !== undefined) query.after = Math.floor(q.endTime) + 1;
    // a bound at or before the epoch is no bound (OKX takes no negative ts)
    if (q.startTime !== undefined && q.startTime > 0) query.before = Math.ceil(q.startTime) - 1;
    query.limit = pageLimit(q.limit, KLINES_PAGE_LIMIT);
    return { method: "GET", path: "/api/v5/market/history-candles", query, weight: WEIGHTS.historyCandles };
  }

  /** Rows `[ts, o, h, l, c, vol, volCcy, volCcyQuote, confirm]`, newest first → candles, oldest first. */
  function parseKlines(body: unknown, ctx: RestContext & { interval: CandleInterval }): Candle[] {
    const rows = okxData(body, "candles");
    if (!isOkxInterval(ctx.interval))
      throw new ParseError(`okx candles: unsupported interval ${ctx.interval}`);
    const symbol = symbolOf(ctx.market);
    const out: Candle[] = new Array(rows.length);
    for (let i = 0; i < rows.length; i++) {
      const c = candleOfRow(rows[i], ctx.interval, ctx.market, symbol, ctx.recvTs);
      if (typeof c === "string")
        throw new ParseError(`okx candles: row ${i} has a bad "${c}": ${sample(rows[i], 160)}`);
      out[i] = c;
    }
    return out.sort((a, b) => a.openTime - b.openTime);
  }

  /**
   * With fromId: history-trades by trade id (`before` = fromId − 1: ids ≥ fromId, newest page
   * first); with a time range: history-trades by time (`type=2`, `after` = endTime + 1; OKX takes
   * no lower time bound, callers stop at startTime); otherwise the most recent trades.
   */
  function tradesRequest(q: TradesQuery): RestRequest {
    const instId = symbolOf(q.market);
    if (q.fromId !== undefined) {
      return {
        method: "GET",
        path: "/api/v5/market/history-trades",
        query: {
          instId,
          type: 1,
          before: previousId(q.fromId),
          limit: pageLimit(q.limit, HISTORY_TRADES_LIMIT),
        },
        weight: WEIGHTS.historyTrades,
      };
    }
    if (q.startTime !== undefined || q.endTime !== undefined) {
      const query: Record<string, string | number> = { instId, type: 2 };
      if (q.endTime !== undefined) query.after = Math.floor(q.endTime) + 1;
      query.limit = pageLimit(q.limit, HISTORY_TRADES_LIMIT);
      return { method: "GET", path: "/api/v5/market/history-trades", query, weight: WEIGHTS.historyTrades };
    }
    return {
      method: "GET",
      path: "/api/v5/market/trades",
      query: { instId, limit: pageLimit(q.limit, RECENT_TRADES_LIMIT, HISTORY_TRADES_LIMIT) },
      weight: WEIGHTS.trades,
    };
  }

  /** Rows `{instId, tradeId, px, sz, side, ts}`, newest first → trades, oldest first. */
  function parseTrades(body: unknown, ctx: RestContext): Trade[] {
    const rows = okxData(body, "trades");
    const symbol = symbolOf(ctx.market);
    const out: Trade[] = new Array(rows.length);
    for (let i = 0; i < rows.length; i++) {
      const r = objectRow(rows[i], i, "okx trades");
      const id = r.tradeId;
      const price = num(r.px);
      const amount = num(r.sz);
      const ts = epochMs(r.ts);
      const side = r.side;
      if (
        typeof id !== "string" ||
        id.length === 0 ||
        Number.isNaN(price) ||
        Number.isNaN(amount) ||
        Number.isNaN(ts) ||
        (side !== "buy" && side !== "sell")
      ) {
        throw new ParseError(`okx trades: row ${i} lacks tradeId/px/sz/ts/side: ${sample(r, 160)}`);
      }
      out[i] = restInBaseUnits(restTrade(EXCHANGE, ctx, symbol, { ts, id, price, amount, side }), ctx);
    }
    return out.sort((a, b) => a.ts - b.ts || compareIds(a.id, b.id));
  }

  function depthRequest(market: string, limit: number): RestRequest {
    return {
      method: "GET",
      path: "/api/v5/market/books",
      query: { instId: symbolOf(market), sz: pageLimit(limit, DEPTH_MAX_LIMIT) },
      weight: WEIGHTS.books,
    };
  }

  /**
   * `data[0] = {asks, bids, ts}` → a snapshot. The REST book has no seqId: seq = ts. OKX's books
   * channel starts with its own snapshot, so a book resync resubscribes rather than polling this.
   */
  function parseDepth(body: unknown, ctx: RestContext): Book {
    const rows = okxData(body, "books");
    const r = rows[0];
    if (!isObject(r)) throw new ParseError(`okx books: data[0] is not an object: ${sample(r)}`);
    const ts = epochMs(r.ts);
    if (Number.isNaN(ts)) throw new ParseError(`okx books: bad ts ${sample(r.ts)}`);
    const bids = bookSide(r.bids, "okx books", "bids", "levels");
    const asks = bookSide(r.asks, "okx books", "asks", "levels");
    const seq = r.seqId === undefined ? ts : int(r.seqId);
    if (Number.isNaN(seq)) throw new ParseError(`okx books: bad seqId ${sample(r.seqId)}`);
    return restInBaseUnits(
      restBookSnapshot(EXCHANGE, ctx, symbolOf(ctx.market), { ts, seq, bids, asks }),
      ctx,
    );
  }

  return {
    defaultUrl: REST_DEFAULT_URL,
    limits: REST_LIMITS,
    klinesPageLimit: KLINES_PAGE_LIMIT,
    marketsRequest: () => ({
      method: "GET",
      path: "/api/v5/public/instruments",
      query: { instType },
      weight: WEIGHTS.instruments,
    }),
    parseMarkets: (body) => parseInstruments(body, instType),
    klinesRequest,
    parseKlines,
    tradesRequest,
    parseTrades,
    depthRequest,
    parseDepth,
  };
}

/** Numeric-string ids compared as numbers (length first: no leading zeros). */
function compareIds(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}
