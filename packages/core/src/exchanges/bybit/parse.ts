import type { FrameResult, ParseContext } from "../../adapter.ts";
import type { Candle, Liquidation, Side, Trade } from "../../schemas/messages.ts";
import { epochMsInteger, isObject, num, sample } from "../wire/fields.ts";
import { notAnObject, parseJson, utf8Frame } from "../wire/frame-json.ts";
import { badField, ignoredFrozen, unknownSymbol } from "../wire/frame-results.ts";
import { hasPrefix, ownCopy, textIs } from "../wire/json-text.ts";
import { scanOrderbookFrame } from "./book-scan.ts";
import { parseOrderbook, parseScannedOrderbook } from "./orderbook.ts";
import { EXCHANGE, invalid } from "./results.ts";
import type { Category } from "./symbols.ts";
import { parseScannedTickers, parseTickers } from "./tickers.ts";
import { scanTickersFrame } from "./tickers-scan.ts";
import { candleCloseTime, framedSymbol, intervalFromName } from "./topics.ts";

/**
 * Bybit v5 public frames → normalized messages. Never throws.
 *
 * | frame                                        | result                                          |
 * |----------------------------------------------|-------------------------------------------------|
 * | `publicTrade.<S>` (≤1024 trades)             | trades (id = i, side = S (taker), ts = T)       |
 * | `orderbook.1.<S>`                            | bbo (seq = u), level-1 deltas merged            |
 * | `orderbook.<50/200/1000>.<S>`                | book snapshot/delta (seq = u, prevSeq = u − 1)  |
 * | `tickers.<S>`                                | ticker (+ deriv on linear), deltas merged       |
 * | `kline.<i>.<S>`                              | candles (closed = confirm)                      |
 * | `allLiquidation.<S>`, legacy `liquidation.<S>` | liquidations (side = the liquidation order's) |
 * | `{op:subscribe/unsubscribe, success:true}`   | ack (id = req_id)                               |
 * | `{success:false, ret_msg}`                   | error                                           |
 * | `{op:ping/pong}` answers                     | control pong                                    |
 */

const PONG: FrameResult = Object.freeze({ kind: "control", event: "pong" });

/** Topics Bybit publishes that we understand but do not normalize. */
const IGNORED_TOPICS: ReadonlySet<string> = new Set([
  "kline_lt",
  "tickers_lt",
  "lt",
  "insurance",
  "adlAlert",
  "priceLimit",
  "orderbook_rpi",
]);

/** How Bybit's orderbook and tickers pushes begin. */
const ORDERBOOK_FRAME = '{"topic":"orderbook.';
const TICKERS_FRAME = '{"topic":"tickers.';

export function parseFrame(frame: string | Uint8Array, ctx: ParseContext, category: Category): FrameResult {
  const text = utf8Frame(frame);
  // orderbook frames, most of a book feed, are read from the text when they can be (book-scan.ts);
  // Bybit puts the topic first: other frames are not tried
  if (hasPrefix(text, ORDERBOOK_FRAME)) {
    const r = scannedOrderbook(text, ctx);
    if (r !== undefined) return r;
  } else if (hasPrefix(text, TICKERS_FRAME)) {
    const r = scannedTickers(text, ctx, category);
    if (r !== undefined) return r;
  }
  return parseJsonFrame(text, ctx, category);
}

/** A frame the JSON.parse way: what the text readers' results are held to (exported for tests). */
export function parseJsonFrame(text: string, ctx: ParseContext, category: Category): FrameResult {
  const json = parseJson(text);
  if (!json.ok) return json.result;
  const msg = json.value;
  if (!isObject(msg)) return notAnObject(text);
  const topic = msg.topic;
  if (typeof topic === "string") return parseTopicFrame(msg, topic, ctx, category);
  if (topic !== undefined) return badField("frame", "topic", topic);
  if (typeof msg.op === "string" || typeof msg.success === "boolean") return parseOp(msg);
  return invalid("unknown_message", `no topic or op; keys ${sample(Object.keys(msg).slice(0, 8).join(","))}`);
}

