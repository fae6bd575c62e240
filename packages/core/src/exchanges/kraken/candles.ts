import type { Candle } from "../../schemas/messages.ts";

/**
 * Kraken's ohlc channel sends the running candle on every trade but never says that a candle has
 * closed: the next interval's first update does. The last open candle per symbol and interval is
 * kept in the connection's parser state; when a later interval arrives it is emitted once more
 * with `closed: true` (at the time of the message that proved it). A candle whose interval ended
 * before the message time (the snapshot's older entries) is closed from the start.
 */
export function trackCandles(state: Map<string, unknown>, candles: Candle[]): Candle[] {
  const out: Candle[] = [];
  for (const c of candles) {
    const key = `ohlc:${c.symbol}:${c.interval}`;
    const prev = state.get(key) as Candle | undefined;
    if (prev !== undefined && prev.openTime < c.openTime) {
      out.push({ ...prev, ts: c.ts, recvTs: c.recvTs, closed: true });
      state.delete(key);
    }
    if (prev !== undefined && prev.openTime > c.openTime) {
      // a late update of an older interval: pass it on, keep tracking the newer one
      out.push(c);
      continue;
    }
    if (!c.closed) state.set(key, c);
    else if (prev?.openTime === c.openTime) state.delete(key);
    out.push(c);
  }
  return out;
}
