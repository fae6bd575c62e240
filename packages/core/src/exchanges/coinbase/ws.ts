import type { ConnectionPlan, Subscription, WsLimits, WsSpec } from "../../adapter.ts";
import { CHANNEL_ORDER, type CoinbaseChannel, channelsOfMarket } from "./channels.ts";
import { symbolOf } from "./symbols.ts";

/**
 * Coinbase Advanced Trade market-data WebSocket (websocket-overview, websocket-rate-limits):
 * - one host, no path; `{"type":"subscribe","product_ids":[..],"channel":"level2"}` takes ONE
 *   channel per message, so every channel gets its own frame;
 * - the first subscribe must arrive within 5 s of the open or the server disconnects (the runtime
 *   sends the first frame on open);
 * - channels close after 60–90 s without updates unless the connection also subscribes
 *   `heartbeats` (one frame per second): every connection subscribes it, first;
 * - 8 connections and 8 unauthenticated messages per second per IP;
 * - no request ids: the answer is a `subscriptions` message listing everything subscribed.
 */

export const WS_DEFAULT_URL = "wss://advanced-trade-ws.coinbase.com";

export const WS_LIMITS: WsLimits = {
  /** Product × channel pairs per connection (not counting heartbeats); our cap, Coinbase states none. */
  streamsPerConnection: 100,
  /** Product ids in one subscribe frame. */
  argsPerSubscribe: 100,
  /** Half of the per-IP 8 messages/s, so two connections subscribing at once stay under it. */
  messagesPerSecond: 4,
  connectionAttempts: { count: 8, windowMs: 1000 },
};

/** Coinbase documents no connection lifetime; rotate daily anyway (make-before-break). */
export const MAX_CONNECTION_AGE_MS = 24 * 3_600_000;
/** Heartbeats arrive every second: 15 s of silence is a dead stream. */
export const STALE_AFTER_MS = 15_000;

/** Subscriptions grouped by market in first-seen order, duplicates dropped. */
function byMarket(subs: readonly Subscription[]): Map<string, Subscription[]> {
  const groups = new Map<string, Subscription[]>();
  const seen = new Set<string>();
  for (const s of subs) {
    const key = `${s.channel}|${s.market}|${s.interval ?? ""}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const g = groups.get(s.market);
    if (g) g.push(s);
    else groups.set(s.market, [s]);
  }
  return groups;
}

/**
 * Packs markets into connections of at most `streamsPerConnection` product × channel pairs; a
 * market's channels stay on one connection (they share its sequence numbers and heartbeats).
 */
function plan(subscriptions: Subscription[], baseUrl: string): ConnectionPlan[] {
  const limit = WS_LIMITS.streamsPerConnection;
  const url = baseUrl.replace(/\/+$/, "");
  const plans: ConnectionPlan[] = [];
  let current: Subscription[] = [];
  let used = 0;
  for (const [market, group] of byMarket(subscriptions)) {
    symbolOf(market); // validates the market
    const n = channelsOfMarket(group).length; // validates channels and intervals
    if (used + n > limit && current.length > 0) {
      plans.push({ url, subscriptions: current });
      current = [];
      used = 0;
    }
    current.push(...group);
    used += n;
  }
  if (current.length > 0) plans.push({ url, subscriptions: current });
  return plans;
}

/** Product ids per Coinbase channel, in frame order. */
function productsByChannel(
  subs: readonly Subscription[],
  heartbeats: boolean,
): Map<CoinbaseChannel, string[]> {
  const out = new Map<CoinbaseChannel, string[]>(CHANNEL_ORDER.map((c) => [c, []]));
  for (const [market, group] of byMarket(subs)) {
    const product = symbolOf(market);
    if (heartbeats) out.get("heartbeats")!.push(product);
    for (const c of channelsOfMarket(group)) out.get(c)!.push(product);
  }
  return out;
}

/** One frame per channel, products chunked to argsPerSubscribe. */
function channelFrames(type: "subscribe" | "unsubscribe", groups: Map<CoinbaseChannel, string[]>): string[] {
  const size = WS_LIMITS.argsPerSubscribe;
  const out: string[] = [];
  for (const [channel, products] of groups) {
    for (let i = 0; i < products.length; i += size) {
      out.push(JSON.stringify({ type, product_ids: products.slice(i, i + size), channel }));
    }
  }
  return out;
}

function frames(type: "subscribe" | "unsubscribe", subs: Subscription[]): string[] {
  // Unsubscribing never touches heartbeats: the connection's other channels still need them.
  return channelFrames(type, productsByChannel(subs, type === "subscribe"));
}

/**
 * Resubscribing some subscriptions (a book resync) unsubscribes and subscribes just their
 * channels, mapped with the market's whole set (its ticker rides on `ticker` when it also has
 * bbo); heartbeats stay as they are.
 */
function resubscribeFrames(subs: Subscription[], all: Subscription[]): string[] {
  const markets = byMarket(all);
  const groups = new Map<CoinbaseChannel, string[]>();
  for (const [market, group] of byMarket(subs)) {
    const product = symbolOf(market);
    const hasBbo = (markets.get(market) ?? group).some((s) => s.channel === "bbo");
    const channels = new Set(
      channelsOfMarket(group).map((c) => (c === "ticker_batch" && hasBbo ? "ticker" : c)),
    );
    for (const c of CHANNEL_ORDER) {
      if (!channels.has(c)) continue;
      const list = groups.get(c);
      if (list) list.push(product);
      else groups.set(c, [product]);
    }
  }
  const ordered = new Map(
    [...groups].sort((a, b) => CHANNEL_ORDER.indexOf(a[0]) - CHANNEL_ORDER.indexOf(b[0])),
  );
  return [...channelFrames("unsubscribe", ordered), ...channelFrames("subscribe", ordered)];
}

export const ws: WsSpec = {
  defaultUrl: WS_DEFAULT_URL,
  limits: WS_LIMITS,
  keepalive: { kind: "heartbeat-channel" },
  maxConnectionAgeMs: MAX_CONNECTION_AGE_MS,
  staleAfterMs: STALE_AFTER_MS,
  plan,
  // Coinbase has no request ids: nextId is not used.
  subscribeFrames: (subs) => frames("subscribe", subs),
  unsubscribeFrames: (subs) => frames("unsubscribe", subs),
  resubscribeFrames: (subs, all) => resubscribeFrames(subs, all),
};
