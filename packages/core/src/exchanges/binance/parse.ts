import type { FrameResult, ParseContext } from "../../adapter.ts";
import type { Bbo, Book, Candle, Level, Ticker, Trade } from "../../schemas/messages.ts";
import { int, isObject, levels, num, sample } from "../wire/fields.ts";
import { notAnObject, parseJson, utf8Frame } from "../wire/frame-json.ts";
import { badField, invalid as invalidResult, unknownSymbol } from "../wire/frame-results.ts";
import { textsOf } from "../wire/json-text.ts";
import { isDepthFrame, type ScannedDepth, scanDepthFrame } from "./book-scan.ts";
import { epochMs } from "./fields.ts";
import { isBinanceInterval } from "./streams.ts";

/**
 * Binance spot frames → normalized messages. Accepts the combined-stream envelope
 * `{"stream":"btcusdt@trade","data":{...}}` and raw payloads alike. Never throws: anything it
 * cannot read comes back as `{ kind: "invalid", reason, detail }` with one of the reasons below.
 *
 * | payload                                   | result                                    |
 * |-------------------------------------------|-------------------------------------------|
 * | `e:"trade"`                               | trade (ts = T, id = t, m ⇒ taker sell)    |
 * | `e:"aggTrade"` (as USD-M's)               | trade (ts = T, id = a, m ⇒ taker sell)    |
 * | no `e`, has `u`,`s`,`b`,`a` (bookTicker)  | bbo (ts = recvTs, seq = u)                |
 * | `e:"24hrTicker"`                          | ticker (ts = E)                           |
 * | `e:"kline"`                               | candle (ts = E, closed = k.x)             |
 * | `e:"depthUpdate"`                         | book delta (seq = u, prevSeq = U - 1)     |
 * | `<sym>@depthSnapshot` envelope (replays)  | book snapshot (seq = lastUpdateId)        |
 * | `{"result":..,"id":..}`                   | ack                                       |
 * | `{"code":..,"msg":..}` / `{"error":{..}}` | error                                     |
 * | `e:"serverShutdown"`                      | control server-shutdown                   |
 * | miniTicker, partial depth, ...            | ignored (`unsupported:<what>`)            |
 */

export const INVALID_REASONS = [
  "malformed_json",
  "invalid_shape",
  "unknown_event",
  "invalid_field",
  "unknown_symbol",
] as const;
export type InvalidReason = (typeof INVALID_REASONS)[number];

const EXCHANGE = "binance";

export const SERVER_SHUTDOWN: FrameResult = Object.freeze({ kind: "control", event: "server-shutdown" });

/** Events Binance sends that we understand but do not normalize (we never subscribe to them). */
const IGNORED_EVENTS: ReadonlyMap<string, FrameResult> = new Map(
  ["24hrMiniTicker", "1hTicker", "4hTicker", "1dTicker", "avgPrice", "blockTrade", "referencePrice"].map(
    (e): [string, FrameResult] => [e, Object.freeze({ kind: "ignored", reason: `unsupported:${e}` })],
  ),
);
const IGNORED_PARTIAL_DEPTH: FrameResult = Object.freeze({
  kind: "ignored",
  reason: "unsupported:partialDepth",
});
export const IGNORED_ARRAY: FrameResult = Object.freeze({
  kind: "ignored",
  reason: "unsupported:arrayStream",
});

/** Binance's invalid results carry one of INVALID_REASONS. */
const invalid: (reason: InvalidReason, detail: string) => FrameResult = invalidResult;

/** Reads one payload (the `data` of a combined-stream envelope, or a raw frame). */
export type PayloadParser = (
  p: Record<string, unknown>,
  stream: string | undefined,
  ctx: ParseContext,
) => FrameResult;

/** The texts of a connection's symbols, in its parser state. */
const TEXTS = "texts";

export function parseFrame(frame: string | Uint8Array, ctx: ParseContext): FrameResult {
  const text = utf8Frame(frame);
  // depthUpdate diffs, most of a book feed, are read from the text when they can be (book-scan.ts)
  if (isDepthFrame(text)) {
    const d = scanDepthFrame(text, textsOf(ctx.state, TEXTS));
    if (d !== undefined) return parseScannedDepth(d, ctx);
  }
  return parseJsonFrame(text, ctx);
}

