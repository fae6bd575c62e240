import { EXCHANGES, type Exchange } from "@tickerplant/core";
import {
  type Logger,
  type Nats,
  natsCheck,
  type Redis,
  redisCheck,
  type Sql,
  type SubscriptionsStore,
  sqlCheck,
} from "@tickerplant/runtime";
import { Elysia } from "elysia";
import type { Registry } from "prom-client";
import { Access } from "./access/access.ts";
import { CorsPolicy } from "./access/cors.ts";
import { ApiKeyRing, parseApiKeys } from "./access/keys.ts";
import type { GatewayConfig } from "./config.ts";
import { handleError } from "./error-handler.ts";
import { ApiError } from "./errors.ts";
import { LatestCache } from "./latest-cache.ts";
import { createGatewayMetrics } from "./metrics.ts";
import { openapiPlugin } from "./openapi.ts";
import { adminRoutes } from "./routes/admin.ts";
import { alertRoutes } from "./routes/alerts.ts";
import type { RouteDeps } from "./routes/common.ts";
import { compositeRoutes } from "./routes/composite.ts";
import { configRoute } from "./routes/config.ts";
import { exchangesRoute } from "./routes/exchanges.ts";
import { historyRoutes } from "./routes/history.ts";
import { jobsRoutes } from "./routes/jobs.ts";
import { derivsRoute, statsRoute, tickersRoute } from "./routes/latest.ts";
import { marketsRoute } from "./routes/markets.ts";
import { opsRoutes } from "./routes/ops.ts";
import { orderbookRoute } from "./routes/orderbook.ts";
import { portfolioRoutes } from "./routes/portfolios.ts";
import { rootAliasRoutes } from "./routes/root-aliases.ts";
import { staticRoutes } from "./routes/static.ts";
import { statusRoutes } from "./routes/status.ts";
import { BookHub } from "./ws/book-hub.ts";
import { FanoutHub } from "./ws/hub.ts";
import { wsRoute } from "./ws/route.ts";
import { wsStatsReader } from "./ws/stats.ts";
import { SubjectStreams } from "./ws/subjects.ts";

export const GATEWAY_VERSION = "0.1.0";

export interface GatewayDeps {
  sql: Sql;
  redis: Redis;
  nats: Nats;
  registry: Registry;
  log: Logger;
  config: GatewayConfig;
  /** Supported exchanges; the core registry unless a test narrows it. */
  exchanges?: Readonly<Record<string, Exchange>>;
  /** The subscriptions KV behind the admin API. */
  subscriptions: SubscriptionsStore;
}

/** The gateway's Elysia app type: what `@tickerplant/client` (Eden Treaty) derives its types from. */
export type GatewayApp = ReturnType<typeof buildApp>["app"];

export interface Gateway {
  app: GatewayApp;
  hub: FanoutHub;
  books: BookHub;
  /** JSON statistics of the WebSocket clients (also `GET /api/v1/ws/stats`). */
  wsStats: () => Promise<Record<string, unknown>>;
  /** Listens on HTTP_HOST:HTTP_PORT (0 = any free port); resolves the bound port. */
  start(): number;
  /** Stops accepting, closes clients and the shared consumers. Connections are not touched. */
  stop(): Promise<void>;
}

