import { Type as T } from "@sinclair/typebox";
import { BOOK_REPUBLISH_MS, CANDLE_INTERVALS } from "@tickerplant/core";
import { CsvList, loadConfig, NatsEnv, parsePairs, RedisEnv, ServiceEnv } from "@tickerplant/runtime";

export const IngestorEnv = T.Object({
  ...ServiceEnv,
  HTTP_PORT: T.Integer({ default: 9101, minimum: 0, maximum: 65535 }),
  ...NatsEnv,
  ...RedisEnv,
  EXCHANGES: CsvList({ default: ["binance"], description: "exchange ids to ingest" }),
  MARKETS: CsvList({ default: ["BTC-USDT", "ETH-USDT"], description: "normalized market names" }),
  CHANNELS: CsvList({ default: ["trade", "bbo", "ticker", "candle"] }),
  CANDLE_INTERVALS: CsvList({ default: ["1m"] }),
  /** live: the exchanges' own endpoints; simulated: EXCHANGE_URL_OVERRIDES point at the simulator. */
  SOURCE: T.Union([T.Literal("live"), T.Literal("simulated")], { default: "live" }),
  /** Per-exchange source over SOURCE, e.g. binance=live,okx=simulated (infra/up.sh's SOURCE=auto writes it). */
  SOURCES: T.String({ default: "", description: "per exchange: binance=live,okx=simulated" }),
  EXCHANGE_URL_OVERRIDES: T.String({ default: "", description: "e.g. binance.ws=ws://127.0.0.1:9500" }),
  PUBLISH_MAX_IN_FLIGHT: T.Integer({ default: 4096, minimum: 1 }),
  /**
   * Messages waiting for JetStream beyond which market data is dropped and reported as a `gap`
   * (bounded memory when NATS cannot keep up; see backlog-guard.ts).
   */
  PUBLISH_MAX_BACKLOG: T.Integer({ default: 50_000, minimum: 1 }),
  /** Events of one subject wait this long (ms, at most 1) for more to share their message; 0 = one event-loop turn. */
  PUBLISH_LINGER_MS: T.Number({ default: 0, minimum: 0, maximum: 1 }),
  /** Levels asked for in a REST book snapshot (its weight grows with it). */
  BOOK_SNAPSHOT_LIMIT: T.Integer({ default: 1000, minimum: 1 }),
  /** A REST call (book snapshot) without an answer this long is abandoned, counted and retried. */
  REST_TIMEOUT_MS: T.Integer({ default: 10_000, minimum: 100 }),
  /**
   * How often full books are republished for consumers that join mid-stream. Consumers look back
   * by the contract's BOOK_REPUBLISH_MS: a longer interval only delays a new consumer's first book.
   */
  BOOK_SNAPSHOT_INTERVAL_MS: T.Integer({ default: BOOK_REPUBLISH_MS, minimum: 100 }),
  /** Overrides of the adapters' timing rules, for tests and operators. */
  MAX_CONNECTION_AGE_MS: T.Optional(T.Integer({ minimum: 1000 })),
  STALE_AFTER_MS: T.Optional(T.Integer({ minimum: 100 })),
  /** No market data for this long (keepalives aside) on any connection: stalled, reconnect; 0 = off. */
  DATA_STALL_MS: T.Optional(T.Integer({ minimum: 0 })),
  /** Invalid exchange frames: the first is reported at once, the rest in one `invalid_frames` status per window. */
  INVALID_FRAME_REPORT_MS: T.Integer({ default: 10_000, minimum: 100 }),
});

export type IngestorConfig = ReturnType<typeof loadIngestorConfig>;

export function loadIngestorConfig(env: Record<string, string | undefined>) {
  const config = loadConfig(IngestorEnv, env);
  const bad = config.CANDLE_INTERVALS.filter((i) => !CANDLE_INTERVALS.includes(i as never));
  if (bad.length > 0) throw new Error(`CANDLE_INTERVALS: unknown interval(s) ${bad.join(", ")}`);
  const channels = ["trade", "bbo", "ticker", "candle", "book", "deriv", "liquidation"];
  const badChannels = config.CHANNELS.filter((c) => !channels.includes(c));
  if (badChannels.length > 0) {
    throw new Error(`CHANNELS: unknown channel(s) ${badChannels.join(", ")} (one of ${channels.join(", ")})`);
  }
  const sources: Record<string, "live" | "simulated"> = {};
  for (const [id, source] of Object.entries(parsePairs(config.SOURCES))) {
    if (source !== "live" && source !== "simulated") {
      throw new Error(`SOURCES: ${id}=${source} is neither live nor simulated`);
    }
    sources[id] = source;
  }
  return { ...config, SOURCES: sources };
}
