import type {
  CandleInterval,
  ExchangeAdapter,
  FeedChannel,
  Subscription,
  SubscriptionEntry,
} from "@tickerplant/core";
import { adapterForMarket } from "@tickerplant/core";
import { buildSubscriptions } from "./subscriptions.ts";

/** What one exchange should be ingesting: per adapter, the subscriptions. */
export type DesiredFeeds = Map<ExchangeAdapter, Subscription[]>;

/**
 * The union of the configured set (MARKETS × CHANNELS) and the subscriptions KV entries of one
 * exchange, grouped by the adapter that serves each market.
 */
export function desiredFeeds(
  exchange: string,
  configured: { markets: string[]; channels: string[]; intervals: string[] },
  entries: readonly SubscriptionEntry[],
): DesiredFeeds {
  const byAdapter: DesiredFeeds = new Map();
  const add = (market: string, channels: string[], intervals: string[]) => {
    const adapter = adapterForMarket(exchange, market);
    if (!adapter) return;
    const subs = byAdapter.get(adapter) ?? [];
    subs.push(...buildSubscriptions(adapter, [market], channels, intervals));
    byAdapter.set(adapter, subs);
  };
  for (const market of configured.markets) add(market, configured.channels, configured.intervals);
  for (const e of entries) {
    if (e.exchange === exchange) add(e.market, e.channels, e.intervals ?? configured.intervals);
  }
  for (const [adapter, subs] of byAdapter) {
    const unique = dedupe(subs);
    if (unique.length === 0) byAdapter.delete(adapter);
    else byAdapter.set(adapter, unique);
  }
  return byAdapter;
}

function keyOf(s: Subscription): string {
  return `${s.channel}|${s.market}|${s.interval ?? ""}`;
}

function dedupe(subs: Subscription[]): Subscription[] {
  const seen = new Map<string, Subscription>();
  for (const s of subs) seen.set(keyOf(s), s);
  return [...seen.values()].sort((a, b) => keyOf(a).localeCompare(keyOf(b)));
}

/** A stable description of a desired state, to tell whether it changed. */
export function signature(feeds: DesiredFeeds): string {
  return [...feeds]
    .map(([a, subs]) => `${a.marketType}:${subs.map(keyOf).join(",")}`)
    .sort()
    .join(";");
}

export type { CandleInterval, FeedChannel };