/** An orderbook frame's result from its text, or undefined when it goes the JSON.parse way. */
function scannedOrderbook(text: string, ctx: ParseContext): FrameResult | undefined {
  const b = scanOrderbookFrame(text);
  if (b === undefined) return undefined;
  const parts = topicParts(b.topic);
  // what parseTopicFrame sends elsewhere (rpi/full books, bad depths) goes that way
  if (parts === null || parts.prefix !== "orderbook" || parts.middle === undefined || !isDigits(parts.middle))
    return undefined;
  return parseScannedOrderbook(b, parts.middle, parts.symbol, ctx);
}

/**
 * The last tickers topic read from a frame's text: a feed's frames repeat it, and a slice of each
 * frame's topic would be hashed again for its lookup, as would the symbol for the state's and the
 * market's (a string from the frame each time; this one keeps its hash).
 */
let lastTickers: TopicParts | null = null;

/** A tickers frame's result from its text, or undefined when it goes the JSON.parse way. */
function scannedTickers(text: string, ctx: ParseContext, category: Category): FrameResult | undefined {
  const t = scanTickersFrame(text);
  if (t === undefined) return undefined;
  let parts = lastTickers;
  if (parts === null || !textIs(text, t.topicStart, t.topicEnd, parts.topic)) {
    parts = topicParts(text.slice(t.topicStart, t.topicEnd));
    if (parts === null || parts.prefix !== "tickers" || parts.middle !== undefined) return undefined;
    lastTickers = parts;
  }
  return parseScannedTickers(text, t, parts.symbol, ctx, category);
}

function requestId(v: unknown): string | null {
  return typeof v === "string" && v.length > 0 ? v : null;
}

/** Answers to our requests: acks, errors, pongs. A failed subscribe carries no req_id on spot. */
function parseOp(msg: Record<string, unknown>): FrameResult {
  const op = msg.op;
  if (msg.success === false) {
    const text = typeof msg.ret_msg === "string" ? msg.ret_msg : sample(msg.ret_msg);
    return { kind: "error", id: requestId(msg.req_id), message: `${String(op)}: ${text}` };
  }
  switch (op) {
    case "ping": // spot/linear pong: {"success":true,"ret_msg":"pong","op":"ping"}
    case "pong": // option/private form
      return PONG;
    case "subscribe":
    case "unsubscribe":
      return { kind: "ack", id: requestId(msg.req_id) };
    default:
      return ignoredFrozen(`unsupported:op:${typeof op === "string" ? op.slice(0, 30) : "none"}`);
  }
}

function parseTopicFrame(
  msg: Record<string, unknown>,
  topic: string,
  ctx: ParseContext,
  category: Category,
): FrameResult {
  const parts = topicParts(topic);
  if (parts === null) return invalid("unknown_topic", `topic ${sample(topic, 60)}`);
  const { prefix, middle, symbol } = parts;
  switch (prefix) {
    case "publicTrade":
      return middle === undefined ? parseTrades(msg, symbol, ctx) : unknownTopic(topic);
    case "orderbook":
      // RPI books and the REST-initialised full book are not normalized
      if (middle === "rpi" || middle === "full") return ignoredFrozen(`unsupported:orderbook.${middle}`);
      return middle !== undefined && isDigits(middle)
        ? parseOrderbook(msg, middle, symbol, ctx)
        : unknownTopic(topic);
    case "tickers":
      return middle === undefined ? parseTickers(msg, symbol, ctx, category) : unknownTopic(topic);
    case "kline":
      return middle === undefined ? unknownTopic(topic) : parseKline(msg, middle, symbol, ctx);
    case "allLiquidation":
      return middle === undefined ? parseAllLiquidation(msg, symbol, ctx) : unknownTopic(topic);
    case "liquidation":
      return middle === undefined ? parseLegacyLiquidation(msg, symbol, ctx) : unknownTopic(topic);
  }
  return IGNORED_TOPICS.has(prefix) ? ignoredFrozen(`unsupported:${prefix}`) : unknownTopic(topic);
}

/** `<prefix>.<middle>.<symbol>` or `<prefix>.<symbol>`. */
interface TopicParts {
  /** The topic (its own copy). */
  topic: string;
  prefix: string;
  middle: string | undefined;
  symbol: string;
}

/** Topics split so far: a connection's topics repeat frame after frame (bounded, as rememberMarkets). */
const TOPICS = new Map<string, TopicParts | null>();

