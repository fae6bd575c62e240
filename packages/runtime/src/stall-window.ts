import type { FeedChannel, Subscription, WsSpec } from "@tickerplant/core";

/**
 * How long a connection may carry no market data before it counts as stalled, per channel, unless
 * the adapter knows better (WsSpec.dataStallMs). Books and best prices move within a minute on any
 * market worth following; trades, candles, tickers, derivatives and liquidations can be quiet for
 * longer on an illiquid one, so they set no window (only the silence check applies to them).
 */
export const DEFAULT_DATA_STALL_MS: Readonly<Partial<Record<FeedChannel, number>>> = {
  book: 60_000,
  bbo: 60_000,
};

/**
 * The data-stall window of one connection: the shortest window among its channels (data on any
 * channel proves the stream flows), or 0 when none of them sets one (no data-stall check).
 */
export function dataStallWindow(spec: WsSpec, subscriptions: readonly Subscription[]): number {
  let window = 0;
  for (const s of subscriptions) {
    const ms = spec.dataStallMs?.[s.channel] ?? DEFAULT_DATA_STALL_MS[s.channel] ?? 0;
    if (ms > 0 && (window === 0 || ms < window)) window = ms;
  }
  return window;
}
