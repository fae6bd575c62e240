import type { BookSnapshot, DepthDiff, Level } from "../../market/book.ts";
import type { MarketSpec } from "../../market/spec.ts";
import type { Bbo, Candle, SimTrade, TickerState } from "../../market/types.ts";

/**
 * Coinbase Advanced Trade wire formats, as recorded (advanced_trade_*_ws.jsonl) and documented
 * (websocket-channels): decimal strings without trailing zeros, RFC 3339 times with a fraction,
 * every frame `{channel, client_id, timestamp, sequence_num, events}`. Built as strings.
 */

/** A fixed number of decimals, trailing zeros removed: 83277.250 → "83277.25", 5.000 → "5". */
export function dec(v: number, decimals: number): string {
  const s = v.toFixed(decimals);
  if (s.indexOf(".") < 0) return s;
  let end = s.length;
  while (s.charCodeAt(end - 1) === 48) end--; // 0
  if (s.charCodeAt(end - 1) === 46) end--; // .
  return s.slice(0, end);
}

/** Epoch ms → `2026-09-30T02:39:53.407329Z` (six fraction digits, as trades and level2 carry them). */
export function rfc3339(ms: number): string {
  const whole = Math.floor(ms);
  const micros = Math.min(999, Math.round((ms - whole) * 1000));
  const iso = new Date(whole).toISOString(); // ...T02:39:53.407Z
  return `${iso.slice(0, 23)}${String(micros).padStart(3, "0")}Z`;
}

export function envelope(channel: string, seq: number, now: number, events: string): string {
  return `{"channel":"${channel}","client_id":"","timestamp":"${rfc3339(now)}","sequence_num":${seq},"events":${events}}`;
}

function levelUpdates(
  side: "bid" | "offer",
  levels: readonly Level[],
  time: string,
  spec: MarketSpec,
): string {
  let out = "";
  for (const [price, amount] of levels) {
    if (out.length > 0) out += ",";
    out += `{"side":"${side}","event_time":"${time}","price_level":"${dec(price, spec.priceDecimals)}","new_quantity":"${dec(amount, spec.qtyDecimals)}"}`;
  }
  return out;
}

/** An `l2_data` event: the whole book (snapshot) or the changed levels (update). */
export function l2Event(
  type: "snapshot" | "update",
  product: string,
  book: BookSnapshot | DepthDiff,
  eventTime: number,
  spec: MarketSpec,
): string {
  const time = rfc3339(eventTime);
  const bids = levelUpdates("bid", book.bids, time, spec);
  const asks = levelUpdates("offer", book.asks, time, spec);
  const updates = bids.length > 0 && asks.length > 0 ? `${bids},${asks}` : bids + asks;
  return `[{"type":"${type}","product_id":"${product}","updates":[${updates}]}]`;
}

/** `market_trades` event, newest first; `side` is the MAKER's side (the taker's opposite). */
export function tradesEvent(
  type: "snapshot" | "update",
  product: string,
  trades: readonly SimTrade[],
  spec: MarketSpec,
): string {
  let out = "";
  for (let i = trades.length - 1; i >= 0; i--) {
    const t = trades[i]!;
    if (out.length > 0) out += ",";
    out += `{"product_id":"${product}","trade_id":"${t.id}","price":"${dec(t.price, spec.priceDecimals)}","size":"${dec(t.amount, spec.qtyDecimals)}","time":"${rfc3339(t.ts)}","side":"${t.side === "buy" ? "SELL" : "BUY"}"}`;
  }
  return `[{"type":"${type}","trades":[${out}]}]`;
}

/** `ticker` (with best bid/ask) or `ticker_batch` (without) event for one product. */
export function tickerEvent(
  type: "snapshot" | "update",
  product: string,
  s: TickerState,
  bbo: Bbo | undefined,
  spec: MarketSpec,
): string {
  const p = (v: number) => dec(v, spec.priceDecimals);
  const pct = s.open === 0 ? 0 : ((s.last - s.open) / s.open) * 100;
  let t =
    `{"type":"ticker","product_id":"${product}","price":"${p(s.last)}","volume_24_h":"${dec(s.volume, spec.qtyDecimals)}",` +
    `"low_24_h":"${p(s.low)}","high_24_h":"${p(s.high)}","low_52_w":"${p(s.low)}","high_52_w":"${p(s.high)}",` +
    `"price_percent_chg_24_h":"${pct}"`;
  if (bbo) {
    t +=
      `,"best_bid":"${p(bbo.bidPrice)}","best_bid_quantity":"${dec(bbo.bidAmount, spec.qtyDecimals)}",` +
      `"best_ask":"${p(bbo.askPrice)}","best_ask_quantity":"${dec(bbo.askAmount, spec.qtyDecimals)}"`;
  }
  return `[{"type":"${type}","tickers":[${t}}]}]`;
}

/** `candles` event: the current 5-minute candle (start in UNIX seconds). */
export function candleEvent(
  type: "snapshot" | "update",
  product: string,
  c: Candle,
  spec: MarketSpec,
): string {
  const p = (v: number) => dec(v, spec.priceDecimals);
  return (
    `[{"type":"${type}","candles":[{"start":"${Math.floor(c.openTime / 1000)}","high":"${p(c.high)}","low":"${p(c.low)}",` +
    `"open":"${p(c.open)}","close":"${p(c.close)}","volume":"${dec(c.volume, spec.qtyDecimals)}","product_id":"${product}"}]}]`
  );
}

/** `heartbeats` event; current_time in Go's format, as Coinbase sends it. */
export function heartbeatEvent(now: number, counter: number): string {
  const iso = new Date(now).toISOString();
  return `[{"current_time":"${iso.slice(0, 10)} ${iso.slice(11, 23)}000000 +0000 UTC","heartbeat_counter":${counter}}]`;
}

/** `subscriptions` event: everything the connection is subscribed to, per channel. */
export function subscriptionsEvent(subs: ReadonlyMap<string, ReadonlySet<string>>): string {
  const parts: string[] = [];
  for (const [channel, products] of subs) parts.push(`"${channel}":${JSON.stringify([...products])}`);
  return `[{"subscriptions":{${parts.join(",")}}}]`;
}

/** `status` event: the products and their trading status. */
export function statusEvent(type: "snapshot" | "update", products: readonly [string, MarketSpec][]): string {
  const list = products.map(([id, s]) => ({
    product_type: "SPOT",
    id,
    base_currency: s.base,
    quote_currency: s.quote,
    base_increment: dec(s.stepSize, s.qtyDecimals),
    quote_increment: dec(s.tickSize, s.priceDecimals),
    display_name: id,
    status: "online",
    status_message: "",
    min_market_funds: dec(s.minNotional, 8),
  }));
  return `[{"type":"${type}","products":${JSON.stringify(list)}}]`;
}

export function errorFrame(message: string, reason?: string): string {
  return JSON.stringify(
    reason === undefined ? { type: "error", message } : { type: "error", message, reason },
  );
}
