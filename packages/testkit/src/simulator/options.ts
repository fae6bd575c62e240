import type { MarketInput } from "./market/spec.ts";
import type { ProfileDefaults } from "./profiles/types.ts";

export interface SimulatorOptions {
  /** Exchange profile id. Default "binance". */
  exchange?: string;
  /** PRNG seed: same seed, same prices/amounts/sides per market. Default 42. */
  seed?: number;
  /** Normalized market names ("BTC-USDT") or { market, startPrice }. Default BTC-USDT, ETH-USDT. */
  markets?: MarketInput[];
  /** Trades per second in total, split evenly across markets. 0 = only manual `generate()`. Default 50. */
  tradesPerSecond?: number;
  /** Generation timer period; each tick generates the trades that are due. Default 10 ms. */
  tickMs?: number;
  /** Start generating when the server starts. Default true. */
  autoStart?: boolean;
  /** Listen address. Default 127.0.0.1. */
  host?: string;
  /** Port; 0 picks a free one (read it back from `port`). Default 0. */
  port?: number;
  /** Server ping frame interval; 0 disables. Default: the exchange's (Binance 20000). */
  pingIntervalMs?: number;
  /** Close a connection that leaves a ping unanswered this long. Default: the exchange's (Binance 60000). */
  pongTimeoutMs?: number;
  /** Close connections after this age; 0 disables. Default: the exchange's (Binance 24 h). */
  maxConnectionAgeMs?: number;
  /** Send the exchange's shutdown notice (Binance `serverShutdown`) before closing an old connection. Default false. */
  sendShutdownNotice?: boolean;
  /** Incoming messages per second per connection (pings and pongs count); 0 disables. Default: exchange's (Binance 5). */
  maxIncomingPerSecond?: number;
  /** Streams per connection. Default: the exchange's (Binance 1024). */
  maxStreamsPerConnection?: number;
  /** REST weight per window before 429; 0 disables. Default: the exchange's (Binance 6000). */
  restWeightLimit?: number;
  /** REST weight window. Default 60000 ms. */
  restWeightWindowMs?: number;
  /** Order book levels per side. Default 100. */
  bookDepth?: number;
  /** Bytes buffered per socket before it is closed as too slow. Default 64 MiB. */
  backpressureLimitBytes?: number;
  /**
   * Past the simulator has: markets start this long before now, with `historyTradesPerMinute`
   * trades per market per minute generated at construction (REST history for backfills). Default 0.
   */
  historyMs?: number;
  /** Trades per market per minute in the generated past. Default 2. */
  historyTradesPerMinute?: number;
  /**
   * REST trade history keeps only each market's last N trades (like exchanges that keep the last
   * 1000): older ids are answered with the oldest kept. 0 = all. Default 0.
   */
  restTradesKept?: number;
}

export interface ResolvedOptions {
  exchange: string;
  seed: number;
  markets: MarketInput[];
  tradesPerSecond: number;
  tickMs: number;
  autoStart: boolean;
  host: string;
  port: number;
  sendShutdownNotice: boolean;
  bookDepth: number;
  backpressureLimitBytes: number;
  historyMs: number;
  historyTradesPerMinute: number;
  restTradesKept: number;
  limits: ProfileDefaults;
}

export const DEFAULT_MARKETS = ["BTC-USDT", "ETH-USDT"];

export function resolveOptions(o: SimulatorOptions, defaults: ProfileDefaults): ResolvedOptions {
  const pick = <K extends keyof ProfileDefaults>(k: K): number => {
    const v = o[k];
    return v === undefined ? defaults[k] : Math.max(0, v);
  };
  return {
    exchange: o.exchange ?? "binance",
    seed: o.seed ?? 42,
    markets: o.markets && o.markets.length > 0 ? o.markets : DEFAULT_MARKETS,
    tradesPerSecond: Math.max(0, o.tradesPerSecond ?? 50),
    tickMs: Math.max(1, o.tickMs ?? 10),
    autoStart: o.autoStart ?? true,
    host: o.host ?? "127.0.0.1",
    port: o.port ?? 0,
    sendShutdownNotice: o.sendShutdownNotice ?? false,
    bookDepth: o.bookDepth ?? 100,
    backpressureLimitBytes: o.backpressureLimitBytes ?? 64 * 1024 * 1024,
    historyMs: Math.max(0, o.historyMs ?? 0),
    historyTradesPerMinute: Math.max(1, o.historyTradesPerMinute ?? 2),
    restTradesKept: Math.max(0, o.restTradesKept ?? 0),
    limits: {
      pingIntervalMs: pick("pingIntervalMs"),
      pongTimeoutMs: pick("pongTimeoutMs"),
      maxConnectionAgeMs: pick("maxConnectionAgeMs"),
      maxIncomingPerSecond: pick("maxIncomingPerSecond"),
      maxStreamsPerConnection: pick("maxStreamsPerConnection"),
      restWeightLimit: pick("restWeightLimit"),
      restWeightWindowMs: pick("restWeightWindowMs") || 60_000,
    },
  };
}
