import type { Interval } from "../core/intervals.ts";

/** Taker side of a trade. */
export type Side = "buy" | "sell";

/** One generated trade: what the ground truth records and what exchange profiles format. */
export interface SimTrade {
  /** Per-market trade id, 1, 2, 3, ... */
  id: number;
  price: number;
  amount: number;
  side: Side;
  /** Trade time, epoch milliseconds. */
  ts: number;
}

export interface Candle {
  interval: Interval;
  openTime: number;
  /** Last millisecond of the interval. */
  closeTime: number;
  open: number;
  high: number;
  low: number;
  close: number;
  /** Base volume. */
  volume: number;
  quoteVolume: number;
  trades: number;
  /** Taker-buy base and quote volume. */
  takerBuyVolume: number;
  takerBuyQuoteVolume: number;
  /** First and last trade id, -1 when the candle has no trades. */
  firstId: number;
  lastId: number;
  closed: boolean;
}

/** 24 h ticker statistics (over the run, which is shorter than 24 h in tests). */
export interface TickerState {
  /** Price before the first trade of the window (Binance `x`). */
  prevPrice: number;
  open: number;
  high: number;
  low: number;
  last: number;
  lastAmount: number;
  volume: number;
  quoteVolume: number;
  count: number;
  /** -1 while there are no trades. */
  firstId: number;
  lastId: number;
  openTime: number;
  /** Time of the last update (trade), epoch ms. */
  ts: number;
}

export interface Bbo {
  bidPrice: number;
  bidAmount: number;
  askPrice: number;
  askAmount: number;
  /** Order-book update id after this change. */
  updateId: number;
  ts: number;
}
