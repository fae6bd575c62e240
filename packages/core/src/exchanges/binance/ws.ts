import type { ConnectionPlan, Subscription, WsLimits, WsSpec } from "../../adapter.ts";
import { packConnections } from "../wire/connection-plan.ts";
import { streamName } from "./streams.ts";

/** Subscription → stream name, per market type. */
export type StreamNamer = (sub: Subscription) => string;

/**
 * Binance spot WebSocket rules (web-socket-streams.md):
 * - combined endpoint `/stream` wraps every payload as `{"stream":..,"data":..}`; we connect with
 *   no streams in the URL and SUBSCRIBE by frames, so a plan's URL never grows with its streams;
 * - ≤ 1024 streams per connection; ≤ 5 incoming messages per second (SUBSCRIBE, pings AND pongs);
 *   ≤ 300 connection attempts per 5 minutes per IP;
 * - the server pings every 20 s and drops the connection without a pong within 1 min;
 * - a connection lives at most 24 h; `serverShutdown` announces an earlier close.
 */

export const WS_DEFAULT_URL = "wss://stream.binance.com:9443";
/** Market-data-only host, same protocol. */
export const WS_DATA_URL = "wss://data-stream.binance.vision";

export const WS_LIMITS: WsLimits = {
  streamsPerConnection: 1024,
  /** Binance's recommendation for one SUBSCRIBE request (no hard limit is documented). */
  argsPerSubscribe: 200,
  /**
   * The exchange allows 5 per second and counts the pongs our socket sends in answer to its pings;
   * pacing our own frames at 4 leaves room for a pong in any second.
   */
  messagesPerSecond: 4,
  connectionAttempts: { count: 300, windowMs: 5 * 60_000 },
};

const HOUR = 3_600_000;
/** Binance closes at 24 h; reconnect on our own 30 min earlier (the runtime staggers within that). */
export const MAX_CONNECTION_AGE_MS = 24 * HOUR - 30 * 60_000;

/** Deduplicated stream names, in first-seen order. */
function uniqueStreams(subs: readonly Subscription[], nameOf: StreamNamer): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const sub of subs) {
    const name = nameOf(sub);
    if (!seen.has(name)) {
      seen.add(name);
      out.push(name);
    }
  }
  return out;
}

/**
 * Splits subscriptions into connections of at most `streamsPerConnection` streams. All streams of
 * one market stay on one connection (so its book and bbo share a clock) unless the market alone
 * exceeds the limit. Duplicate subscriptions are dropped.
 */
function plan(subscriptions: Subscription[], baseUrl: string): ConnectionPlan[] {
  const url = `${baseUrl.replace(/\/+$/, "")}/stream`;
  return packConnections(subscriptions, url, WS_LIMITS.streamsPerConnection, streamName);
}

/** SUBSCRIBE/UNSUBSCRIBE frames of at most `size` stream names each. */
export function controlFrames(
  method: "SUBSCRIBE" | "UNSUBSCRIBE",
  subs: readonly Subscription[],
  nextId: () => number,
  nameOf: StreamNamer = streamName,
  size: number = WS_LIMITS.argsPerSubscribe,
): string[] {
  const names = uniqueStreams(subs, nameOf);
  const out: string[] = [];
  for (let i = 0; i < names.length; i += size) {
    out.push(JSON.stringify({ method, params: names.slice(i, i + size), id: nextId() }));
  }
  return out;
}

export const ws: WsSpec = {
  defaultUrl: WS_DEFAULT_URL,
  limits: WS_LIMITS,
  keepalive: { kind: "server-ping", serverIntervalMs: 20_000 },
  maxConnectionAgeMs: MAX_CONNECTION_AGE_MS,
  staleAfterMs: 60_000,
  plan,
  subscribeFrames: (subs, nextId) => controlFrames("SUBSCRIBE", subs, nextId),
  unsubscribeFrames: (subs, nextId) => controlFrames("UNSUBSCRIBE", subs, nextId),
};
