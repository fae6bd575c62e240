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

/** Derivatives state of a perpetual market (what mark-price / funding / open-interest feeds show). */
export interface SimDeriv {
  /** Last trade price smoothed over recent trades, on the tick. */
  markPrice: number;
  /** The mark minus a small oscillating basis (the spot index the perp tracks). */
  indexPrice: number;
  /** Funding rate of the current 8 h period, e.g. 0.0001 = 0.01 %. */
  fundingRate: number;
  /** Next funding time (00:00, 08:00 or 16:00 UTC), epoch ms. */
  nextFundingTime: number;
  /** Open interest in base units (contracts of one base unit). */
  openInterest: number;
  /** Time of the state: the market's latest generate/tick time, epoch ms. */
  ts: number;
}

/**
 * A forced (liquidation) order that was the taker of one generated trade: same price, amount and
 * side as that trade. `side` is the liquidation order's side: "sell" closes a long.
 */
export interface SimLiquidation {
  /** Per-market liquidation id, 1, 2, 3, ... */
  id: number;
  /** Id of the trade the liquidation order took part in. */
  tradeId: number;
  price: number;
  amount: number;
  side: Side;
  ts: number;
}
