import type { FrameResult, ParseContext } from "../../adapter.ts";
import type { Bbo, Book, Candle, Level, Ticker, Trade } from "../../schemas/messages.ts";
import { int, isObject, num, sample } from "../wire/fields.ts";
import { badField, ignored, unknownSymbol } from "../wire/frame-results.ts";
import { trackCandles } from "./candles.ts";
import { intervalOfMinutes } from "./channels.ts";
import type { ExactLevel } from "./checksum.ts";
import { exact, subtract } from "./fields.ts";
import { EXCHANGE, HEARTBEAT, invalid, PONG, requestId } from "./results.ts";
import { bookSequence } from "./sequence.ts";
import { rfc3339Ms, toMicros } from "./time.ts";

/**
 * Kraken WebSocket v2 frames (JSON objects) → normalized messages.
 *
 * | frame                                         | result                                          |
 * |-----------------------------------------------|-------------------------------------------------|
 * | `channel:"trade"` snapshot/update             | trades (id = trade_id, side = taker side)       |
 * | `channel:"ticker"`                            | ticker + bbo (one L1 + 24 h record per symbol)  |
 * | `channel:"book"` snapshot/update              | book with checksum and the exact strings        |
 * | `channel:"ohlc"`                              | candles; `closed` by interval end (see candles) |
 * | `channel:"heartbeat"`                         | control heartbeat                               |
 * | `channel:"status"`                            | ignored `status`                                |
 * | `channel:"instrument"/"level3"/...`           | ignored `unsupported:<channel>`                 |
 * | `method:"subscribe"/"unsubscribe"`, success   | ack (id = req_id)                               |
 * | `success:false`                               | error (id = req_id, message + symbol)           |
 * | `method:"pong"`                               | control pong                                    |
 */

const IGNORED_CHANNELS: ReadonlySet<string> = new Set(["instrument", "level3", "executions", "balances"]);
const STATUS: FrameResult = Object.freeze(ignored("status"));

export function parseV2(p: Record<string, unknown>, ctx: ParseContext): FrameResult {
  const channel = p.channel;
  if (typeof channel === "string") {
    switch (channel) {
      case "trade":
        return parseTrades(p, ctx);
      case "ticker":
        return parseTicker(p, ctx);
      case "book":
        return parseBook(p, ctx);
      case "ohlc":
        return parseOhlc(p, ctx);
      case "heartbeat":
        return HEARTBEAT;
      case "status":
        return STATUS;
    }
    if (IGNORED_CHANNELS.has(channel)) return ignored(`unsupported:${channel}`);
    return invalid("unknown_event", `unknown channel ${sample(channel, 40)}`);
  }
  const method = p.method;
  if (p.success === false) return errorResult(p);
  if (method === "pong") return PONG;
  if (typeof method === "string" && p.success === true) return { kind: "ack", id: requestId(p.req_id) };
  return invalid(
    "unknown_event",
    `no channel or method; keys ${sample(Object.keys(p).slice(0, 8).join(","))}`,
  );
}

function errorResult(p: Record<string, unknown>): FrameResult {
  const text = typeof p.error === "string" ? p.error : sample(p.error);
  const symbol = typeof p.symbol === "string" ? ` (symbol ${p.symbol})` : "";
  const method = typeof p.method === "string" ? `${p.method}: ` : "";
  return { kind: "error", id: requestId(p.req_id), message: `${method}${text}${symbol}` };
}

/** The `data` array of a channel frame. */
function dataOf(p: Record<string, unknown>, what: string): unknown[] | FrameResult {
  const data = p.data;
  return Array.isArray(data) ? data : badField(what, "data", data);
}

/** Frame time (`timestamp` at the top or in an entry) or the receive time when there is none. */
function timeOf(v: unknown, ctx: ParseContext): number {
  return v === undefined ? ctx.recvTs : rfc3339Ms(v);
}