/** What book-scan.ts read from a depthUpdate frame, checked as the JSON way checks its payload. */
export function parseScannedDepth(d: ScannedDepth, ctx: ParseContext): FrameResult {
  return depthDiffOf(d.s, d.E, d.U, d.u, undefined, d.bids, d.asks, true, ctx, SPOT_DIFF);
}

/** A frame the JSON.parse way: what the text reader's results are held to (exported for tests). */
export function parseJsonFrame(text: string, ctx: ParseContext): FrameResult {
  return parseEnvelope(text, ctx, parsePayload);
}

/**
 * Decoding and the combined-stream envelope, shared by Binance's spot and USD-M parsers: they
 * differ only in the payloads they read.
 */
export function parseEnvelope(
  frame: string | Uint8Array,
  ctx: ParseContext,
  payload: PayloadParser,
): FrameResult {
  const text = utf8Frame(frame);
  const json = parseJson(text);
  if (!json.ok) return json.result;
  const msg = json.value;
  if (!isObject(msg)) {
    return Array.isArray(msg) ? IGNORED_ARRAY : notAnObject(text);
  }
  const stream = msg.stream;
  if (typeof stream === "string") {
    const data = msg.data;
    if (isObject(data)) return payload(data, stream, ctx);
    if (Array.isArray(data)) return IGNORED_ARRAY;
    return invalid(
      "invalid_shape",
      `stream ${sample(stream, 40)}: "data" is ${data === undefined ? "missing" : "not an object"}`,
    );
  }
  return payload(msg, undefined, ctx);
}

export function parsePayload(
  p: Record<string, unknown>,
  stream: string | undefined,
  ctx: ParseContext,
): FrameResult {
  const e = p.e;
  if (typeof e === "string") {
    switch (e) {
      case "trade":
        return parseTrade(p, ctx);
      case "aggTrade":
        return parseAggTrade(p, ctx);
      case "depthUpdate":
        return parseDepthUpdate(p, ctx);
      case "kline":
        return parseKline(p, ctx);
      case "24hrTicker":
        return parseTicker(p, ctx);
      case "bookTicker": // the futures form carries e/E/T; spot's has no event type
        return parseBookTicker(p, ctx);
      case "serverShutdown":
        return SERVER_SHUTDOWN;
      default:
        return IGNORED_EVENTS.get(e) ?? invalid("unknown_event", `unknown event type ${sample(e, 40)}`);
    }
  }
  if (e !== undefined) return badField("event", "e", e);

  // payloads without an event type: bookTicker, control responses, depth snapshots
  if (p.u !== undefined && p.s !== undefined && p.b !== undefined) return parseBookTicker(p, ctx);
  if (p.result !== undefined && p.id !== undefined) return { kind: "ack", id: requestId(p.id) };
  if (p.code !== undefined && p.msg !== undefined) return errorResult(p.code, p.msg, p.id);
  const error = p.error;
  if (isObject(error)) return errorResult(error.code, error.msg, p.id);
  if (p.lastUpdateId !== undefined) {
    return stream?.endsWith("@depthSnapshot") ? parseDepthSnapshot(p, stream, ctx) : IGNORED_PARTIAL_DEPTH;
  }
  const event = p.event; // WebSocket API form: {"event":{"e":"serverShutdown",...}}
  if (isObject(event) && event.e === "serverShutdown") return SERVER_SHUTDOWN;
  return invalid("unknown_event", `no event type; keys ${sample(Object.keys(p).slice(0, 8).join(","), 60)}`);
}

function requestId(id: unknown): string | number | null {
  return typeof id === "number" || typeof id === "string" ? id : null;
}

function errorResult(code: unknown, msg: unknown, id: unknown): FrameResult {
  const text = typeof msg === "string" ? msg : sample(msg);
  return {
    kind: "error",
    id: requestId(id),
    message: code === undefined ? text : `${text} (code ${sample(code, 20)})`,
  };
}

export function parseTrade(p: Record<string, unknown>, ctx: ParseContext): FrameResult {
  return parseTradeWith(p, ctx, "trade", spotTradeId);
}

