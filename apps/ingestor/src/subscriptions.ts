import type { CandleInterval, ExchangeAdapter, FeedChannel, Subscription } from "@tickerplant/core";
import { isMarketName } from "@tickerplant/core";

/** The adapter's subscriptions for the configured markets × channels (× candle intervals). */
export function buildSubscriptions(
  adapter: ExchangeAdapter,
  markets: string[],
  channels: string[],
  intervals: string[],
): Subscription[] {
  const badMarkets = markets.filter((m) => !isMarketName(m));
  if (badMarkets.length > 0) throw new Error(`invalid market name(s): ${badMarkets.join(", ")}`);
  const subs: Subscription[] = [];
  for (const market of markets) {
    // A channel the market type does not have (deriv on spot) is skipped; see unsupportedChannels.
    for (const channel of channels.filter((c) =>
      adapter.channels.includes(c as FeedChannel),
    ) as FeedChannel[]) {
      if (channel !== "candle") {
        subs.push({ channel, market });
        continue;
      }
      for (const interval of intervals as CandleInterval[]) {
        // An interval the venue does not offer (Coinbase streams only 5m) is skipped for it.
        if (adapter.intervals.includes(interval)) subs.push({ channel, market, interval });
      }
    }
  }
  return subs;
}

/** Configured channels that none of an exchange's adapters has: a configuration error. */
export function unsupportedChannels(adapters: readonly ExchangeAdapter[], channels: string[]): string[] {
  return channels.filter((c) => !adapters.some((a) => a.channels.includes(c as FeedChannel)));
}