function parseTrades(p: Record<string, unknown>, ctx: ParseContext): FrameResult {
  const data = dataOf(p, "trade");
  if (!Array.isArray(data)) return data;
  const out: Trade[] = new Array(data.length);
  for (let i = 0; i < data.length; i++) {
    const d = data[i];
    if (!isObject(d)) return badField("trade", `data[${i}]`, d);
    const symbol = d.symbol;
    if (typeof symbol !== "string") return badField("trade", "symbol", symbol);
    const market = ctx.marketOf(symbol);
    if (market === undefined) return unknownSymbol("trade", symbol);
    const id = int(d.trade_id);
    if (Number.isNaN(id)) return badField("trade", "trade_id", d.trade_id);
    const price = num(d.price);
    if (Number.isNaN(price)) return badField("trade", "price", d.price);
    const amount = num(d.qty);
    if (Number.isNaN(amount)) return badField("trade", "qty", d.qty);
    const side = d.side;
    if (side !== "buy" && side !== "sell") return badField("trade", "side", side);
    const ts = rfc3339Ms(d.timestamp);
    if (Number.isNaN(ts)) return badField("trade", "timestamp", d.timestamp);
    out[i] = {
      type: "trade",
      exchange: EXCHANGE,
      market,
      symbol,
      ts,
      recvTs: ctx.recvTs,
      id: String(id),
      price,
      amount,
      side,
    };
  }
  return { kind: "data", messages: out };
}

const TICKER_FIELDS = ["bid", "bid_qty", "ask", "ask_qty", "last", "volume", "vwap", "low", "high", "change"];
const OHLC_FIELDS = ["open", "high", "low", "close", "volume", "vwap"];

/** Reads numeric fields; the name of the first bad one instead when there is one. */
function numbers(d: Record<string, unknown>, names: readonly string[]): Record<string, number> | string {
  const out: Record<string, number> = {};
  for (const name of names) {
    const v = num(d[name]);
    if (Number.isNaN(v)) return name;
    out[name] = v;
  }
  return out;
}

function parseTicker(p: Record<string, unknown>, ctx: ParseContext): FrameResult {
  const data = dataOf(p, "ticker");
  if (!Array.isArray(data)) return data;
  const out: Array<Ticker | Bbo> = [];
  for (let i = 0; i < data.length; i++) {
    const d = data[i];
    if (!isObject(d)) return badField("ticker", `data[${i}]`, d);
    const symbol = d.symbol;
    if (typeof symbol !== "string") return badField("ticker", "symbol", symbol);
    const market = ctx.marketOf(symbol);
    if (market === undefined) return unknownSymbol("ticker", symbol);
    const ts = timeOf(d.timestamp ?? p.timestamp, ctx);
    if (Number.isNaN(ts)) return badField("ticker", "timestamp", d.timestamp);
    const f = numbers(d, TICKER_FIELDS);
    if (typeof f === "string") return badField("ticker", f, d[f]);
    // change_pct is rounded to 2 decimals by Kraken; absent in older frames
    const pct = d.change_pct === undefined ? null : num(d.change_pct);
    if (Number.isNaN(pct)) return badField("ticker", "change_pct", d.change_pct);
    const open = subtract(f.last!, f.change!);
    const base = { exchange: EXCHANGE, market, symbol, ts, recvTs: ctx.recvTs };
    out.push({
      type: "ticker",
      ...base,
      last: f.last!,
      open,
      high: f.high!,
      low: f.low!,
      volume: f.volume!,
      quoteVolume: f.vwap! * f.volume!,
      change: f.change!,
      changePct: pct ?? (open === 0 ? 0 : (f.change! / open) * 100),
      bid: f.bid!,
      ask: f.ask!,
    });
    out.push({
      type: "bbo",
      ...base,
      bidPrice: f.bid!,
      bidAmount: f.bid_qty!,
      askPrice: f.ask!,
      askAmount: f.ask_qty!,
    });
  }
  return { kind: "data", messages: out };
}

/** `[{price, qty}, ...]` → numeric levels and the exact strings; null when an entry is malformed. */
function bookLevels(v: unknown): { levels: Level[]; exact: ExactLevel[] } | null {
  if (!Array.isArray(v)) return null;
  const levels: Level[] = new Array(v.length);
  const strings: ExactLevel[] = new Array(v.length);
  for (let i = 0; i < v.length; i++) {
    const row = v[i];
    if (!isObject(row)) return null;
    const ps = exact(row.price);
    const qs = exact(row.qty);
    if (ps === null || qs === null) return null;
    levels[i] = [+ps, +qs];
    strings[i] = [ps, qs];
  }
  return { levels, exact: strings };
}

