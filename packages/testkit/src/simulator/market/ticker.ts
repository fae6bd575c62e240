import type { SimTrade, TickerState } from "./types.ts";

export function initialTicker(price: number, openTime: number): TickerState {
  return {
    prevPrice: price,
    open: price,
    high: price,
    low: price,
    last: price,
    lastAmount: 0,
    volume: 0,
    quoteVolume: 0,
    count: 0,
    firstId: -1,
    lastId: -1,
    openTime,
    ts: openTime,
  };
}

/** Ticker statistics over the whole run (tests and demos run far shorter than 24 h). */
export function tickerAddTrade(s: TickerState, t: SimTrade): void {
  if (s.count === 0) {
    s.open = t.price;
    s.high = t.price;
    s.low = t.price;
    s.firstId = t.id;
  } else {
    if (t.price > s.high) s.high = t.price;
    if (t.price < s.low) s.low = t.price;
  }
  s.last = t.price;
  s.lastAmount = t.amount;
  s.volume += t.amount;
  s.quoteVolume += t.price * t.amount;
  s.count += 1;
  s.lastId = t.id;
  s.ts = t.ts;
}