/** A topic's parts, null without a prefix and a symbol; split once per topic (three slices a frame were ~5 % of a tickers frame). */
function topicParts(topic: string): TopicParts | null {
  let parts = TOPICS.get(topic);
  if (parts !== undefined) return parts;
  topic = ownCopy(topic); // kept: not a slice of its frame
  const first = topic.indexOf(".");
  const last = topic.lastIndexOf(".");
  const symbol = topic.slice(last + 1);
  parts =
    first < 0 || symbol.length === 0
      ? null
      : {
          topic,
          prefix: topic.slice(0, first),
          middle: first === last ? undefined : topic.slice(first + 1, last),
          symbol,
        };
  if (TOPICS.size >= 10_000) TOPICS.clear();
  TOPICS.set(topic, parts);
  return parts;
}

/** A depth such as "50": one or more ASCII digits (a loop, not a regex: every book frame asks). */
function isDigits(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

function unknownTopic(topic: string): FrameResult {
  return invalid("unknown_topic", `topic ${sample(topic, 60)}`);
}

function side(v: unknown): Side | undefined {
  return v === "Buy" ? "buy" : v === "Sell" ? "sell" : undefined;
}

function parseTrades(msg: Record<string, unknown>, symbol: string, ctx: ParseContext): FrameResult {
  const data = msg.data;
  if (!Array.isArray(data)) return badField("publicTrade", "data", data);
  const head = data[0];
  symbol = framedSymbol(symbol, isObject(head) ? head.s : undefined);
  const market = ctx.marketOf(symbol);
  if (market === undefined) return unknownSymbol("publicTrade", symbol);
  const n = data.length;
  const out: Trade[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const t = data[i];
    if (!isObject(t)) return badField("publicTrade", `data[${i}]`, t);
    if (t.s !== symbol) return badField("publicTrade", `data[${i}].s`, t.s);
    const id = t.i;
    if (typeof id !== "string" || id.length === 0) return badField("publicTrade", `data[${i}].i`, id);
    const price = num(t.p);
    if (Number.isNaN(price)) return badField("publicTrade", `data[${i}].p`, t.p);
    const amount = num(t.v);
    if (Number.isNaN(amount)) return badField("publicTrade", `data[${i}].v`, t.v);
    const ts = epochMsInteger(t.T);
    if (Number.isNaN(ts)) return badField("publicTrade", `data[${i}].T`, t.T);
    const taker = side(t.S);
    if (taker === undefined) return badField("publicTrade", `data[${i}].S`, t.S);
    out[i] = {
      type: "trade",
      exchange: EXCHANGE,
      market,
      symbol,
      ts,
      recvTs: ctx.recvTs,
      id,
      price,
      amount,
      side: taker,
    };
  }
  return { kind: "data", messages: out };
}

function parseKline(
  msg: Record<string, unknown>,
  name: string,
  symbol: string,
  ctx: ParseContext,
): FrameResult {
  const interval = intervalFromName(name);
  if (interval === undefined) return invalid("unknown_topic", `kline interval ${sample(name, 20)}`);
  const data = msg.data;
  if (!Array.isArray(data)) return badField("kline", "data", data);
  const market = ctx.marketOf(symbol);
  if (market === undefined) return unknownSymbol("kline", symbol);
  const frameTs = epochMsInteger(msg.ts);
  if (Number.isNaN(frameTs)) return badField("kline", "ts", msg.ts);
  const out: Candle[] = [];
  for (let i = 0; i < data.length; i++) {
    const k = data[i];
    const f = `data[${i}]`;
    if (!isObject(k)) return badField("kline", f, k);
    if (k.interval !== name) return badField("kline", `${f}.interval`, k.interval);
    const openTime = epochMsInteger(k.start);
    if (Number.isNaN(openTime)) return badField("kline", `${f}.start`, k.start);
    const open = num(k.open);
    if (Number.isNaN(open)) return badField("kline", `${f}.open`, k.open);
    const high = num(k.high);
    if (Number.isNaN(high)) return badField("kline", `${f}.high`, k.high);
    const low = num(k.low);
    if (Number.isNaN(low)) return badField("kline", `${f}.low`, k.low);
    const close = num(k.close);
    if (Number.isNaN(close)) return badField("kline", `${f}.close`, k.close);
    const volume = num(k.volume);
    if (Number.isNaN(volume)) return badField("kline", `${f}.volume`, k.volume);
    const quoteVolume = num(k.turnover);
    if (Number.isNaN(quoteVolume)) return badField("kline", `${f}.turnover`, k.turnover);
    if (typeof k.confirm !== "boolean") return badField("kline", `${f}.confirm`, k.confirm);
    // timestamp = the candle's last match; a candle without trades may carry none
    const last = epochMsInteger(k.timestamp);
    out.push({
      type: "candle",
      exchange: EXCHANGE,
      market,
      symbol,
      ts: Number.isNaN(last) ? frameTs : last,
      recvTs: ctx.recvTs,
      interval,
      openTime,
      closeTime: candleCloseTime(interval, openTime),
      open,
      high,
      low,
      close,
      volume,
      quoteVolume,
      // Bybit klines carry no trade count
      trades: null,
      closed: k.confirm,
    });
  }
  return { kind: "data", messages: out };
}

/**
 * Bybit reports the liquidated position's side (`Buy` = a long was liquidated); the liquidation
 * order takes the other side, which is what the normalized `side` says (as Binance's forceOrder).
 */
function liquidationSide(position: unknown): Side | undefined {
  return position === "Buy" ? "sell" : position === "Sell" ? "buy" : undefined;
}

/** Bybit gives liquidations no id: time, position side, price and size identify one. */
function liquidationId(t: number, position: string, price: unknown, size: unknown): string {
  return `${t}-${position}-${String(price)}-${String(size)}`;
}

function parseAllLiquidation(msg: Record<string, unknown>, symbol: string, ctx: ParseContext): FrameResult {
  const data = msg.data;
  if (!Array.isArray(data)) return badField("allLiquidation", "data", data);
  const market = ctx.marketOf(symbol);
  if (market === undefined) return unknownSymbol("allLiquidation", symbol);
  const out: Liquidation[] = [];
  for (let i = 0; i < data.length; i++) {
    const l = data[i];
    const f = `data[${i}]`;
    if (!isObject(l)) return badField("allLiquidation", f, l);
    if (l.s !== symbol) return badField("allLiquidation", `${f}.s`, l.s);
    const ts = epochMsInteger(l.T);
    if (Number.isNaN(ts)) return badField("allLiquidation", `${f}.T`, l.T);
    const price = num(l.p);
    if (Number.isNaN(price)) return badField("allLiquidation", `${f}.p`, l.p);
    const amount = num(l.v);
    if (Number.isNaN(amount)) return badField("allLiquidation", `${f}.v`, l.v);
    const s = liquidationSide(l.S);
    if (s === undefined) return badField("allLiquidation", `${f}.S`, l.S);
    out.push({
      type: "liquidation",
      exchange: EXCHANGE,
      market,
      symbol,
      ts,
      recvTs: ctx.recvTs,
      id: liquidationId(ts, l.S as string, l.p, l.v),
      price,
      amount,
      side: s,
    });
  }
  return { kind: "data", messages: out };
}

/** The deprecated `liquidation.<S>` topic: one liquidation object per push. */
function parseLegacyLiquidation(
  msg: Record<string, unknown>,
  symbol: string,
  ctx: ParseContext,
): FrameResult {
  const l = msg.data;
  if (!isObject(l)) return badField("liquidation", "data", l);
  if (l.symbol !== symbol) return badField("liquidation", "data.symbol", l.symbol);
  const market = ctx.marketOf(symbol);
  if (market === undefined) return unknownSymbol("liquidation", symbol);
  const ts = epochMsInteger(l.updatedTime);
  if (Number.isNaN(ts)) return badField("liquidation", "data.updatedTime", l.updatedTime);
  const price = num(l.price);
  if (Number.isNaN(price)) return badField("liquidation", "data.price", l.price);
  const amount = num(l.size);
  if (Number.isNaN(amount)) return badField("liquidation", "data.size", l.size);
  const s = liquidationSide(l.side);
  if (s === undefined) return badField("liquidation", "data.side", l.side);
  const liq: Liquidation = {
    type: "liquidation",
    exchange: EXCHANGE,
    market,
    symbol,
    ts,
    recvTs: ctx.recvTs,
    id: liquidationId(ts, l.side as string, l.price, l.size),
    price,
    amount,
    side: s,
  };
  return { kind: "data", messages: [liq] };
}
