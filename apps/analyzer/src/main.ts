import {
  connectNats,
  createLogger,
  createMetricsRegistry,
  createRedis,
  exitOnStartFailure,
  type LogLevel,
  natsCheck,
  onShutdown,
  provisionStreams,
  redisCheck,
  ServicePresence,
  startHealthServer,
} from "@tickerplant/runtime";
import { loadAnalyzerConfig } from "./config.ts";
import { StatsAnalyzer } from "./stats-analyzer.ts";

const config = loadAnalyzerConfig(process.env);
const service = config.SERVICE_NAME ?? "analyzer";
const log = createLogger({ service, level: config.LOG_LEVEL as LogLevel });

async function main(): Promise<void> {
  const registry = createMetricsRegistry(service);
  const nats = await connectNats(config.NATS_URL, service, log);
  const redis = createRedis(config.REDIS_URL, service);
  await provisionStreams(
    nats.jsm,
    { replicas: config.STREAM_REPLICAS, tradesRetentionDays: config.TRADES_RETENTION_DAYS },
    log,
  );
  const analyzer = new StatsAnalyzer({
    nats,
    redis,
    registry,
    log,
    statsIntervalMs: config.STATS_INTERVAL_MS,
    durable: config.CONSUMER_NAME,
  });
  const health = startHealthServer({
    port: config.HTTP_PORT,
    registry,
    checks: [natsCheck(nats), redisCheck(redis), analyzer.readiness()],
  });
  const presence = new ServicePresence({ redis, service, log, info: () => ({ port: health.port }) });
  onShutdown(log, [
    () => nats.close(),
    () => redis.quit(),
    () => health.stop(),
    () => analyzer.stop(),
    () => presence.stop(),
  ]);
  await analyzer.start();
  presence.start();
  log.info("analyzer started", { port: health.port, statsIntervalMs: config.STATS_INTERVAL_MS });
}

main().catch(exitOnStartFailure(log));
