import type { FrameResult, ParseContext } from "../../adapter.ts";
import type { Bbo, Book, Candle, Level, Ticker, Trade } from "../../schemas/messages.ts";
import { int, isObject, num, sample } from "../wire/fields.ts";
import { badField, ignored, unknownSymbol } from "../wire/frame-results.ts";
import type { ScannedBook, ScannedSide } from "./book-scan.ts";
import { trackCandles } from "./candles.ts";
import { intervalOfMinutes } from "./channels.ts";
import type { ExactLevel } from "./checksum.ts";
import { subtract } from "./fields.ts";
import { EXCHANGE, HEARTBEAT, invalid, marketOf, PONG, requestId } from "./results.ts";
import { bookSequence } from "./sequence.ts";
import { epochSecondsMs, toMicros } from "./time.ts";

/**
 * Kraken WebSocket v1 frames (the recorded fixtures; v1 is frozen but still served). Data frames are
 * arrays `[channelID, payload..., channelName, pair]` with legacy pair names (`XBT/USD`); events are
 * objects with an `event` field.
 *
 * | frame                                  | result                                                  |
 * |----------------------------------------|---------------------------------------------------------|
 * | `[id, [[p,v,time,side,type,misc]], "trade", pair]` | trades (v1 has no trade id: see tradeId)    |
 * | `[id, {a,b,c,v,p,t,l,h,o}, "ticker", pair]`         | ticker + bbo (ts = receive time)            |
 * | `[id, [bid,ask,time,bidVol,askVol], "spread", pair]`| bbo; an all-zero spread is ignored          |
 * | `[id, {as,bs}, "book-N", pair]`                     | book snapshot (no checksum in v1)           |
 * | `[id, {a}, {b,c}, "book-N", pair]`                  | book delta with checksum "c"                |
 * | `[id, [time,etime,o,h,l,c,vwap,vol,n], "ohlc-N", pair]` | candle                                  |
 * | `{"event":"heartbeat"}` / `pong`                    | control                                     |
 * | `subscriptionStatus`                                | ack, or error when status is "error"        |
 * | `systemStatus`                                      | ignored `systemStatus`                      |
 */

const SYSTEM_STATUS: FrameResult = Object.freeze(ignored("systemStatus"));
const EMPTY_SPREAD: FrameResult = Object.freeze(ignored("empty:spread"));

export function parseV1Event(p: Record<string, unknown>): FrameResult {
  switch (p.event) {
    case "heartbeat":
      return HEARTBEAT;
    case "pong":
      return PONG;
    case "systemStatus":
      return SYSTEM_STATUS;
    case "subscriptionStatus": {
      if (p.status === "error") {
        const text = typeof p.errorMessage === "string" ? p.errorMessage : sample(p.errorMessage);
        const pair = typeof p.pair === "string" ? ` (pair ${p.pair})` : "";
        return { kind: "error", id: requestId(p.reqid), message: `${text}${pair}` };
      }
      return { kind: "ack", id: requestId(p.reqid) };
    }
    case "error":
      return { kind: "error", id: requestId(p.reqid), message: sample(p.errorMessage, 200) };
  }
  return invalid("unknown_event", `unknown v1 event ${sample(p.event, 40)}`);
}

export function parseV1Array(a: unknown[], ctx: ParseContext): FrameResult {
  const n = a.length;
  if (n < 4) return invalid("invalid_shape", `v1 array of ${n} elements: ${sample(a, 80)}`);
  const channel = a[n - 2];
  const pair = a[n - 1];
  if (typeof channel !== "string") return badField("v1", "channelName", channel);
  if (typeof pair !== "string") return badField("v1", "pair", pair);
  const market = marketOf(ctx, pair);
  if (market === undefined) return unknownSymbol(channel, pair);
  // payload: a[1 .. n-3] (one element but for book deltas, which may have two)
  const where: Where = { market, symbol: pair };
  if (channel === "trade") return parseTrades(a[1], where, ctx);
  if (channel === "ticker") return parseTicker(a[1], where, ctx);
  if (channel === "spread") return parseSpread(a[1], where, ctx);
  if (channel.startsWith("book-")) return parseBook(a, where, ctx);
  if (channel.startsWith("ohlc-")) return parseOhlc(a[1], channel, where, ctx);
  return invalid("unknown_event", `unknown v1 channel ${sample(channel, 40)}`);
}

