import { prepareDatabase } from "@tickerplant/db";
import {
  connectNats,
  createLogger,
  createMetricsRegistry,
  createRedis,
  createSql,
  exitOnStartFailure,
  type LogLevel,
  onShutdown,
  provisionStreams,
  ServicePresence,
  SubscriptionsStore,
} from "@tickerplant/runtime";
import { createGateway } from "./app.ts";
import { loadGatewayConfig } from "./config.ts";
import { redactedConfig } from "./routes/config.ts";

const config = loadGatewayConfig(process.env);
const service = config.SERVICE_NAME ?? "gateway";
const log = createLogger({ service, level: config.LOG_LEVEL as LogLevel });

async function main() {
  log.info("gateway configuration", { config: redactedConfig(config) });
  const registry = createMetricsRegistry(service);
  const sql = createSql(config.DATABASE_URL, { max: config.DATABASE_POOL_SIZE, name: service });
  const redis = createRedis(config.REDIS_URL, service);
  const nats = await connectNats(config.NATS_URL, service, log);
  await prepareDatabase(sql, log);
  await provisionStreams(
    nats.jsm,
    { replicas: config.STREAM_REPLICAS, tradesRetentionDays: config.TRADES_RETENTION_DAYS },
    log,
  );
  const subscriptions = await SubscriptionsStore.open(nats, config.STREAM_REPLICAS, log);
  const gateway = createGateway({ sql, redis, nats, registry, log, config, subscriptions });
  const port = gateway.start();
  const presence = new ServicePresence({ redis, service, log, info: () => ({ port }) });
  presence.start();
  log.info("gateway listening", { port, docs: "/docs", ws: "/ws" });
  onShutdown(log, [
    () => nats.close(),
    () => redis.quit(),
    () => sql.end({ timeout: 5 }),
    () => gateway.stop(),
    () => presence.stop(),
  ]);
}

main().catch(exitOnStartFailure(log));
