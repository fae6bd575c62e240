import type { ConnectionPlan, Subscription, WsLimits, WsSpec } from "../../adapter.ts";
import { packConnections } from "../wire/connection-plan.ts";
import { type BingxVenue, dataTypeOf } from "./streams.ts";

/**
 * BingX WebSocket rules (BingX API docs, "Connection Limitations", "Heartbeats"):
 * - spot `wss://open-api-ws.bingx.com/market`, USDT-M swap `wss://open-api-swap.bingx.com/swap-market`:
 *   the adapters' default URLs are the hosts and plan() appends the path, so one simulator host
 *   serves both venues on their real paths;
 * - ≤ 200 topics per connection (error 80403 beyond), one dataType per subscribe message,
 *   subscribe rate ≤ 10/s (we send ≤ 7/s), ≤ 60 connections per IP;
 * - the server sends an application-level heartbeat every ~5 s (swap `Ping`, spot
 *   `{"ping":id,"time":...}`) and drops connections that do not answer it (parseFrame returns the
 *   answer as a "reply"); every frame from the server is gzip-compressed binary;
 * - no documented maximum connection age.
 */

export const SPOT_WS_URL = "wss://open-api-ws.bingx.com";
export const SWAP_WS_URL = "wss://open-api-swap.bingx.com";
export const WS_PATHS: Readonly<Record<BingxVenue, string>> = { spot: "/market", swap: "/swap-market" };

export const WS_LIMITS: WsLimits = {
  streamsPerConnection: 200,
  argsPerSubscribe: 1,
  /**
   * BingX asks for at most 10 subscriptions per second. 8 (the runtime paces at one below, leaving
   * room for our pongs) keeps bursts from network or event-loop delays under the exchange's count.
   */
  messagesPerSecond: 8,
  /** BingX caps an IP at 60 sockets; pacing attempts to 60 a minute keeps reconnect storms below it. */
  connectionAttempts: { count: 60, windowMs: 60_000 },
};

/** Heartbeat period of the server. */
export const SERVER_PING_MS = 5_000;
/** No documented limit: rotate daily anyway (make-before-break, so nothing is lost). */
export const MAX_CONNECTION_AGE_MS = 24 * 3_600_000;

/** `base` + the venue's path, unless `base` already names it. */
export function wsUrlOf(baseUrl: string, venue: BingxVenue): string {
  const base = baseUrl.replace(/\/+$/, "");
  const path = WS_PATHS[venue];
  return base.endsWith(path) ? base : base + path;
}

/**
 * Splits subscriptions into connections of at most 200 topics. A market's topics stay on one
 * connection unless it alone exceeds the limit; duplicates are dropped.
 */
function plan(venue: BingxVenue, subscriptions: Subscription[], baseUrl: string): ConnectionPlan[] {
  const limit = WS_LIMITS.streamsPerConnection;
  const url = wsUrlOf(baseUrl, venue);
  // the topic validates the subscription
  return packConnections(subscriptions, url, limit, (sub) => dataTypeOf(sub, venue));
}

/** One `{"id","reqType","dataType"}` message per distinct topic (BingX honours only one per message). */
function frames(
  venue: BingxVenue,
  reqType: "sub" | "unsub",
  subs: Subscription[],
  nextId: () => number,
): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const sub of subs) {
    const dataType = dataTypeOf(sub, venue);
    if (seen.has(dataType)) continue;
    seen.add(dataType);
    out.push(JSON.stringify({ id: String(nextId()), reqType, dataType }));
  }
  return out;
}

export function createWsSpec(venue: BingxVenue): WsSpec {
  return {
    defaultUrl: venue === "spot" ? SPOT_WS_URL : SWAP_WS_URL,
    limits: WS_LIMITS,
    keepalive: { kind: "server-ping", serverIntervalMs: SERVER_PING_MS },
    maxConnectionAgeMs: MAX_CONNECTION_AGE_MS,
    // server heartbeats arrive every 5 s even on a quiet connection: 30 s of nothing is a dead link
    staleAfterMs: 30_000,
    plan: (subs, baseUrl) => plan(venue, subs, baseUrl),
    subscribeFrames: (subs, nextId) => frames(venue, "sub", subs, nextId),
    unsubscribeFrames: (subs, nextId) => frames(venue, "unsub", subs, nextId),
  };
}