/**
 * The frame's market and pair. Messages are built field by field from it, in the schema's order
 * (`exchange, market, symbol, ...`): an object spread copies property by property and was the
 * largest item of a v1 book frame after JSON.parse.
 */
interface Where {
  market: string;
  symbol: string;
}

/**
 * v1 trades carry no id. Ours is the exchange's own strings `<time>-<price>-<volume>`: stable across
 * connections (redundant ingestors deduplicate) and distinct unless two fills repeat all three.
 */
function tradeId(time: string, price: string, volume: string): string {
  return `${time}-${price}-${volume}`;
}

function parseTrades(v: unknown, w: Where, ctx: ParseContext): FrameResult {
  if (!Array.isArray(v)) return badField("trade", "trades", v);
  const out: Trade[] = new Array(v.length);
  for (let i = 0; i < v.length; i++) {
    const r = v[i];
    if (!Array.isArray(r) || r.length < 4) return badField("trade", `[${i}]`, r);
    const [p, q, t, s] = r as unknown[];
    const price = num(p);
    if (Number.isNaN(price) || typeof p !== "string") return badField("trade", "price", p);
    const amount = num(q);
    if (Number.isNaN(amount) || typeof q !== "string") return badField("trade", "volume", q);
    const ts = epochSecondsMs(t);
    if (Number.isNaN(ts) || typeof t !== "string") return badField("trade", "time", t);
    if (s !== "b" && s !== "s") return badField("trade", "side", s);
    out[i] = {
      type: "trade",
      exchange: EXCHANGE,
      market: w.market,
      symbol: w.symbol,
      ts,
      recvTs: ctx.recvTs,
      id: tradeId(t, p, q),
      price,
      amount,
      side: s === "b" ? "buy" : "sell",
    };
  }
  return { kind: "data", messages: out };
}

/** `[today, last 24 h]` → the 24 h value. */
function last24h(o: Record<string, unknown>, key: string): number {
  const v = o[key];
  return Array.isArray(v) ? num(v[1]) : Number.NaN;
}

function first(o: Record<string, unknown>, key: string, index = 0): number {
  const v = o[key];
  return Array.isArray(v) ? num(v[index]) : Number.NaN;
}

function parseTicker(v: unknown, w: Where, ctx: ParseContext): FrameResult {
  if (!isObject(v)) return badField("ticker", "payload", v);
  const last = first(v, "c");
  if (Number.isNaN(last)) return badField("ticker", "c", v.c);
  const open = last24h(v, "o");
  if (Number.isNaN(open)) return badField("ticker", "o", v.o);
  const high = last24h(v, "h");
  if (Number.isNaN(high)) return badField("ticker", "h", v.h);
  const low = last24h(v, "l");
  if (Number.isNaN(low)) return badField("ticker", "l", v.l);
  const volume = last24h(v, "v");
  if (Number.isNaN(volume)) return badField("ticker", "v", v.v);
  const vwap = last24h(v, "p");
  if (Number.isNaN(vwap)) return badField("ticker", "p", v.p);
  const bid = first(v, "b");
  const bidLot = first(v, "b", 2);
  if (Number.isNaN(bid) || Number.isNaN(bidLot)) return badField("ticker", "b", v.b);
  const ask = first(v, "a");
  const askLot = first(v, "a", 2);
  if (Number.isNaN(ask) || Number.isNaN(askLot)) return badField("ticker", "a", v.a);
  const change = subtract(last, open);
  const ticker: Ticker = {
    type: "ticker",
    exchange: EXCHANGE,
    market: w.market,
    symbol: w.symbol,
    ts: ctx.recvTs,
    recvTs: ctx.recvTs,
    last,
    open,
    high,
    low,
    volume,
    quoteVolume: vwap * volume,
    change,
    changePct: open === 0 ? 0 : (change / open) * 100,
    bid,
    ask,
  };
  const bbo: Bbo = {
    type: "bbo",
    exchange: EXCHANGE,
    market: w.market,
    symbol: w.symbol,
    ts: ctx.recvTs,
    recvTs: ctx.recvTs,
    bidPrice: bid,
    bidAmount: bidLot,
    askPrice: ask,
    askAmount: askLot,
  };
  return { kind: "data", messages: [ticker, bbo] };
}

