import {
  connectNats,
  createLogger,
  createMetricsRegistry,
  createRedis,
  exitOnStartFailure,
  JetStreamPublisher,
  lastEventOn,
  natsCheck,
  onShutdown,
  provisionStreams,
  redisCheck,
  ServicePresence,
  SubscriptionsStore,
  startHealthServer,
} from "@tickerplant/runtime";
import { loadIngestorConfig } from "./config.ts";
import { Ingestor } from "./ingestor.ts";

const config = loadIngestorConfig(process.env);
const service = config.SERVICE_NAME ?? "ingestor";
const log = createLogger({ service, level: config.LOG_LEVEL });
const registry = createMetricsRegistry(service);

async function main() {
  const nats = await connectNats(config.NATS_URL, service, log);
  await provisionStreams(
    nats.jsm,
    { replicas: config.STREAM_REPLICAS, tradesRetentionDays: config.TRADES_RETENTION_DAYS },
    log,
  );
  const redis = createRedis(config.REDIS_URL, service);
  const publisher = new JetStreamPublisher(nats, {
    maxInFlight: config.PUBLISH_MAX_IN_FLIGHT,
    lingerMs: config.PUBLISH_LINGER_MS,
    registry,
    log,
  });
  const subscriptions = await SubscriptionsStore.open(nats, config.STREAM_REPLICAS, log);
  const ingestor = new Ingestor({
    config,
    publisher,
    redis,
    registry,
    log,
    subscriptions,
    lastPublished: (subject) => lastEventOn(nats.jsm, subject),
  });
  const health = startHealthServer({
    port: config.HTTP_PORT,
    registry,
    checks: [natsCheck(nats), redisCheck(redis)],
    info: () => ingestor.info(),
  });
  await ingestor.start();
  log.info("ingestor started", {
    exchanges: config.EXCHANGES,
    markets: config.MARKETS,
    httpPort: health.port,
  });
  const presence = new ServicePresence({
    redis,
    service,
    log,
    info: () => ({ port: health.port, exchanges: ingestor.exchanges() }),
  });
  presence.start();
  onShutdown(log, [
    () => nats.close(),
    () => redis.quit(),
    () => health.stop(),
    () => ingestor.stop(),
    () => presence.stop(),
  ]);
}

main().catch(exitOnStartFailure(log));
