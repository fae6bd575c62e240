import type { FrameResult, ParseContext } from "../../adapter.ts";
import type { Book, Candle, Level, MarketMessage, Trade } from "../../schemas/messages.ts";
import { isObject, num, uint } from "../wire/fields.ts";
import { badField, ignored, unknownSymbol } from "../wire/frame-results.ts";
import { symbolState } from "../wire/symbol-state.ts";
import { WS_CANDLE_MS } from "./channels.ts";
import { derived } from "./fields.ts";
import { ACK, data, EXCHANGE, HEARTBEAT, invalid } from "./results.ts";
import { sequencedBook, trackSequence } from "./sequence.ts";
import { resolveMarket } from "./symbols.ts";
import { pushTicker, readBestQuotes } from "./ticker.ts";
import { isoMs } from "./time.ts";

/**
 * Coinbase Advanced Trade frames: `{channel, client_id, timestamp, sequence_num, events:[..]}`.
 *
 * | channel                  | result                                                               |
 * |--------------------------|----------------------------------------------------------------------|
 * | `l2_data`                | book per event: snapshot/update, side bid/offer, absolute quantities |
 * | `market_trades`          | trades, oldest first; `side` is the MAKER's ⇒ taker side flipped      |
 * | `ticker`, `ticker_batch` | ticker per product (+ bbo when best bid/ask and sizes are present)    |
 * | `candles`                | 5m candle; the previous one re-sent closed when a later start appears |
 * | `heartbeats`             | control heartbeat                                                    |
 * | `subscriptions`          | ack (no id)                                                          |
 * | `status`, `user`, …      | ignored (`unsupported:<channel>`)                                     |
 *
 * Every frame's `sequence_num` is checked against the connection's previous one; a jump comes back
 * as `gap` on the result.
 */

const UNSUPPORTED = new Set(["status", "user", "futures_balance_summary"]);

export function parseAdvanced(p: Record<string, unknown>, channel: string, ctx: ParseContext): FrameResult {
  const seq = uint(p.sequence_num);
  if (Number.isNaN(seq)) return badField(channel, "sequence_num", p.sequence_num);
  const gap = trackSequence(ctx.state, seq);
  const result = parseChannel(p, channel, ctx);
  return gap ? { ...result, gap } : result;
}

function parseChannel(p: Record<string, unknown>, channel: string, ctx: ParseContext): FrameResult {
  switch (channel) {
    case "l2_data":
    case "level2":
      return parseBook(p, ctx);
    case "market_trades":
      return parseTrades(p, ctx);
    case "ticker":
    case "ticker_batch":
      return parseTickers(p, channel, ctx);
    case "candles":
      return parseCandles(p, ctx);
    case "heartbeats":
      return HEARTBEAT;
    case "subscriptions":
      return ACK;
    default:
      return UNSUPPORTED.has(channel)
        ? ignored(`unsupported:${channel}`)
        : invalid("unknown_event", `unknown channel "${channel.slice(0, 40)}"`);
  }
}

function eventsOf(p: Record<string, unknown>, channel: string): unknown[] | FrameResult {
  const events = p.events;
  return Array.isArray(events) ? events : badField(channel, "events", events);
}

function isResult(v: unknown): v is FrameResult {
  return !Array.isArray(v);
}

// ---------------------------------------------------------------------------------------------
// level2

function parseBook(p: Record<string, unknown>, ctx: ParseContext): FrameResult {
  const events = eventsOf(p, "l2_data");
  if (isResult(events)) return events;
  const out: Book[] = [];
  let unknown: string | undefined;
  // one time string repeats over thousands of snapshot levels: parse it once
  let lastTimeText: unknown;
  let lastTime = Number.NaN;
  for (let e = 0; e < events.length; e++) {
    const ev = events[e];
    const what = `l2_data events[${e}]`;
    if (!isObject(ev)) return badField(what, "event", ev);
    const type = ev.type;
    if (type !== "snapshot" && type !== "update") return badField(what, "type", type);
    const product = ev.product_id;
    if (typeof product !== "string") return badField(what, "product_id", product);
    const updates = ev.updates;
    if (!Array.isArray(updates)) return badField(what, "updates", updates);
    const market = resolveMarket(ctx, product);
    if (market === undefined) {
      unknown = product;
      continue;
    }
    const bids: Level[] = [];
    const asks: Level[] = [];
    let ts = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < updates.length; i++) {
      const u = updates[i];
      if (!isObject(u)) return badField(what, `updates[${i}]`, u);
      const price = num(u.price_level);
      if (Number.isNaN(price)) return badField(what, `updates[${i}].price_level`, u.price_level);
      const amount = num(u.new_quantity);
      if (Number.isNaN(amount)) return badField(what, `updates[${i}].new_quantity`, u.new_quantity);
      if (u.event_time !== lastTimeText) {
        lastTimeText = u.event_time;
        lastTime = isoMs(u.event_time);
      }
      if (Number.isNaN(lastTime)) return badField(what, `updates[${i}].event_time`, u.event_time);
      if (lastTime > ts) ts = lastTime;
      if (u.side === "bid") bids.push([price, amount]);
      else if (u.side === "offer") asks.push([price, amount]);
      else return badField(what, `updates[${i}].side`, u.side);
    }
    if (updates.length === 0) {
      ts = isoMs(p.timestamp);
      if (Number.isNaN(ts)) return badField("l2_data", "timestamp", p.timestamp);
    }
    const snapshot = type === "snapshot";
    out.push(sequencedBook(ctx, market, product, ts, snapshot, bids, asks));
  }
  if (out.length === 0 && unknown !== undefined) return unknownSymbol("l2_data", unknown, "product");
  return data(out);
}

