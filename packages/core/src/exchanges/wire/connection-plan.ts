import type { ConnectionPlan, Subscription } from "../../adapter.ts";

/**
 * Packing subscriptions into WebSocket connections, shared by the adapters' `plan`: a market's
 * subscriptions stay on one connection (so its book and bbo share a clock).
 */

/**
 * Subscriptions grouped by market, markets and subscriptions in first-seen order, without
 * duplicates (subscriptions with the same `keyOf`). `keyOf` may validate a subscription by throwing.
 */
export function groupByMarket(
  subscriptions: readonly Subscription[],
  keyOf: (sub: Subscription) => string,
): Map<string, Subscription[]> {
  const byMarket = new Map<string, Subscription[]>();
  const seen = new Set<string>();
  for (const sub of subscriptions) {
    const key = keyOf(sub);
    if (seen.has(key)) continue;
    seen.add(key);
    const group = byMarket.get(sub.market);
    if (group) group.push(sub);
    else byMarket.set(sub.market, [sub]);
  }
  return byMarket;
}

/**
 * Connections of at most `limit` subscriptions each (deduplicated by `keyOf`, the stream's name):
 * a market's subscriptions share a connection unless the market alone exceeds the limit.
 */
export function packConnections(
  subscriptions: readonly Subscription[],
  url: string,
  limit: number,
  keyOf: (sub: Subscription) => string,
): ConnectionPlan[] {
  const plans: ConnectionPlan[] = [];
  let current: Subscription[] = [];
  for (const group of groupByMarket(subscriptions, keyOf).values()) {
    if (current.length + group.length > limit && current.length > 0) {
      plans.push({ url, subscriptions: current });
      current = [];
    }
    for (const sub of group) {
      if (current.length === limit) {
        plans.push({ url, subscriptions: current });
        current = [];
      }
      current.push(sub);
    }
  }
  if (current.length > 0) plans.push({ url, subscriptions: current });
  return plans;
}