/**
 * An aggregate trade (spot and USD-M alike): id = `a`, the id space of REST aggTrades. The live
 * spot feed subscribes `@trade`; spot aggTrade frames come from recordings and other tools.
 */
export function parseAggTrade(p: Record<string, unknown>, ctx: ParseContext): FrameResult {
  return parseTradeWith(p, ctx, "aggTrade", aggTradeId);
}

const IGNORED_AGG_TRADE_WITHOUT_ID: FrameResult = Object.freeze({
  kind: "ignored",
  reason: "unsupported:aggTradeWithoutId",
});

function aggTradeId(p: Record<string, unknown>): string | FrameResult {
  // the 2019 USD-M launch format had no aggregate id: without it a trade cannot join REST's id space
  if (p.a === undefined) return IGNORED_AGG_TRADE_WITHOUT_ID;
  const id = int(p.a);
  if (Number.isNaN(id)) return badField("aggTrade", "a", p.a);
  return String(id);
}

/** A trade's id as a string, or the result that rejects (or ignores) the payload. */
export type TradeIdReader = (p: Record<string, unknown>) => string | FrameResult;

function spotTradeId(p: Record<string, unknown>): string | FrameResult {
  const t = p.t;
  if (typeof t !== "number" && (typeof t !== "string" || t.length === 0)) return badField("trade", "t", t);
  return typeof t === "number" ? String(t) : t;
}

/**
 * A trade payload (`s`,`p`,`q`,`T`,`m`), shared by spot `trade` and USD-M `aggTrade`: they differ
 * in the event named in errors and where the id comes from.
 */
export function parseTradeWith(
  p: Record<string, unknown>,
  ctx: ParseContext,
  event: string,
  readId: TradeIdReader,
): FrameResult {
  const symbol = p.s;
  if (typeof symbol !== "string") return badField(event, "s", symbol);
  const market = ctx.marketOf(symbol);
  if (market === undefined) return unknownSymbol(event, symbol);
  const id = readId(p);
  if (typeof id !== "string") return id;
  const price = num(p.p);
  if (Number.isNaN(price)) return badField(event, "p", p.p);
  const amount = num(p.q);
  if (Number.isNaN(amount)) return badField(event, "q", p.q);
  const ts = epochMs(p.T ?? p.E);
  if (Number.isNaN(ts)) return badField(event, "T", p.T);
  const m = p.m;
  if (typeof m !== "boolean") return badField(event, "m", m);
  const msg: Trade = {
    type: "trade",
    exchange: EXCHANGE,
    market,
    symbol,
    ts,
    recvTs: ctx.recvTs,
    id,
    price,
    amount,
    // m: the buyer is the maker ⇒ the taker sold
    side: m ? "sell" : "buy",
  };
  return { kind: "data", messages: [msg] };
}

export function parseBookTicker(p: Record<string, unknown>, ctx: ParseContext): FrameResult {
  const symbol = p.s;
  if (typeof symbol !== "string") return badField("bookTicker", "s", symbol);
  const market = ctx.marketOf(symbol);
  if (market === undefined) return unknownSymbol("bookTicker", symbol);
  const seq = int(p.u);
  if (Number.isNaN(seq)) return badField("bookTicker", "u", p.u);
  const bidPrice = num(p.b);
  if (Number.isNaN(bidPrice)) return badField("bookTicker", "b", p.b);
  const bidAmount = num(p.B);
  if (Number.isNaN(bidAmount)) return badField("bookTicker", "B", p.B);
  const askPrice = num(p.a);
  if (Number.isNaN(askPrice)) return badField("bookTicker", "a", p.a);
  const askAmount = num(p.A);
  if (Number.isNaN(askAmount)) return badField("bookTicker", "A", p.A);
  // spot bookTicker has no event time; the futures form has T (transaction) and E
  const t = p.T ?? p.E;
  const ts = t === undefined ? ctx.recvTs : epochMs(t);
  if (Number.isNaN(ts)) return badField("bookTicker", "T", t);
  const msg: Bbo = {
    type: "bbo",
    exchange: EXCHANGE,
    market,
    symbol,
    ts,
    recvTs: ctx.recvTs,
    bidPrice,
    bidAmount,
    askPrice,
    askAmount,
    seq,
  };
  return { kind: "data", messages: [msg] };
}

