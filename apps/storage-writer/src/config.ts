import { type Static, Type as T } from "@sinclair/typebox";
import { DatabaseEnv, loadConfig, NatsEnv, RedisEnv, ServiceEnv } from "@tickerplant/runtime";

export const StorageWriterConfigSchema = T.Object({
  ...ServiceEnv,
  HTTP_PORT: T.Integer({ default: 9102, minimum: 0, maximum: 65535, description: "health and metrics port" }),
  ...NatsEnv,
  ...RedisEnv,
  ...DatabaseEnv,
  BATCH_SIZE: T.Integer({ default: 2000, minimum: 1, description: "most messages written in one batch" }),
  FLUSH_INTERVAL_MS: T.Integer({
    default: 100,
    minimum: 1,
    description: "a partial batch is written after this long",
  }),
  TICKER_SAMPLE_MS: T.Integer({
    default: 60_000,
    minimum: 1,
    description:
      "ticker history keeps at most one row per market per this many ms (Redis keeps every update)",
  }),
});
export type StorageWriterConfig = Static<typeof StorageWriterConfigSchema>;

export function loadStorageWriterConfig(env: Record<string, string | undefined>): StorageWriterConfig {
  return loadConfig(StorageWriterConfigSchema, env);
}