function parseSpread(v: unknown, w: Where, ctx: ParseContext): FrameResult {
  if (!Array.isArray(v) || v.length < 5) return badField("spread", "payload", v);
  const bidPrice = num(v[0]);
  if (Number.isNaN(bidPrice)) return badField("spread", "bid", v[0]);
  const askPrice = num(v[1]);
  if (Number.isNaN(askPrice)) return badField("spread", "ask", v[1]);
  const bidAmount = num(v[3]);
  if (Number.isNaN(bidAmount)) return badField("spread", "bidVolume", v[3]);
  const askAmount = num(v[4]);
  if (Number.isNaN(askAmount)) return badField("spread", "askVolume", v[4]);
  // a pair without orders reports zeros everywhere (time too)
  if (bidPrice === 0 && askPrice === 0) return EMPTY_SPREAD;
  const ts = epochSecondsMs(v[2]);
  if (Number.isNaN(ts)) return badField("spread", "time", v[2]);
  const bbo: Bbo = {
    type: "bbo",
    exchange: EXCHANGE,
    market: w.market,
    symbol: w.symbol,
    ts,
    recvTs: ctx.recvTs,
    bidPrice,
    bidAmount,
    askPrice,
    askAmount,
  };
  return { kind: "data", messages: [bbo] };
}

/** `[[price, volume, time(, "r")], ...]` → levels, exact strings and the latest level time. */
function bookLevels(v: unknown): { levels: Level[]; exact: ExactLevel[]; latest: number } | null {
  if (!Array.isArray(v)) return null;
  const levels: Level[] = new Array(v.length);
  const strings: ExactLevel[] = new Array(v.length);
  let latest = 0;
  for (let i = 0; i < v.length; i++) {
    const row = v[i];
    if (!Array.isArray(row) || row.length < 3) return null;
    // v1 prints prices and volumes as strings (kept exactly for the checksum); numbers are accepted
    // as JS prints them. Each is converted once.
    const p = row[0];
    const q = row[1];
    const price = typeof p === "string" && p.length !== 0 ? +p : typeof p === "number" ? p : Number.NaN;
    const amount = typeof q === "string" && q.length !== 0 ? +q : typeof q === "number" ? q : Number.NaN;
    const t = epochSecondsMs(row[2]);
    if (!Number.isFinite(price) || !Number.isFinite(amount) || Number.isNaN(t)) return null;
    const ps = typeof p === "string" ? p : String(p);
    const qs = typeof q === "string" ? q : String(q);
    levels[i] = [price, amount];
    strings[i] = [ps, qs];
    if (t > latest) latest = t;
  }
  return { levels, exact: strings, latest };
}

const EMPTY_SIDE = { levels: [] as Level[], exact: [] as ExactLevel[], latest: 0 };

/** `a`: the whole v1 array; its payload parts are a[1 .. n-3]. */
function parseBook(a: unknown[], w: Where, ctx: ParseContext): FrameResult {
  let snapshot = false;
  let bids = EMPTY_SIDE;
  let asks = EMPTY_SIDE;
  let checksum: number | undefined;
  let parts = 0;
  const end = a.length - 2;
  for (let i = 1; i < end; i++) {
    const part = a[i];
    if (part === null) continue; // seen in tardis-recorded snapshots
    if (!isObject(part)) return badField("book", "payload", part);
    parts++;
    for (const key of Object.keys(part)) {
      const value = part[key];
      if (key === "c") {
        checksum = int(value);
        if (Number.isNaN(checksum) || checksum < 0) return badField("book", "c", value);
        continue;
      }
      const side = key === "as" || key === "a" ? "asks" : key === "bs" || key === "b" ? "bids" : null;
      if (side === null) return badField("book", key, value);
      if (key.length === 2) snapshot = true;
      const parsed = bookLevels(value);
      if (parsed === null) return badField("book", key, value);
      if (side === "asks") asks = parsed;
      else bids = parsed;
    }
  }
  if (parts === 0) return badField("book", "payload", a.slice(1, end));
  return bookOf(snapshot, bids, asks, checksum, w, ctx);
}