function buildApp(deps: GatewayDeps) {
  const { config, log } = deps;
  const metrics = createGatewayMetrics(deps.registry);
  const streams = new SubjectStreams();
  const hub = new FanoutHub({ nats: deps.nats, streams, log, metrics });
  const books = new BookHub({ hub, metrics, log });
  const access = new Access({
    keys: new ApiKeyRing(parseApiKeys(config.API_KEYS, config.ADMIN_API_KEYS)),
    keyRequired: config.API_KEY_REQUIRED,
    ratePerIp: config.RATE_LIMIT_PER_IP,
    ratePerKey: config.RATE_LIMIT_PER_KEY,
    wsPerIp: config.WS_MAX_CLIENTS_PER_IP,
    wsPerKey: config.WS_MAX_CLIENTS_PER_KEY,
    trustProxy: config.TRUST_PROXY,
    metrics,
  });
  const cors = new CorsPolicy(config.CORS_ORIGIN);
  const routeDeps: RouteDeps = {
    sql: deps.sql,
    redis: deps.redis,
    latest: new LatestCache({ redis: deps.redis, ttlMs: config.LATEST_CACHE_MS }),
    exchanges: deps.exchanges ?? EXCHANGES,
    metrics,
    log,
    access,
  };
  const checks = [natsCheck(deps.nats), redisCheck(deps.redis), sqlCheck(deps.sql)];
  const wsStats = wsStatsReader(metrics, { maxClients: config.WS_MAX_CLIENTS });
  // The listening server, for client addresses: the hook's `server` would define a getter on every
  // request's context.
  const server = { requestIP: (request: Request) => app.server?.requestIP(request) ?? null };
  const app = new Elysia({
    // A declared Content-Length over the limit gets our 413 body (onRequest); Bun's own cap stops
    // undeclared (chunked) bodies.
    serve: { maxRequestBodySize: config.HTTP_MAX_BODY_BYTES * 2 },
    websocket: {
      // Bun's own hard cap closes with 1009; below it, oversized messages get a message_too_large error.
      maxPayloadLength: Math.max(64 * 1024, config.WS_MAX_MESSAGE_BYTES * 4),
      // Our own buffer check disconnects first; Bun drops (send() = 0) only past this margin.
      backpressureLimit: config.WS_MAX_BUFFERED_BYTES + 1024 * 1024,
      closeOnBackpressureLimit: false,
      idleTimeout: config.WS_IDLE_TIMEOUT_S,
      sendPings: true,
      perMessageDeflate: false,
    },
  })
    // Hooks destructure the context and never pass it on: Elysia reads a hook's source, and a whole
    // context handed to a function makes every route parse cookies and copy headers per request.
    .onRequest(({ request, set }) => {
      startedAt.set(set, performance.now());
      const path = pathOf(request.url);
      const api = path.startsWith("/api/");
      if (api) Object.assign(set.headers, cors.headers(request));
      if (api && request.method === "OPTIONS") return cors.preflight(request);
      const length = Number(request.headers.get("content-length") ?? 0);
      if (length > config.HTTP_MAX_BODY_BYTES) {
        metrics.payloadTooLarge.inc();
        throw new ApiError(
          413,
          "payload_too_large",
          `request bodies are limited to ${config.HTTP_MAX_BODY_BYTES} bytes`,
        );
      }
      if (api || path === "/ws") access.admit(request, server, { keyInQuery: path === "/ws" });
      if (api) access.authorize(request, path, server);
    })
    .onError(({ code, error, request, route, set }) =>
      handleError({ code, error, request, route, set, log, cors: cors.headers(request) }),
    )
    .onAfterResponse(({ route, set }) => {
      const t0 = startedAt.get(set);
      const label = route || "unmatched";
      const status = typeof set.status === "number" ? set.status : 200;
      metrics.http.record(label, status, t0 === undefined ? undefined : (performance.now() - t0) / 1000);
    })
    .use(openapiPlugin(GATEWAY_VERSION))
    .group("/api/v1", (api) =>
      api
        .use(exchangesRoute(routeDeps))
        .use(marketsRoute(routeDeps))
        .use(tickersRoute(routeDeps))
        .use(statsRoute(routeDeps))
        .use(derivsRoute(routeDeps))
        .use(compositeRoutes(routeDeps))
        .use(alertRoutes(routeDeps))
        .use(portfolioRoutes(routeDeps))
        .use(historyRoutes(routeDeps))
        .use(orderbookRoute({ ...routeDeps, books }))
        .use(adminRoutes({ ...routeDeps, store: deps.subscriptions }))
        .use(configRoute({ config }))
        .use(jobsRoutes({ ...routeDeps, nats: deps.nats })),
    )
    .use(
      opsRoutes({
        registry: deps.registry,
        checks,
        info: () => ({ version: GATEWAY_VERSION, liveFeeds: hub.filters.length }),
      }),
    )
    .use(statusRoutes({ ...routeDeps, checks, version: GATEWAY_VERSION, wsStats }))
    .use(rootAliasRoutes())
    .use(staticRoutes())
    .use(
      wsRoute({
        hub,
        books,
        streams,
        nats: deps.nats,
        redis: deps.redis,
        log,
        metrics,
        access,
        maxClients: config.WS_MAX_CLIENTS,
        limits: {
          maxMessageBytes: config.WS_MAX_MESSAGE_BYTES,
          maxSubscriptions: config.WS_MAX_SUBSCRIPTIONS,
          rateLimit: config.WS_RATE_LIMIT,
          maxBufferedBytes: config.WS_MAX_BUFFERED_BYTES,
        },
      }),
    );
  return { app, hub, books, wsStats };
}

/**
 * When a request came in, kept on its Elysia `set` (the response state its hooks share): a WeakMap
 * keyed by the Request cost ~5 % of a /tickers request's CPU.
 */
const startedAt = {
  key: Symbol("startedAt"),
  set(ctx: object, t: number): void {
    (ctx as Record<symbol, number>)[this.key] = t;
  },
  get(ctx: object): number | undefined {
    return (ctx as Record<symbol, number | undefined>)[this.key];
  },
};

/** The URL's path as Elysia's router takes it (from the first / after the host to the ?), without parsing a URL. */
function pathOf(url: string): string {
  const start = url.indexOf("/", url.indexOf("//") + 2);
  if (start === -1) return "/";
  const query = url.indexOf("?", start);
  return query === -1 ? url.slice(start) : url.slice(start, query);
}

export function createGateway(deps: GatewayDeps): Gateway {
  const { app, hub, books, wsStats } = buildApp(deps);
  return {
    app,
    hub,
    books,
    wsStats,
    start() {
      app.listen({ port: deps.config.HTTP_PORT, hostname: deps.config.HTTP_HOST, reusePort: false });
      return app.server?.port ?? deps.config.HTTP_PORT;
    },
    async stop() {
      // Closing the server closes every WebSocket; their close handlers release subscriptions.
      await app.server?.stop(true);
      books.stop();
      await hub.stop();
    },
  };
}
