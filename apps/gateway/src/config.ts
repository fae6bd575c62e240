import { type Static, Type as T } from "@sinclair/typebox";
import { CsvList, DatabaseEnv, loadConfig, NatsEnv, RedisEnv, ServiceEnv } from "@tickerplant/runtime";

/** Gateway configuration: environment variable names are the keys. */
export const GatewayEnv = T.Object({
  ...ServiceEnv,
  // The gateway serves REST, WebSocket, health and metrics on this one port.
  HTTP_PORT: T.Integer({
    default: 8080,
    minimum: 0,
    maximum: 65535,
    description: "REST, WebSocket, health and metrics",
  }),
  HTTP_HOST: T.String({ default: "0.0.0.0" }),
  ...NatsEnv,
  ...RedisEnv,
  ...DatabaseEnv,
  CORS_ORIGIN: T.String({
    default: "*",
    description: "Access-Control-Allow-Origin for /api/v1; empty string disables",
  }),
  ADMIN_API_KEYS: CsvList({
    default: [],
    description: "keys accepted in x-api-key by /api/v1/admin; none = admin API off",
  }),
  WS_MAX_CLIENTS: T.Integer({ default: 1000, minimum: 1 }),
  WS_MAX_MESSAGE_BYTES: T.Integer({
    default: 16384,
    minimum: 256,
    description: "largest client message answered normally",
  }),
  WS_MAX_SUBSCRIPTIONS: T.Integer({ default: 100, minimum: 1, description: "channels per client" }),
  WS_RATE_LIMIT: T.Integer({ default: 20, minimum: 1, description: "client messages per second" }),
  WS_MAX_BUFFERED_BYTES: T.Integer({
    default: 4 * 1024 * 1024,
    minimum: 65536,
    description: "a client whose send buffer exceeds this is disconnected (1008 slow consumer)",
  }),
  BOOK_SNAPSHOT_INTERVAL_MS: T.Integer({
    default: 10_000,
    minimum: 100,
    description:
      "the ingestor's full-book republish interval: a new book channel reads md.book this far back (plus a margin) to start from one",
  }),
  WS_IDLE_TIMEOUT_S: T.Integer({
    default: 120,
    minimum: 0,
    maximum: 960,
    description: "server pings before this",
  }),
});

export type GatewayConfig = Static<typeof GatewayEnv>;

export function loadGatewayConfig(env: Record<string, string | undefined>): GatewayConfig {
  return loadConfig(GatewayEnv, env);
}
