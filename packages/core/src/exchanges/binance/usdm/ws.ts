import type { ConnectionPlan, Subscription, WsLimits, WsSpec } from "../../../adapter.ts";
import { packConnections } from "../../wire/connection-plan.ts";
import { controlFrames, MAX_CONNECTION_AGE_MS } from "../ws.ts";
import { routeOf, streamName, type UsdmRoute } from "./streams.ts";

/**
 * Binance USD-M WebSocket rules (developers.binance.com, derivatives/usds-margined-futures):
 * - routed paths since 2026: `/public/stream` for `@depth*`/`@bookTicker`, `/market/stream` for
 *   the rest; a stream on the wrong path is acknowledged and silently never delivers, so every
 *   plan is per route (a market's book and its trades live on two connections);
 * - ≤ 1024 streams per connection; ≤ 10 incoming messages per second;
 * - the server pings every 3 minutes and closes without a pong within 10 minutes;
 * - a connection lives at most 24 h.
 */

export const USDM_WS_DEFAULT_URL = "wss://fstream.binance.com";

export const USDM_WS_LIMITS: WsLimits = {
  streamsPerConnection: 1024,
  /** As for spot: Binance documents no per-request maximum; 200 keeps frames small. */
  argsPerSubscribe: 200,
  /** 10 allowed; our pongs count too, so pace our own frames at 8. */
  messagesPerSecond: 8,
  /** Not documented separately for USD-M; spot's 300 per 5 minutes per IP. */
  connectionAttempts: { count: 300, windowMs: 5 * 60_000 },
};

const ROUTES: readonly UsdmRoute[] = ["public", "market"];

/** The route of a subscription (book and bbo are `/public`, the rest `/market`). */
export function routeOfSubscription(sub: Subscription): UsdmRoute {
  return routeOf(streamName(sub));
}

function plan(subscriptions: Subscription[], baseUrl: string): ConnectionPlan[] {
  const base = baseUrl.replace(/\/+$/, "");
  const out: ConnectionPlan[] = [];
  for (const route of ROUTES) {
    const subs = subscriptions.filter((s) => routeOfSubscription(s) === route);
    if (subs.length === 0) continue;
    out.push(
      ...packConnections(subs, `${base}/${route}/stream`, USDM_WS_LIMITS.streamsPerConnection, streamName),
    );
  }
  return out;
}

export const usdmWs: WsSpec = {
  defaultUrl: USDM_WS_DEFAULT_URL,
  limits: USDM_WS_LIMITS,
  keepalive: { kind: "server-ping", serverIntervalMs: 180_000 },
  maxConnectionAgeMs: MAX_CONNECTION_AGE_MS,
  staleAfterMs: 60_000,
  plan,
  subscribeFrames: (subs, nextId) =>
    controlFrames("SUBSCRIBE", subs, nextId, streamName, USDM_WS_LIMITS.argsPerSubscribe),
  unsubscribeFrames: (subs, nextId) =>
    controlFrames("UNSUBSCRIBE", subs, nextId, streamName, USDM_WS_LIMITS.argsPerSubscribe),
};
