import { hostname } from "node:os";
import { prepareDatabase } from "@tickerplant/db";
import {
  connectNats,
  createLogger,
  createMetricsRegistry,
  createRedis,
  createSql,
  exitOnStartFailure,
  JetStreamPublisher,
  Lease,
  type LogLevel,
  natsCheck,
  onShutdown,
  provisionStreams,
  redisCheck,
  ServicePresence,
  sqlCheck,
  startHealthServer,
} from "@tickerplant/runtime";
import { Analyzer } from "./analyzer.ts";
import { loadAnalyzerConfig } from "./config.ts";

const config = loadAnalyzerConfig(process.env);
const service = config.SERVICE_NAME ?? "analyzer";
const log = createLogger({ service, level: config.LOG_LEVEL as LogLevel });

async function main(): Promise<void> {
  const registry = createMetricsRegistry(service);
  const nats = await connectNats(config.NATS_URL, service, log);
  const redis = createRedis(config.REDIS_URL, service);
  const sql = createSql(config.DATABASE_URL, { max: config.DATABASE_POOL_SIZE, name: service });
  await prepareDatabase(sql, log);
  await provisionStreams(
    nats.jsm,
    { replicas: config.STREAM_REPLICAS, tradesRetentionDays: config.TRADES_RETENTION_DAYS },
    log,
  );
  const publisher = new JetStreamPublisher(nats, { maxInFlight: 1000, registry, log });
  const replica = config.REPLICA_ID ?? `${hostname()}-${process.pid}`;
  const analyzer = new Analyzer({ config, nats, redis, sql, publisher, registry, log });
  const lease = new Lease({
    nats,
    name: config.LEASE_NAME,
    holder: replica,
    ttlMs: config.LEASE_TTL_MS,
    renewMs: config.LEASE_RENEW_MS,
    replicas: config.STREAM_REPLICAS,
    log,
    onChange: (active) => analyzer.setActive(active),
  });
  analyzer.isActive = () => lease.held;
  const health = startHealthServer({
    port: config.HTTP_PORT,
    registry,
    checks: [natsCheck(nats), redisCheck(redis), sqlCheck(sql), ...analyzer.readiness()],
    info: () => ({ replica, active: lease.held }),
  });
  const presence = new ServicePresence({
    redis,
    service,
    log,
    info: () => ({ port: health.port, replica, active: lease.held }),
  });
  onShutdown(log, [
    () => nats.close(),
    () => redis.quit(),
    () => sql.end({ timeout: 5 }),
    () => health.stop(),
    () => publisher.stop(),
    () => analyzer.stop(),
    () => presence.stop(),
    () => lease.stop(),
  ]);
  await analyzer.start();
  await lease.start();
  presence.start();
  log.info("analyzer started", { port: health.port, replica, active: lease.held });
}

main().catch(exitOnStartFailure(log));
