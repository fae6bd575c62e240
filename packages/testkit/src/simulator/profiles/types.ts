import type { MarketGenerator } from "../market/generator.ts";
import type { MarketKind } from "../market/spec.ts";
import type { SimConnection } from "../server/connection.ts";
import type { ConnectionRules } from "../server/connections.ts";
import type { Faults } from "../server/faults.ts";
import type { WeightLimiter } from "../server/weight-limiter.ts";
import type { GroundTruth } from "../truth/ground-truth.ts";
import type { BookFault } from "./book-faults.ts";

/**
 * An exchange profile speaks one exchange's protocol on top of the shared market, ground truth and
 * server plumbing. Adding an exchange = one folder under profiles/ plus one line in the registry.
 */
export interface ExchangeProfile {
  /** Exchange id as in the rest of the project, e.g. "binance". */
  readonly id: string;
  /**
   * The kinds of market the exchange lists (Kraken and Coinbase spot: no perpetuals). Other markets
   * are refused: a spot-only venue must never serve a perpetual's prices under the spot symbol.
   */
  readonly marketKinds: readonly MarketKind[];
  /** The exchange's own limits and timings; simulator options override them. */
  readonly defaults: ProfileDefaults;
  create(ctx: ProfileContext): ProfileRuntime;
}

export interface ProfileDefaults {
  pingIntervalMs: number;
  pongTimeoutMs: number;
  maxConnectionAgeMs: number;
  maxIncomingPerSecond: number;
  maxStreamsPerConnection: number;
  restWeightLimit: number;
  restWeightWindowMs: number;
}

export interface ProfileContext {
  generator: MarketGenerator;
  truth: GroundTruth;
  faults: Faults;
  /** Effective limits (profile defaults merged with options). */
  limits: ProfileDefaults;
  /** A repeating timer that is cleared when the simulator stops. */
  every(ms: number, fn: () => void): void;
  /** Open connections. */
  connections(): Iterable<SimConnection>;
  /** Current REST weight used in the window (for headers). */
  usedWeight(): number;
}

/** An HTTP answer in plain data; the server adds the common headers. */
export interface HttpReply {
  status?: number;
  body: unknown;
  headers?: Record<string, string>;
}

/** A matched REST endpoint: its weight is charged before it runs. */
export interface RestRoute {
  weight: number;
  run(): HttpReply;
  /**
   * A weight budget of its own, when the exchange meters this API apart from the profile's main
   * one (Binance: fapi's 2400/min next to spot's 6000/min). Default: the simulator's limiter and
   * the runtime's rateLimitedReply/weightHeaders.
   */
  budget?: RestBudget;
}

export interface RestBudget {
  limiter: WeightLimiter;
  rateLimitedReply(retryAfterSec: number): HttpReply;
  weightHeaders(used: number): Record<string, string>;
}

export type UpgradeDecision =
  | {
      accept: true;
      session: unknown;
      /** Keepalive/rate rules of this connection when they differ from the profile's (Binance USD-M paths). */
      rules?: Partial<ConnectionRules>;
    }
  | { accept: false; reply: HttpReply };

export interface ProfileRuntime {
  /** Is this a WebSocket path of the exchange? undefined = not a WS path. */
  upgrade(url: URL): UpgradeDecision | undefined;
  onOpen(conn: SimConnection): void;
  onMessage(conn: SimConnection, text: string): void;
  onClose(conn: SimConnection): void;
  /** A REST endpoint of the exchange; undefined = not found. */
  rest(method: string, url: URL): RestRoute | undefined;
  /** Body of a rate-limit refusal (status 429). */
  rateLimitedReply(retryAfterSec: number): HttpReply;
  /** Headers that report the used REST weight. */
  weightHeaders(used: number): Record<string, string>;
  /** Whether the connection listens to anything (malformed frames go to listeners). */
  isSubscribed(conn: SimConnection): boolean;
  /** `count` frames that a client must reject (truncated JSON, garbage, wrong shapes). */
  malformedFrames(count: number): string[];
  /** Sends the exchange's application-level heartbeat (BingX `Ping`) in place of a ping frame. */
  heartbeat?(conn: SimConnection): void;
  /** A notice sent before a planned close, if the exchange has one (Binance: serverShutdown). */
  shutdownNotice?(): string;
  /** Drop the next `count` book-delta events of a market, creating a sequence gap. */
  skipBookUpdates?(market: string, count: number): void;
  /**
   * Disturbs the market's next book update(s) on every book stream (see book-faults.ts): lose one,
   * send one twice, swap two, or cross the book with valid numbering.
   */
  injectBookFault?(market: string, fault: BookFault): void;
  /** Extra facts for /_sim/info (stream names, paths). */
  info(): Record<string, unknown>;
  stop(): void;
}
