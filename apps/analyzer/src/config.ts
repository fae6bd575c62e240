import { type Static, Type as T } from "@sinclair/typebox";
import { CsvList, DatabaseEnv, loadConfig, NatsEnv, RedisEnv, ServiceEnv } from "@tickerplant/runtime";

/**
 * The analyzer rebuilds its windows from MD_TRADES at start (see rebuild.ts); PostgreSQL holds the
 * alert rules, firings, deliveries and portfolios.
 */
export const AnalyzerConfigSchema = T.Object({
  ...ServiceEnv,
  HTTP_PORT: T.Integer({ default: 9104, minimum: 0, maximum: 65535, description: "health and metrics port" }),
  ...NatsEnv,
  ...RedisEnv,
  ...DatabaseEnv,
  CONSUMER_NAME: T.Optional(
    T.String({
      pattern: "^[A-Za-z0-9_-]+$",
      description:
        "this replica's durable consumer on MD_TRADES (one per replica); default analyzer-stats[-<REPLICA_ID>]",
    }),
  ),
  STATS_INTERVAL_MS: T.Integer({
    default: 1000,
    minimum: 50,
    description: "a market's stats are published at most this often (and only when they changed)",
  }),
  STATS_CHECKPOINT_MS: T.Integer({
    default: 2000,
    minimum: 0,
    description:
      "the rolling windows are checkpointed to Redis this often, so a restart replays only the stream since (0: never; a restart replays 24 h)",
  }),
  REPLICA_ID: T.Optional(
    T.String({
      pattern: "^[A-Za-z0-9_-]+$",
      description: "this replica's name in the lease (default host-pid)",
    }),
  ),
  LEASE_NAME: T.String({
    default: "analyzer",
    pattern: "^[A-Za-z0-9_-]+$",
    description:
      "key of the active-replica lease in the `leases` KV bucket (replicas of one deployment share it)",
  }),
  LEASE_TTL_MS: T.Integer({
    default: 3000,
    minimum: 500,
    description: "a standby takes over when the active replica has not renewed its lease for this long",
  }),
  LEASE_RENEW_MS: T.Integer({ default: 500, minimum: 100, description: "lease renewal / check period" }),
  COMPOSITE_INTERVAL_MS: T.Integer({
    default: 500,
    minimum: 50,
    description: "composite prices and spreads are recomputed (and published when changed) this often",
  }),
  COMPOSITE_STALE_MS: T.Integer({
    default: 10_000,
    minimum: 100,
    description: "a venue with no update for this long leaves the composite",
  }),
  COMPOSITE_METHOD: T.Union([T.Literal("volume_weighted"), T.Literal("median")], {
    default: "volume_weighted",
  }),
  COMPOSITE_QUOTES: CsvList({
    default: ["USD", "USDT", "USDC"],
    description: "quote currencies whose spot markets count as the asset's dollar price",
  }),
  ALERT_RELOAD_MS: T.Integer({
    default: 1000,
    minimum: 100,
    description: "alert rules are reloaded from PostgreSQL this often",
  }),
  ALERT_POLL_MS: T.Integer({
    default: 250,
    minimum: 20,
    description: "firings to publish and webhook deliveries due are checked this often",
  }),
  WEBHOOK_TIMEOUT_MS: T.Integer({ default: 5000, minimum: 100 }),
  WEBHOOK_MAX_ATTEMPTS: T.Integer({
    default: 8,
    minimum: 1,
    maximum: 50,
    description: "after this many failed attempts a delivery is dead (dead letter)",
  }),
  WEBHOOK_BACKOFF_MS: T.Integer({
    default: 1000,
    minimum: 10,
    description: "first retry delay; doubles per attempt",
  }),
  WEBHOOK_BACKOFF_MAX_MS: T.Integer({ default: 300_000, minimum: 10 }),
  WEBHOOK_ALLOW_PRIVATE: T.Boolean({
    default: false,
    description:
      "allow webhooks to loopback, private, link-local and other internal addresses (off: such targets are refused and dead-lettered)",
  }),
  WEBHOOK_ALLOWED_HOSTS: CsvList({
    default: [],
    description: "webhook host names allowed whatever address they resolve to (e.g. an in-cluster receiver)",
  }),
  PORTFOLIO_INTERVAL_MS: T.Integer({
    default: 1000,
    minimum: 100,
    description: "a portfolio's live valuation is published at most this often",
  }),
  PORTFOLIO_RELOAD_MS: T.Integer({
    default: 2000,
    minimum: 100,
    description: "portfolios are reloaded from PostgreSQL this often",
  }),
});
export type AnalyzerConfig = Static<typeof AnalyzerConfigSchema>;

export function loadAnalyzerConfig(env: Record<string, string | undefined>): AnalyzerConfig {
  return loadConfig(AnalyzerConfigSchema, env);
}
