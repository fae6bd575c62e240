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
  NODE_ENV: T.String({ default: "development", description: "production changes secure defaults (CORS)" }),
  CORS_ORIGIN: T.Optional(
    CsvList({
      description:
        "origins allowed to call /api/v1 from a browser (comma list), * = any, none = no CORS; default * except none when NODE_ENV=production",
    }),
  ),
  ADMIN_API_KEYS: CsvList({
    default: [],
    description: "secrets accepted in x-api-key with the admin role (/api/v1/admin); none = admin API off",
  }),
  API_KEYS: CsvList({
    default: [],
    description: "API keys as <id>:<role>:<secret> (role read, write or admin; secret ≥ 16 characters)",
  }),
  API_KEY_REQUIRED: T.Boolean({
    default: false,
    description: "true = every /api/v1 request and /ws connection needs a key (role read or above)",
  }),
  RATE_LIMIT_PER_IP: T.Number({
    default: 100,
    minimum: 0,
    description: "REST requests per second per client address without a key (bursts of twice that); 0 = off",
  }),
  RATE_LIMIT_PER_KEY: T.Number({
    default: 500,
    minimum: 0,
    description: "REST requests per second per API key (bursts of twice that); 0 = off",
  }),
  WS_MAX_CLIENTS_PER_IP: T.Integer({
    default: 250,
    minimum: 0,
    description: "open WebSocket connections per client address without a key; 0 = off",
  }),
  WS_MAX_CLIENTS_PER_KEY: T.Integer({
    default: 1000,
    minimum: 0,
    description: "open WebSocket connections per API key; 0 = off",
  }),
  HTTP_MAX_BODY_BYTES: T.Integer({ default: 65536, minimum: 1024, description: "largest REST request body" }),
  LATEST_CACHE_MS: T.Integer({
    default: 100,
    minimum: 0,
    maximum: 5000,
    description:
      "REST /tickers, /stats, /derivs share one Redis read per filter for this long (updatedAt/ageMs stay exact); 0 = read every time",
  }),
  TRUST_PROXY: T.Boolean({
    default: false,
    description: "behind one reverse proxy: the client address is the last X-Forwarded-For entry",
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
  WS_IDLE_TIMEOUT_S: T.Integer({
    default: 120,
    minimum: 0,
    maximum: 960,
    description: "server pings before this",
  }),
});

export type GatewayConfig = Static<typeof GatewayEnv> & { CORS_ORIGIN: string[] };

export function loadGatewayConfig(env: Record<string, string | undefined>): GatewayConfig {
  const config = loadConfig(GatewayEnv, env);
  const production = config.NODE_ENV === "production";
  return { ...config, CORS_ORIGIN: config.CORS_ORIGIN ?? (production ? ["none"] : ["*"]) };
}
