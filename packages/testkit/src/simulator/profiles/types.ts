import type { MarketGenerator } from "../market/generator.ts";
import type { SimConnection } from "../server/connection.ts";
import type { Faults } from "../server/faults.ts";
import type { GroundTruth } from "../truth/ground-truth.ts";

/**
 * An exchange profile speaks one exchange's protocol on top of the shared market, ground truth and
 * server plumbing. Adding an exchange = one folder under profiles/ plus one line in the registry.
 */
export interface ExchangeProfile {
  /** Exchange id as in the rest of the project, e.g. "binance". */
  readonly id: string;
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
}

export type UpgradeDecision = { accept: true; session: unknown } | { accept: false; reply: HttpReply };

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
  /** A notice sent before a planned close, if the exchange has one (Binance: serverShutdown). */
  shutdownNotice?(): string;
  /** Drop the next `count` book-delta events of a market, creating a sequence gap. */
  skipBookUpdates?(market: string, count: number): void;
  /** Extra facts for /_sim/info (stream names, paths). */
  info(): Record<string, unknown>;
  stop(): void;
}
