import type { FrameResult, ParseContext } from "../../adapter.ts";
import type { Bbo, Book, Ticker, Trade } from "../../schemas/messages.ts";
import { int, isObject, levels, num } from "../wire/fields.ts";
import { badFieldUnquoted, ignoredFrozen, unknownSymbol } from "../wire/frame-results.ts";
import { secondsToMs } from "./fields.ts";

/**
 * Market-data pushes `{"id":null,"method":"<x>_update","params":[...]}` → normalized messages.
 * Times are Unix seconds with a fraction; prices and amounts decimal strings.
 */

const EXCHANGE = "whitebit";
/** `market_update` is the rolling 24 h ticker only when subscribed with its default period. */
const TICKER_PERIOD = 86400;

const EMPTY_TRADES = ignoredFrozen("empty:trades_update");
const EMPTY_BOOK_TICKER = ignoredFrozen("empty:bookTicker_update");

/**
 * `trades_update [market, [{id, time, price, amount, type}, ...]]`. WhiteBIT lists a batch (and the
 * up to 100 trades it replays on subscribe) newest first: we emit oldest first. `type` is the taker
 * side; `rpi` (a Retail Price Improvement order took part) does not change the trade.
 */
export function parseTrades(params: unknown[], ctx: ParseContext): FrameResult {
  const symbol = params[0];
  if (typeof symbol !== "string") return badFieldUnquoted("trades_update", "params[0] (market)", symbol);
  const market = ctx.marketOf(symbol);
  if (market === undefined) return unknownSymbol("trades_update", symbol);
  const rows = params[1];
  if (!Array.isArray(rows)) return badFieldUnquoted("trades_update", "params[1] (trades)", rows);
  if (rows.length === 0) return EMPTY_TRADES;
  const n = rows.length;
  const out: Trade[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const r = rows[i];
    if (!isObject(r)) return badFieldUnquoted("trades_update", `trade ${i}`, r);
    const id = int(r.id);
    if (Number.isNaN(id)) return badFieldUnquoted("trades_update", "id", r.id);
    const ts = secondsToMs(r.time);
    if (Number.isNaN(ts)) return badFieldUnquoted("trades_update", "time", r.time);
    const price = num(r.price);
    if (Number.isNaN(price)) return badFieldUnquoted("trades_update", "price", r.price);
    const amount = num(r.amount);
    if (Number.isNaN(amount)) return badFieldUnquoted("trades_update", "amount", r.amount);
    const side = r.type;
    if (side !== "buy" && side !== "sell") return badFieldUnquoted("trades_update", "type", side);
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
  if (n > 1 && +out[0]!.id > +out[n - 1]!.id) out.reverse();
  return { kind: "data", messages: out };
}

/**
 * `market_update [market, {period, last, open, close, high, low, volume, deal}]`: the rolling 24 h
 * statistics. No event time (ts = recvTs), no bid/ask; deal is the quote volume.
 */
export function parseMarketStats(params: unknown[], ctx: ParseContext): FrameResult {
  const symbol = params[0];
  if (typeof symbol !== "string") return badFieldUnquoted("market_update", "params[0] (market)", symbol);
  const market = ctx.marketOf(symbol);
  if (market === undefined) return unknownSymbol("market_update", symbol);
  const s = params[1];
  if (!isObject(s)) return badFieldUnquoted("market_update", "params[1] (statistics)", s);
  if (s.period !== undefined && s.period !== TICKER_PERIOD)
    return ignoredFrozen(`unsupported:period_${s.period}`);
  const last = num(s.last);
  if (Number.isNaN(last)) return badFieldUnquoted("market_update", "last", s.last);
  const open = num(s.open);
  if (Number.isNaN(open)) return badFieldUnquoted("market_update", "open", s.open);
  const high = num(s.high);
  if (Number.isNaN(high)) return badFieldUnquoted("market_update", "high", s.high);
  const low = num(s.low);
  if (Number.isNaN(low)) return badFieldUnquoted("market_update", "low", s.low);
  const volume = num(s.volume);
  if (Number.isNaN(volume)) return badFieldUnquoted("market_update", "volume", s.volume);
  const quoteVolume = num(s.deal);
  if (Number.isNaN(quoteVolume)) return badFieldUnquoted("market_update", "deal", s.deal);
  const change = last - open;
  const msg: Ticker = {
    type: "ticker",
    exchange: EXCHANGE,
    market,
    symbol,
    ts: ctx.recvTs,
    recvTs: ctx.recvTs,
    last,
    open,
    high,
    low,
    volume,
    quoteVolume,
    change,
    changePct: open === 0 ? 0 : (change / open) * 100,
    bid: null,
    ask: null,
  };
  return { kind: "data", messages: [msg] };
}

/**
 * `bookTicker_update [[transaction_time, message_time, market, update_id, bid, bid_amount, ask,
 * ask_amount], ...]` → bbo (ts = transaction_time, seq = update_id).
 */
export function parseBookTicker(params: unknown[], ctx: ParseContext): FrameResult {
  const n = params.length;
  if (n === 0) return EMPTY_BOOK_TICKER;
  const out: Bbo[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const r = params[i];
    if (!Array.isArray(r) || r.length < 8) return badFieldUnquoted("bookTicker_update", `params[${i}]`, r);
    const symbol = r[2];
    if (typeof symbol !== "string") return badFieldUnquoted("bookTicker_update", "market", symbol);
    const market = ctx.marketOf(symbol);
    if (market === undefined) return unknownSymbol("bookTicker_update", symbol);
    const ts = secondsToMs(r[0]);
    if (Number.isNaN(ts)) return badFieldUnquoted("bookTicker_update", "transaction_time", r[0]);
    const seq = int(r[3]);
    if (Number.isNaN(seq)) return badFieldUnquoted("bookTicker_update", "update_id", r[3]);
    const bidPrice = num(r[4]);
    if (Number.isNaN(bidPrice)) return badFieldUnquoted("bookTicker_update", "best_bid_price", r[4]);
    const bidAmount = num(r[5]);
    if (Number.isNaN(bidAmount)) return badFieldUnquoted("bookTicker_update", "best_bid_amount", r[5]);
    const askPrice = num(r[6]);
    if (Number.isNaN(askPrice)) return badFieldUnquoted("bookTicker_update", "best_ask_price", r[6]);
    const askAmount = num(r[7]);
    if (Number.isNaN(askAmount)) return badFieldUnquoted("bookTicker_update", "best_ask_amount", r[7]);
    out[i] = {
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
  }
  return { kind: "data", messages: out };
}

/**
 * `depth_update [full, {timestamp, update_id, past_update_id?, asks, bids, event_time}, market]`.
 * full = true: a snapshot (the first push after subscribing, and again after 10 s without a change)
 * → seq = update_id, prevSeq = null. Otherwise a delta chained by past_update_id == the previous
 * message's update_id → seq = update_id, prevSeq = past_update_id. Amount 0 deletes a level.
 * ts = the matching engine's `timestamp` (event_time when it is missing).
 */
export function parseDepth(params: unknown[], ctx: ParseContext): FrameResult {
  const full = params[0];
  if (typeof full !== "boolean")
    return badFieldUnquoted("depth_update", "params[0] (full reload flag)", full);
  const d = params[1];
  if (!isObject(d)) return badFieldUnquoted("depth_update", "params[1] (book)", d);
  const symbol = params[2];
  if (typeof symbol !== "string") return badFieldUnquoted("depth_update", "params[2] (market)", symbol);
  const market = ctx.marketOf(symbol);
  if (market === undefined) return unknownSymbol("depth_update", symbol);
  const ts = secondsToMs(d.timestamp ?? d.event_time);
  if (Number.isNaN(ts)) return badFieldUnquoted("depth_update", "timestamp", d.timestamp);
  const seq = int(d.update_id);
  if (Number.isNaN(seq)) return badFieldUnquoted("depth_update", "update_id", d.update_id);
  let prevSeq: number | null = null;
  if (!full) {
    prevSeq = int(d.past_update_id);
    if (Number.isNaN(prevSeq)) return badFieldUnquoted("depth_update", "past_update_id", d.past_update_id);
  }
  // a delta may leave out a side that did not change
  const bids = d.bids === undefined && !full ? [] : levels(d.bids);
  if (bids === null) return badFieldUnquoted("depth_update", "bids", d.bids);
  const asks = d.asks === undefined && !full ? [] : levels(d.asks);
  if (asks === null) return badFieldUnquoted("depth_update", "asks", d.asks);
  const msg: Book = {
    type: "book",
    exchange: EXCHANGE,
    market,
    symbol,
    ts,
    recvTs: ctx.recvTs,
    kind: full ? "snapshot" : "delta",
    seq,
    prevSeq,
    bids,
    asks,
  };
  return { kind: "data", messages: [msg] };
}
