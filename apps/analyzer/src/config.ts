import { type Static, Type as T } from "@sinclair/typebox";
import { loadConfig, NatsEnv, RedisEnv, ServiceEnv } from "@tickerplant/runtime";

/**
 * The analyzer rebuilds its 24 h windows from MD_TRADES at start (see rebuild.ts), so it has no
 * database dependency.
 */
export const AnalyzerConfigSchema = T.Object({
  ...ServiceEnv,
  HTTP_PORT: T.Integer({ default: 9104, minimum: 0, maximum: 65535, description: "health and metrics port" }),
  ...NatsEnv,
  ...RedisEnv,
  CONSUMER_NAME: T.String({
    default: "analyzer-stats",
    pattern: "^[A-Za-z0-9_-]+$",
    description: "the analyzer's durable consumer on MD_TRADES",
  }),
  STATS_INTERVAL_MS: T.Integer({
    default: 1000,
    minimum: 50,
    description: "a market's stats are published at most this often (and only when they changed)",
  }),
});
export type AnalyzerConfig = Static<typeof AnalyzerConfigSchema>;

export function loadAnalyzerConfig(env: Record<string, string | undefined>): AnalyzerConfig {
  return loadConfig(AnalyzerConfigSchema, env);
}