export function parseTicker(p: Record<string, unknown>, ctx: ParseContext): FrameResult {
  const symbol = p.s;
  if (typeof symbol !== "string") return badField("24hrTicker", "s", symbol);
  const market = ctx.marketOf(symbol);
  if (market === undefined) return unknownSymbol("24hrTicker", symbol);
  const ts = epochMs(p.E);
  if (Number.isNaN(ts)) return badField("24hrTicker", "E", p.E);
  const last = num(p.c);
  if (Number.isNaN(last)) return badField("24hrTicker", "c", p.c);
  const open = num(p.o);
  if (Number.isNaN(open)) return badField("24hrTicker", "o", p.o);
  const high = num(p.h);
  if (Number.isNaN(high)) return badField("24hrTicker", "h", p.h);
  const low = num(p.l);
  if (Number.isNaN(low)) return badField("24hrTicker", "l", p.l);
  const volume = num(p.v);
  if (Number.isNaN(volume)) return badField("24hrTicker", "v", p.v);
  const quoteVolume = num(p.q);
  if (Number.isNaN(quoteVolume)) return badField("24hrTicker", "q", p.q);
  const change = num(p.p);
  if (Number.isNaN(change)) return badField("24hrTicker", "p", p.p);
  const changePct = num(p.P);
  if (Number.isNaN(changePct)) return badField("24hrTicker", "P", p.P);
  const bid = p.b === undefined ? null : num(p.b);
  if (Number.isNaN(bid)) return badField("24hrTicker", "b", p.b);
  const ask = p.a === undefined ? null : num(p.a);
  if (Number.isNaN(ask)) return badField("24hrTicker", "a", p.a);
  const msg: Ticker = {
    type: "ticker",
    exchange: EXCHANGE,
    market,
    symbol,
    ts,
    recvTs: ctx.recvTs,
    last,
    open,
    high,
    low,
    volume,
    quoteVolume,
    change,
    changePct,
    bid,
    ask,
  };
  return { kind: "data", messages: [msg] };
}

export function parseKline(p: Record<string, unknown>, ctx: ParseContext): FrameResult {
  const symbol = p.s;
  if (typeof symbol !== "string") return badField("kline", "s", symbol);
  const market = ctx.marketOf(symbol);
  if (market === undefined) return unknownSymbol("kline", symbol);
  const ts = epochMs(p.E);
  if (Number.isNaN(ts)) return badField("kline", "E", p.E);
  const k = p.k;
  if (!isObject(k)) return badField("kline", "k", k);
  const interval = k.i;
  if (!isBinanceInterval(interval)) return badField("kline", "k.i", interval);
  const openTime = epochMs(k.t);
  if (Number.isNaN(openTime)) return badField("kline", "k.t", k.t);
  const closeTime = epochMs(k.T);
  if (Number.isNaN(closeTime)) return badField("kline", "k.T", k.T);
  const open = num(k.o);
  if (Number.isNaN(open)) return badField("kline", "k.o", k.o);
  const high = num(k.h);
  if (Number.isNaN(high)) return badField("kline", "k.h", k.h);
  const low = num(k.l);
  if (Number.isNaN(low)) return badField("kline", "k.l", k.l);
  const close = num(k.c);
  if (Number.isNaN(close)) return badField("kline", "k.c", k.c);
  const volume = num(k.v);
  if (Number.isNaN(volume)) return badField("kline", "k.v", k.v);
  const quoteVolume = num(k.q);
  if (Number.isNaN(quoteVolume)) return badField("kline", "k.q", k.q);
  const trades = int(k.n);
  if (Number.isNaN(trades)) return badField("kline", "k.n", k.n);
  const closed = k.x;
  if (typeof closed !== "boolean") return badField("kline", "k.x", closed);
  const msg: Candle = {
    type: "candle",
    exchange: EXCHANGE,
    market,
    symbol,
    ts,
    recvTs: ctx.recvTs,
    interval,
    openTime,
    closeTime,
    open,
    high,
    low,
    close,
    volume,
    quoteVolume,
    trades,
    closed,
  };
  return { kind: "data", messages: [msg] };
}

