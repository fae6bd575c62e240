import type { ConnectionPlan, Subscription, WsLimits, WsSpec } from "../../adapter.ts";
import { groupByMarket } from "../wire/connection-plan.ts";
import { intervalMinutes, KRAKEN_BOOK_DEPTH } from "./channels.ts";
import { symbolOf } from "./symbols.ts";

/**
 * Kraken spot WebSocket v2 rules (docs.kraken.com, spot-websocket v2):
 * - public endpoint `wss://ws.kraken.com/v2`; one subscribe request names one channel (with its
 *   parameters) and a list of symbols, and is acknowledged once per symbol with `success`;
 * - the server sends `{"channel":"heartbeat"}` about once a second when nothing else is sent, on
 *   any connection with a subscription; the client may ping (`{"method":"ping"}`) but need not;
 * - Cloudflare in front of Kraken allows about 150 connection attempts per rolling 10 minutes per IP;
 * - there is no documented cap on subscriptions per connection or symbols per request: we keep
 *   connections at 200 subscriptions and requests at 50 symbols, and pace control messages;
 * - `bbo` and `ticker` are both served by Kraken's `ticker` channel (L1 + 24 h statistics in one
 *   record): one subscription per symbol, `event_trigger: "bbo"` when top-of-book updates are
 *   wanted, else Kraken's default (on trades);
 * - candles are `ohlc` with an interval in minutes; books subscribe at KRAKEN_BOOK_DEPTH with a
 *   snapshot, trades with Kraken's snapshot of recent trades (useful after a reconnect).
 */

export const WS_DEFAULT_URL = "wss://ws.kraken.com";
export const WS_PATH = "/v2";

export const WS_LIMITS: WsLimits = {
  streamsPerConnection: 200,
  argsPerSubscribe: 50,
  messagesPerSecond: 5,
  connectionAttempts: { count: 150, windowMs: 10 * 60_000 },
};

/** No forced disconnect on Kraken: a daily make-before-break reconnect just refreshes the socket. */
export const MAX_CONNECTION_AGE_MS = 24 * 3_600_000;

/** One Kraken subscription: a channel with its parameters, for one symbol. */
export interface KrakenStream {
  /** Identifies the request group: channel plus parameters. */
  group: string;
  params: Record<string, unknown>;
  symbol: string;
  market: string;
}

function paramsOf(sub: Subscription, bboWanted: boolean): Record<string, unknown> {
  switch (sub.channel) {
    case "trade":
      return { channel: "trade", snapshot: true };
    case "bbo":
    case "ticker":
      return bboWanted
        ? { channel: "ticker", event_trigger: "bbo", snapshot: true }
        : { channel: "ticker", snapshot: true };
    case "book":
      return { channel: "book", depth: KRAKEN_BOOK_DEPTH, snapshot: true };
    case "candle":
      return { channel: "ohlc", interval: intervalMinutes(sub.interval), snapshot: true };
    default:
      throw new Error(`kraken (spot) has no "${sub.channel}" channel`);
  }
}

/** Kraken subscriptions for normalized ones, deduplicated, in first-seen order. */
export function krakenStreams(subs: readonly Subscription[]): KrakenStream[] {
  const bboMarkets = new Set(subs.filter((s) => s.channel === "bbo").map((s) => s.market));
  const seen = new Set<string>();
  const out: KrakenStream[] = [];
  for (const sub of subs) {
    const params = paramsOf(sub, bboMarkets.has(sub.market));
    const symbol = symbolOf(sub.market);
    const group = JSON.stringify(params);
    const key = `${group}|${symbol}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ group, params, symbol, market: sub.market });
  }
  return out;
}

/**
 * Splits subscriptions into connections of at most `streamsPerConnection` Kraken subscriptions; a
 * market's subscriptions stay on one connection (a market has at most a dozen).
 */
function plan(subscriptions: Subscription[], baseUrl: string): ConnectionPlan[] {
  const limit = WS_LIMITS.streamsPerConnection;
  const url = `${baseUrl.replace(/\/+$/, "")}${WS_PATH}`;
  const byMarket = groupByMarket(
    subscriptions,
    (sub) => `${sub.channel}|${sub.market}|${sub.interval ?? ""}`,
  );
  const plans: ConnectionPlan[] = [];
  let current: Subscription[] = [];
  let used = 0;
  for (const group of byMarket.values()) {
    const cost = krakenStreams(group).length; // validates; bbo + ticker count once
    if (used + cost > limit && current.length > 0) {
      plans.push({ url, subscriptions: current });
      current = [];
      used = 0;
    }
    current.push(...group);
    used += cost;
  }
  if (current.length > 0) plans.push({ url, subscriptions: current });
  return plans;
}

function frames(method: "subscribe" | "unsubscribe", subs: Subscription[], nextId: () => number): string[] {
  const groups = new Map<string, { params: Record<string, unknown>; symbols: string[] }>();
  for (const s of krakenStreams(subs)) {
    const g = groups.get(s.group);
    if (g) g.symbols.push(s.symbol);
    else groups.set(s.group, { params: s.params, symbols: [s.symbol] });
  }
  const size = WS_LIMITS.argsPerSubscribe;
  const out: string[] = [];
  for (const { params, symbols } of groups.values()) {
    const { channel, snapshot, ...rest } = params;
    for (let i = 0; i < symbols.length; i += size) {
      const p: Record<string, unknown> = { channel, symbol: symbols.slice(i, i + size), ...rest };
      if (method === "subscribe") p.snapshot = snapshot;
      out.push(JSON.stringify({ method, params: p, req_id: nextId() }));
    }
  }
  return out;
}

export const ws: WsSpec = {
  defaultUrl: WS_DEFAULT_URL,
  limits: WS_LIMITS,
  keepalive: { kind: "heartbeat-channel" },
  maxConnectionAgeMs: MAX_CONNECTION_AGE_MS,
  staleAfterMs: 10_000,
  plan,
  subscribeFrames: (subs, nextId) => frames("subscribe", subs, nextId),
  unsubscribeFrames: (subs, nextId) => frames("unsubscribe", subs, nextId),
};