// ---------------------------------------------------------------------------------------------
// market_trades

/** `side` is the maker order's side (a BUY trade hit a resting bid): the taker did the opposite. */
function takerSide(side: unknown): Trade["side"] | undefined {
  if (typeof side !== "string") return undefined;
  const s = side.toUpperCase();
  if (s === "BUY") return "sell";
  if (s === "SELL") return "buy";
  return "unknown";
}

function parseTrades(p: Record<string, unknown>, ctx: ParseContext): FrameResult {
  const events = eventsOf(p, "market_trades");
  if (isResult(events)) return events;
  const out: Trade[] = [];
  let unknown: string | undefined;
  for (let e = 0; e < events.length; e++) {
    const ev = events[e];
    const what = `market_trades events[${e}]`;
    if (!isObject(ev)) return badField(what, "event", ev);
    if (ev.type !== "snapshot" && ev.type !== "update") return badField(what, "type", ev.type);
    const trades = ev.trades;
    if (!Array.isArray(trades)) return badField(what, "trades", trades);
    const batch: Trade[] = [];
    for (let i = 0; i < trades.length; i++) {
      const t = trades[i];
      const f = `${what}.trades[${i}]`;
      if (!isObject(t)) return badField(f, "trade", t);
      const product = t.product_id;
      if (typeof product !== "string") return badField(f, "product_id", product);
      const id = t.trade_id;
      if (typeof id !== "string" && typeof id !== "number") return badField(f, "trade_id", id);
      if (typeof id === "string" && id.length === 0) return badField(f, "trade_id", id);
      const price = num(t.price);
      if (Number.isNaN(price)) return badField(f, "price", t.price);
      const amount = num(t.size);
      if (Number.isNaN(amount)) return badField(f, "size", t.size);
      const ts = isoMs(t.time);
      if (Number.isNaN(ts)) return badField(f, "time", t.time);
      const side = takerSide(t.side);
      if (side === undefined) return badField(f, "side", t.side);
      const market = resolveMarket(ctx, product);
      if (market === undefined) {
        unknown = product;
        continue;
      }
      batch.push({
        type: "trade",
        exchange: EXCHANGE,
        market,
        symbol: product,
        ts,
        recvTs: ctx.recvTs,
        id: String(id),
        price,
        amount,
        side,
      });
    }
    // Coinbase lists trades newest first; publish them in the order they happened.
    if (batch.length > 1 && newerFirst(batch[0]!, batch[batch.length - 1]!)) batch.reverse();
    for (const t of batch) out.push(t);
  }
  if (out.length === 0 && unknown !== undefined) return unknownSymbol("market_trades", unknown, "product");
  return data(out);
}

function newerFirst(first: Trade, last: Trade): boolean {
  if (first.ts !== last.ts) return first.ts > last.ts;
  return Number(first.id) > Number(last.id);
}

// ---------------------------------------------------------------------------------------------
// ticker, ticker_batch