/**
 * What book-scan.ts read from a v1 book frame's text (levels already numbers, exact strings and
 * times read), checked as parseV1Array and parseBook check it.
 */
export function parseScannedV1Book(b: ScannedBook, ctx: ParseContext): FrameResult {
  const market = marketOf(ctx, b.pair);
  if (market === undefined) return unknownSymbol(b.channel, b.pair);
  let checksum: number | undefined;
  if (b.checksum !== undefined) {
    checksum = int(b.checksum);
    if (Number.isNaN(checksum) || checksum < 0) return badField("book", "c", b.checksum);
  }
  const w: Where = { market, symbol: b.pair };
  return bookOf(b.snapshot, b.bids ?? EMPTY_SIDE, b.asks ?? EMPTY_SIDE, checksum, w, ctx);
}

function bookOf(
  snapshot: boolean,
  bids: ScannedSide,
  asks: ScannedSide,
  checksum: number | undefined,
  w: Where,
  ctx: ParseContext,
): FrameResult {
  const latest = Math.max(asks.latest, bids.latest);
  const ts = latest > 0 ? latest : ctx.recvTs;
  const { seq, prevSeq } = bookSequence(ctx.state, w.symbol, toMicros(ts), snapshot);
  const book: Book = {
    type: "book",
    exchange: EXCHANGE,
    market: w.market,
    symbol: w.symbol,
    ts,
    recvTs: ctx.recvTs,
    kind: snapshot ? "snapshot" : "delta",
    seq,
    prevSeq,
    bids: bids.levels,
    asks: asks.levels,
  };
  // checksum (when sent) before exact: the key order of the message's JSON
  if (checksum !== undefined) book.checksum = checksum;
  book.exact = { bids: bids.exact, asks: asks.exact };
  return { kind: "data", messages: [book] };
}

function parseOhlc(v: unknown, channel: string, w: Where, ctx: ParseContext): FrameResult {
  const minutes = int(channel.slice(5));
  const interval = Number.isNaN(minutes) ? undefined : intervalOfMinutes(minutes);
  if (interval === undefined) return ignored(`unsupported:${channel}`);
  if (!Array.isArray(v) || v.length < 9) return badField("ohlc", "payload", v);
  const ts = epochSecondsMs(v[0]);
  if (Number.isNaN(ts)) return badField("ohlc", "time", v[0]);
  const end = epochSecondsMs(v[1]);
  if (Number.isNaN(end)) return badField("ohlc", "etime", v[1]);
  const [open, high, low, close, vwap, volume] = [2, 3, 4, 5, 6, 7].map((i) => num(v[i])) as number[];
  for (const [i, x] of [open, high, low, close, vwap, volume].entries()) {
    if (Number.isNaN(x)) return badField("ohlc", String(i + 2), v[i + 2]);
  }
  const trades = int(v[8]);
  if (Number.isNaN(trades)) return badField("ohlc", "count", v[8]);
  const closeTime = end - 1;
  const candle: Candle = {
    type: "candle",
    exchange: EXCHANGE,
    market: w.market,
    symbol: w.symbol,
    ts,
    recvTs: ctx.recvTs,
    interval,
    openTime: end - minutes * 60_000,
    closeTime,
    open: open!,
    high: high!,
    low: low!,
    close: close!,
    volume: volume!,
    quoteVolume: vwap! * volume!,
    trades,
    closed: closeTime < ctx.recvTs,
  };
  return { kind: "data", messages: trackCandles(ctx.state, [candle]) };
}
