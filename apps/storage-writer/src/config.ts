import { type Static, Type as T } from "@sinclair/typebox";
import { DatabaseEnv, loadConfig, NatsEnv, RedisEnv, ServiceEnv } from "@tickerplant/runtime";

export const StorageWriterConfigSchema = T.Object({
  ...ServiceEnv,
  HTTP_PORT: T.Integer({ default: 9102, minimum: 0, maximum: 65535, description: "health and metrics port" }),
  ...NatsEnv,
  ...RedisEnv,
  ...DatabaseEnv,
  CONSUMER_PREFIX: T.String({
    default: "storage",
    pattern: "^[A-Za-z0-9_-]+$",
    description: "durable consumer names are <prefix>-trades etc.; instances sharing it share the work",
  }),
  CONSUMER_START: T.Union([T.Literal("all"), T.Literal("new")], {
    default: "all",
    description: "where new durable consumers start: the whole retained streams, or from now on",
  }),
  BATCH_SIZE: T.Integer({ default: 2000, minimum: 1, description: "most messages written in one batch" }),
  FLUSH_INTERVAL_MS: T.Integer({
    default: 100,
    minimum: 1,
    description: "a partial batch is written after this long",
  }),
  COPY_TIMEOUT_MS: T.Integer({
    default: 10_000,
    minimum: 100,
    description:
      "a trades COPY batch that has not settled after this long is abandoned (its connection closed) and written with INSERT … unnest instead",
  }),
  TICKER_SAMPLE_MS: T.Integer({
    default: 60_000,
    minimum: 1,
    description:
      "ticker history keeps at most one row per market per this many ms (Redis keeps every update)",
  }),
  BOOK_SAMPLE_MS: T.Integer({
    default: 1000,
    minimum: 10,
    description: "how often each synced order book's top levels are written to Redis book:<ex>:<mkt>",
  }),
  BOOK_SNAPSHOT_DEPTH: T.Integer({
    default: 20,
    minimum: 1,
    maximum: 1000,
    description: "levels per side kept in Redis and in book_snapshots",
  }),
  BOOK_HISTORY_MS: T.Integer({
    default: 60_000,
    minimum: 100,
    description: "book_snapshots keeps one row per market per this many ms (epoch-aligned slots)",
  }),
});
export type StorageWriterConfig = Static<typeof StorageWriterConfigSchema>;

export function loadStorageWriterConfig(env: Record<string, string | undefined>): StorageWriterConfig {
  return loadConfig(StorageWriterConfigSchema, env);
}