function parseTickers(p: Record<string, unknown>, channel: string, ctx: ParseContext): FrameResult {
  const events = eventsOf(p, channel);
  if (isResult(events)) return events;
  const ts = isoMs(p.timestamp);
  if (Number.isNaN(ts)) return badField(channel, "timestamp", p.timestamp);
  const out: MarketMessage[] = [];
  let unknown: string | undefined;
  for (let e = 0; e < events.length; e++) {
    const ev = events[e];
    const what = `${channel} events[${e}]`;
    if (!isObject(ev)) return badField(what, "event", ev);
    if (ev.type !== "snapshot" && ev.type !== "update") return badField(what, "type", ev.type);
    const tickers = ev.tickers;
    if (!Array.isArray(tickers)) return badField(what, "tickers", tickers);
    for (let i = 0; i < tickers.length; i++) {
      const t = tickers[i];
      const f = `${what}.tickers[${i}]`;
      if (!isObject(t)) return badField(f, "ticker", t);
      const product = t.product_id;
      if (typeof product !== "string") return badField(f, "product_id", product);
      const last = num(t.price);
      if (Number.isNaN(last)) return badField(f, "price", t.price);
      const high = num(t.high_24_h);
      if (Number.isNaN(high)) return badField(f, "high_24_h", t.high_24_h);
      const low = num(t.low_24_h);
      if (Number.isNaN(low)) return badField(f, "low_24_h", t.low_24_h);
      const volume = num(t.volume_24_h);
      if (Number.isNaN(volume)) return badField(f, "volume_24_h", t.volume_24_h);
      const changePct = num(t.price_percent_chg_24_h);
      // -100 % would put the open at infinity
      if (Number.isNaN(changePct) || changePct <= -100)
        return badField(f, "price_percent_chg_24_h", t.price_percent_chg_24_h);
      const quotes = readBestQuotes(t, f, "quantity");
      if ("kind" in quotes) return quotes;
      const market = resolveMarket(ctx, product);
      if (market === undefined) {
        unknown = product;
        continue;
      }
      // Coinbase sends the 24 h change in percent, not the open: open = last / (1 + pct / 100).
      const open = derived(last / (1 + changePct / 100));
      pushTicker(
        out,
        {
          market,
          product,
          ts,
          recvTs: ctx.recvTs,
          last,
          open,
          high,
          low,
          volume,
          change: derived(last - open),
          changePct,
        },
        quotes,
      );
    }
  }
  if (out.length === 0 && unknown !== undefined) return unknownSymbol(channel, unknown, "product");
  return data(out);
}

// ---------------------------------------------------------------------------------------------
// candles

const CANDLES = "cb:candles";

/**
 * Coinbase re-sends the current 5-minute candle (about every second while it changes) and never
 * says that one closed. A candle is known closed when a later start arrives for its product on the
 * same connection: then the last state seen of it is sent again with closed = true and ts = its
 * close time (the same message id as a REST backfill of it). A bucket's final state that arrives
 * only after the next one began is re-sent closed as well.
 */
function parseCandles(p: Record<string, unknown>, ctx: ParseContext): FrameResult {
  const events = eventsOf(p, "candles");
  if (isResult(events)) return events;
  const ts = isoMs(p.timestamp);
  if (Number.isNaN(ts)) return badField("candles", "timestamp", p.timestamp);
  const fresh: Candle[] = [];
  let unknown: string | undefined;
  for (let e = 0; e < events.length; e++) {
    const ev = events[e];
    const what = `candles events[${e}]`;
    if (!isObject(ev)) return badField(what, "event", ev);
    if (ev.type !== "snapshot" && ev.type !== "update") return badField(what, "type", ev.type);
    const candles = ev.candles;
    if (!Array.isArray(candles)) return badField(what, "candles", candles);
    for (let i = 0; i < candles.length; i++) {
      const c = candles[i];
      const f = `${what}.candles[${i}]`;
      if (!isObject(c)) return badField(f, "candle", c);
      const product = c.product_id;
      if (typeof product !== "string") return badField(f, "product_id", product);
      const start = uint(c.start);
      if (Number.isNaN(start)) return badField(f, "start", c.start);
      const open = num(c.open);
      if (Number.isNaN(open)) return badField(f, "open", c.open);
      const high = num(c.high);
      if (Number.isNaN(high)) return badField(f, "high", c.high);
      const low = num(c.low);
      if (Number.isNaN(low)) return badField(f, "low", c.low);
      const close = num(c.close);
      if (Number.isNaN(close)) return badField(f, "close", c.close);
      const volume = num(c.volume);
      if (Number.isNaN(volume)) return badField(f, "volume", c.volume);
      const market = resolveMarket(ctx, product);
      if (market === undefined) {
        unknown = product;
        continue;
      }
      const openTime = start * 1000;
      fresh.push({
        type: "candle",
        exchange: EXCHANGE,
        market,
        symbol: product,
        ts,
        recvTs: ctx.recvTs,
        interval: "5m",
        openTime,
        closeTime: openTime + WS_CANDLE_MS - 1,
        open,
        high,
        low,
        close,
        volume,
        // Coinbase candles carry neither quote volume nor a trade count
        quoteVolume: null,
        trades: null,
        closed: false,
      });
    }
  }
  if (fresh.length === 0 && unknown !== undefined) return unknownSymbol("candles", unknown, "product");
  fresh.sort((a, b) => a.openTime - b.openTime);
  const last = symbolState<Candle>(ctx.state, CANDLES);
  const out: Candle[] = [];
  for (const c of fresh) {
    const prev = last.get(c.symbol);
    if (prev !== undefined && c.openTime < prev.openTime) {
      out.push(closedCandle(c, ctx.recvTs));
      continue;
    }
    if (prev !== undefined && c.openTime > prev.openTime) out.push(closedCandle(prev, ctx.recvTs));
    last.set(c.symbol, c);
    out.push(c);
  }
  return data(out);
}

function closedCandle(c: Candle, recvTs: number): Candle {
  return { ...c, ts: c.closeTime, recvTs, closed: true };
}