function parseBook(p: Record<string, unknown>, ctx: ParseContext): FrameResult {
  const type = p.type;
  if (type !== "snapshot" && type !== "update") return badField("book", "type", type);
  const data = dataOf(p, "book");
  if (!Array.isArray(data)) return data;
  const out: Book[] = new Array(data.length);
  for (let i = 0; i < data.length; i++) {
    const d = data[i];
    if (!isObject(d)) return badField("book", `data[${i}]`, d);
    const symbol = d.symbol;
    if (typeof symbol !== "string") return badField("book", "symbol", symbol);
    const market = ctx.marketOf(symbol);
    if (market === undefined) return unknownSymbol("book", symbol);
    const bids = bookLevels(d.bids);
    if (bids === null) return badField("book", "bids", d.bids);
    const asks = bookLevels(d.asks);
    if (asks === null) return badField("book", "asks", d.asks);
    const checksum = int(d.checksum);
    if (Number.isNaN(checksum) || checksum < 0) return badField("book", "checksum", d.checksum);
    const ts = timeOf(d.timestamp, ctx);
    if (Number.isNaN(ts)) return badField("book", "timestamp", d.timestamp);
    const snapshot = type === "snapshot";
    const { seq, prevSeq } = bookSequence(ctx.state, symbol, toMicros(ts), snapshot);
    out[i] = {
      type: "book",
      exchange: EXCHANGE,
      market,
      symbol,
      ts,
      recvTs: ctx.recvTs,
      kind: snapshot ? "snapshot" : "delta",
      seq,
      prevSeq,
      bids: bids.levels,
      asks: asks.levels,
      checksum,
      exact: { bids: bids.exact, asks: asks.exact },
    };
  }
  return { kind: "data", messages: out };
}

function parseOhlc(p: Record<string, unknown>, ctx: ParseContext): FrameResult {
  const data = dataOf(p, "ohlc");
  if (!Array.isArray(data)) return data;
  // The message time decides which candles have ended (and keeps the message ids of updates apart).
  const now = timeOf(p.timestamp, ctx);
  if (Number.isNaN(now)) return badField("ohlc", "timestamp", p.timestamp);
  const candles: Candle[] = [];
  for (let i = 0; i < data.length; i++) {
    const d = data[i];
    if (!isObject(d)) return badField("ohlc", `data[${i}]`, d);
    const symbol = d.symbol;
    if (typeof symbol !== "string") return badField("ohlc", "symbol", symbol);
    const market = ctx.marketOf(symbol);
    if (market === undefined) return unknownSymbol("ohlc", symbol);
    const minutes = int(d.interval);
    if (Number.isNaN(minutes)) return badField("ohlc", "interval", d.interval);
    const interval = intervalOfMinutes(minutes);
    if (interval === undefined) return ignored(`unsupported:ohlc-${minutes}`);
    const openTime = rfc3339Ms(d.interval_begin);
    if (Number.isNaN(openTime)) return badField("ohlc", "interval_begin", d.interval_begin);
    const fields = numbers(d, OHLC_FIELDS);
    if (typeof fields === "string") return badField("ohlc", fields, d[fields]);
    const trades = int(d.trades);
    if (Number.isNaN(trades)) return badField("ohlc", "trades", d.trades);
    const closeTime = openTime + minutes * 60_000 - 1;
    candles.push({
      type: "candle",
      exchange: EXCHANGE,
      market,
      symbol,
      ts: now,
      recvTs: ctx.recvTs,
      interval,
      openTime,
      closeTime,
      open: fields.open!,
      high: fields.high!,
      low: fields.low!,
      close: fields.close!,
      volume: fields.volume!,
      quoteVolume: fields.vwap! * fields.volume!,
      trades,
      closed: closeTime < now,
    });
  }
  return { kind: "data", messages: trackCandles(ctx.state, candles) };
}