function parseDepthUpdate(p: Record<string, unknown>, ctx: ParseContext): FrameResult {
  return parseDepthDiff(p, ctx, SPOT_DIFF);
}

/** Where a `depthUpdate` takes its time and its link to the previous diff. */
export interface DepthDiffFormat {
  /** "E": the event time (spot); "T": the matching-engine time, falling back to E (USD-M). */
  time: "E" | "T";
  /** "U": prevSeq = U - 1 (spot); "pu": prevSeq = pu, the previous event's u (USD-M). */
  prevSeq: "U" | "pu";
}

const SPOT_DIFF: DepthDiffFormat = { time: "E", prevSeq: "U" };

/** A `depthUpdate` diff, shared by spot and USD-M (see DepthDiffFormat for what differs). */
export function parseDepthDiff(
  p: Record<string, unknown>,
  ctx: ParseContext,
  format: DepthDiffFormat,
): FrameResult {
  const time = format.time === "T" ? (p.T ?? p.E) : p.E;
  return depthDiffOf(p.s, time, p.U, p.u, p.pu, p.b, p.a, false, ctx, format);
}

/**
 * A diff's fields checked in order, from a payload (`read` false: `b`, `a` as JSON.parse gave them)
 * or from book-scan.ts (`read` true: `b`, `a` already levels).
 */
export function depthDiffOf(
  symbol: unknown,
  time: unknown,
  U: unknown,
  u: unknown,
  pu: unknown,
  b: unknown,
  a: unknown,
  read: boolean,
  ctx: ParseContext,
  format: DepthDiffFormat,
): FrameResult {
  if (typeof symbol !== "string") return badField("depthUpdate", "s", symbol);
  const market = ctx.marketOf(symbol);
  if (market === undefined) return unknownSymbol("depthUpdate", symbol);
  const ts = epochMs(time);
  if (Number.isNaN(ts)) return badField("depthUpdate", format.time, time);
  const first = int(U);
  if (Number.isNaN(first)) return badField("depthUpdate", "U", U);
  const last = int(u);
  if (Number.isNaN(last) || last < first) return badField("depthUpdate", "u", u);
  const prevSeq = format.prevSeq === "pu" ? int(pu) : first - 1;
  if (Number.isNaN(prevSeq)) return badField("depthUpdate", "pu", pu);
  const bids = read ? (b as Level[]) : levels(b);
  if (bids === null) return badField("depthUpdate", "b", b);
  const asks = read ? (a as Level[]) : levels(a);
  if (asks === null) return badField("depthUpdate", "a", a);
  const msg: Book = {
    type: "book",
    exchange: EXCHANGE,
    market,
    symbol,
    ts,
    recvTs: ctx.recvTs,
    kind: "delta",
    seq: last,
    prevSeq,
    bids,
    asks,
  };
  return { kind: "data", messages: [msg] };
}

/**
 * A REST depth body wrapped as `{"stream":"<sym>@depthSnapshot","data":{lastUpdateId,bids,asks}}`
 * (how tardis.dev and our replay files interleave snapshots with the diff stream).
 */
export function parseDepthSnapshot(
  p: Record<string, unknown>,
  stream: string,
  ctx: ParseContext,
): FrameResult {
  const symbol = stream.slice(0, stream.indexOf("@")).toUpperCase();
  const market = ctx.marketOf(symbol);
  if (market === undefined) return unknownSymbol("depthSnapshot", symbol);
  const seq = int(p.lastUpdateId);
  if (Number.isNaN(seq)) return badField("depthSnapshot", "lastUpdateId", p.lastUpdateId);
  const bids = levels(p.bids);
  if (bids === null) return badField("depthSnapshot", "bids", p.bids);
  const asks = levels(p.asks);
  if (asks === null) return badField("depthSnapshot", "asks", p.asks);
  const msg: Book = {
    type: "book",
    exchange: EXCHANGE,
    market,
    symbol,
    ts: ctx.recvTs,
    recvTs: ctx.recvTs,
    kind: "snapshot",
    seq,
    prevSeq: null,
    bids,
    asks,
  };
  return { kind: "data", messages: [msg] };
}
