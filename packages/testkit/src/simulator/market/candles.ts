import { type Interval, intervalClose, intervalOpen } from "../core/intervals.ts";
import type { Candle, SimTrade } from "./types.ts";

/** A candle with no trades yet, opening at the last known price. */
export function emptyCandle(interval: Interval, openTime: number, price: number): Candle {
  return {
    interval,
    openTime,
    closeTime: intervalClose(interval, openTime),
    open: price,
    high: price,
    low: price,
    close: price,
    volume: 0,
    quoteVolume: 0,
    trades: 0,
    takerBuyVolume: 0,
    takerBuyQuoteVolume: 0,
    firstId: -1,
    lastId: -1,
    closed: false,
  };
}

/** Adds one trade to a candle in place. The order of additions decides float sums: keep it the trade order. */
export function addTrade(c: Candle, t: SimTrade): void {
  addTradeFields(c, t.id, t.price, t.amount, t.side === "buy");
}

export function addTradeFields(
  c: Candle,
  id: number,
  price: number,
  amount: number,
  takerBuy: boolean,
): void {
  const quote = price * amount;
  if (c.trades === 0) {
    c.open = price;
    c.high = price;
    c.low = price;
    c.firstId = id;
  } else {
    if (price > c.high) c.high = price;
    if (price < c.low) c.low = price;
  }
  c.close = price;
  c.volume += amount;
  c.quoteVolume += quote;
  c.trades += 1;
  c.lastId = id;
  if (takerBuy) {
    c.takerBuyVolume += amount;
    c.takerBuyQuoteVolume += quote;
  }
}

/** The live candle of one interval, rolled over by trades and by the clock. */
export class LiveCandle {
  current: Candle;

  constructor(
    readonly interval: Interval,
    startTs: number,
    price: number,
  ) {
    this.current = emptyCandle(interval, intervalOpen(interval, startTs), price);
  }

  /**
   * Closes the current candle if `ts` is past it; returns the closed candle (or null). The next
   * candle opens at the interval containing `ts`, at the previous close.
   */
  roll(ts: number): Candle | null {
    if (ts <= this.current.closeTime) return null;
    const closed = { ...this.current, closed: true };
    this.current = emptyCandle(this.interval, intervalOpen(this.interval, ts), closed.close);
    return closed;
  }

  add(t: SimTrade): void {
    addTrade(this.current, t);
  }
}
