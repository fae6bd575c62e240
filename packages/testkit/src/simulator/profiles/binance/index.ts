import type { SimConnection } from "../../server/connection.ts";
import type { BookFault } from "../book-faults.ts";
import type {
  ExchangeProfile,
  HttpReply,
  ProfileContext,
  ProfileDefaults,
  ProfileRuntime,
  RestRoute,
  UpgradeDecision,
} from "../types.ts";
import { malformedFrames } from "./malformed.ts";
import { serverShutdownPayload } from "./payloads.ts";
import type { BinanceSession } from "./session.ts";
import { SpotRuntime } from "./spot-runtime.ts";
import { type UsdmLimits, UsdmRuntime } from "./usdm/runtime.ts";

/** Binance spot's limits: the profile defaults (simulator options override them). */
const SPOT_DEFAULTS: ProfileDefaults = {
  pingIntervalMs: 20_000,
  pongTimeoutMs: 60_000,
  maxConnectionAgeMs: 24 * 60 * 60 * 1000,
  maxIncomingPerSecond: 5,
  maxStreamsPerConnection: 1024,
  restWeightLimit: 6000,
  restWeightWindowMs: 60_000,
};

/** USD-M's own: pings every 3 min, pong within 10 min, 10 messages/s, 2400 REST weight/min. */
const USDM_DEFAULTS = {
  pingIntervalMs: 180_000,
  pongTimeoutMs: 600_000,
  maxIncomingPerSecond: 10,
  restWeightLimit: 2400,
} as const;

/**
 * USD-M limits from the effective ones: a value the options left at spot's default takes USD-M's
 * default; an overridden value (tests shortening pings, disabling limits) applies to both.
 */
export function usdmLimits(limits: ProfileDefaults): UsdmLimits {
  const pick = (k: keyof typeof USDM_DEFAULTS): number =>
    limits[k] === SPOT_DEFAULTS[k] ? USDM_DEFAULTS[k] : limits[k];
  return {
    rules: {
      pingIntervalMs: pick("pingIntervalMs"),
      pongTimeoutMs: pick("pongTimeoutMs"),
      maxConnectionAgeMs: limits.maxConnectionAgeMs,
      maxIncomingPerSecond: pick("maxIncomingPerSecond"),
    },
    restWeightLimit: pick("restWeightLimit"),
  };
}

const USDM_PATH = /^\/(public|market)\//;

/**
 * One local host for Binance: spot (stream.binance.com, api.binance.com) for `BASE-QUOTE`
 * markets and USD-M futures (fstream.binance.com routed paths, fapi.binance.com) for
 * `BASE-QUOTE-PERP` markets. Paths tell them apart; the unrouted `/ws` and `/stream` are spot's,
 * and serve a perp symbol's `/public` streams as fstream's legacy paths do.
 */
class BinanceVenue implements ProfileRuntime {
  private readonly usdm: UsdmRuntime;
  private readonly spot: SpotRuntime;

  constructor(ctx: ProfileContext) {
    this.usdm = new UsdmRuntime(ctx, usdmLimits(ctx.limits));
    this.spot = new SpotRuntime(ctx, this.usdm.legacy());
  }

  upgrade(url: URL): UpgradeDecision | undefined {
    return this.usdm.upgrade(url) ?? this.spot.upgrade(url);
  }

  onOpen(conn: SimConnection): void {
    if (USDM_PATH.test(conn.path)) this.usdm.onOpen(conn);
    else this.spot.onOpen(conn);
  }

  onMessage(conn: SimConnection, text: string): void {
    if (USDM_PATH.test(conn.path)) this.usdm.onMessage(conn, text);
    else this.spot.onMessage(conn, text);
  }

  onClose(conn: SimConnection): void {
    if (USDM_PATH.test(conn.path)) this.usdm.onClose(conn);
    else this.spot.onClose(conn);
  }

  rest(method: string, url: URL): RestRoute | undefined {
    return this.usdm.rest(method, url) ?? this.spot.rest(method, url);
  }

  rateLimitedReply(retryAfterSec: number): HttpReply {
    return this.spot.rateLimitedReply(retryAfterSec);
  }

  weightHeaders(used: number): Record<string, string> {
    return this.spot.weightHeaders(used);
  }

  isSubscribed(conn: SimConnection): boolean {
    return (conn as SimConnection<BinanceSession>).session.streams.size > 0;
  }

  malformedFrames(count: number): string[] {
    const w = this.spot.sample() ?? this.usdm.sample() ?? { lower: "btcusdt", symbol: "BTCUSDT" };
    return malformedFrames(count, w.lower, w.symbol);
  }

  shutdownNotice(): string {
    return serverShutdownPayload(Date.now());
  }

  skipBookUpdates(market: string, count: number): void {
    if (this.usdm.has(market)) this.usdm.skipBookUpdates(market, count);
    else this.spot.skipBookUpdates(market, count);
  }

  injectBookFault(market: string, fault: BookFault): void {
    if (this.usdm.has(market)) this.usdm.injectBookFault(market, fault);
    else this.spot.injectBookFault(market, fault);
  }

  info(): Record<string, unknown> {
    return { ...this.spot.info(), usdm: this.usdm.info() };
  }

  stop(): void {
    this.spot.stop();
    this.usdm.stop();
  }
}

/** Binance: spot and USD-M futures, WebSocket streams and REST, on one local port. */
export const binanceProfile: ExchangeProfile = {
  id: "binance",
  marketKinds: ["spot", "perp"],
  defaults: SPOT_DEFAULTS,
  create: (ctx) => new BinanceVenue(ctx),
};
