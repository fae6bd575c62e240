import type { CandleInterval, ExchangeAdapter, FeedChannel, Subscription } from "@tickerplant/core";
import { isMarketName } from "@tickerplant/core";

/** The exchange's subscriptions for the configured markets × channels (× candle intervals). */
export function buildSubscriptions(
  adapter: ExchangeAdapter,
  markets: string[],
  channels: string[],
  intervals: string[],
): Subscription[] {
  const unknown = channels.filter((c) => !adapter.channels.includes(c as FeedChannel));
  if (unknown.length > 0) throw new Error(`${adapter.id} has no channel(s) ${unknown.join(", ")}`);
  const badMarkets = markets.filter((m) => !isMarketName(m));
  if (badMarkets.length > 0) throw new Error(`invalid market name(s): ${badMarkets.join(", ")}`);
  const subs: Subscription[] = [];
  for (const market of markets) {
    for (const channel of channels as FeedChannel[]) {
      if (channel !== "candle") {
        subs.push({ channel, market });
        continue;
      }
      for (const interval of intervals as CandleInterval[]) {
        if (!adapter.intervals.includes(interval))
          throw new Error(`${adapter.id} has no ${interval} candles`);
        subs.push({ channel, market, interval });
      }
    }
  }
  return subs;
}
