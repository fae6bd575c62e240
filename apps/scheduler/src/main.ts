import type { CandleInterval } from "@tickerplant/core";
import { isLicensed, prepareDatabase } from "@tickerplant/db";
import {
  connectNats,
  createLogger,
  createMetricsRegistry,
  createRedis,
  createSql,
  exitOnStartFailure,
  type LogLevel,
  natsCheck,
  onShutdown,
  provisionStreams,
  redisCheck,
  ServicePresence,
  sqlCheck,
  startHealthServer,
} from "@tickerplant/runtime";
import { loadSchedulerConfig, restEndpoints, restPollPeriods, retentionDays } from "./config.ts";
import { createExchangeClients } from "./exchange-clients.ts";
import { HistoryMaintenance } from "./history-maintenance.ts";
import { Scheduler } from "./scheduler.ts";

const config = loadSchedulerConfig(process.env);
const service = config.SERVICE_NAME ?? "scheduler";
const log = createLogger({ service, level: config.LOG_LEVEL as LogLevel });

async function main(): Promise<void> {
  const registry = createMetricsRegistry(service);
  const nats = await connectNats(config.NATS_URL, service, log);
  const redis = createRedis(config.REDIS_URL, service);
  const sql = createSql(config.DATABASE_URL, { max: config.DATABASE_POOL_SIZE, name: service });
  const health = startHealthServer({
    port: config.HTTP_PORT,
    registry,
    checks: [natsCheck(nats), redisCheck(redis), sqlCheck(sql)],
  });
  const streams = { replicas: config.STREAM_REPLICAS, tradesRetentionDays: config.TRADES_RETENTION_DAYS };
  await provisionStreams(nats.jsm, streams, log);
  const db = await prepareDatabase(sql, log);

  const presence = new ServicePresence({ redis, service, log, info: () => ({ port: health.port }) });
  const clients = createExchangeClients({ endpoints: restEndpoints(config), redis, registry, log });
  const scheduler = new Scheduler({
    redis,
    nats,
    sql,
    registry,
    log,
    clients,
    source: config.SOURCE,
    marketsRefreshMs: config.MARKETS_REFRESH_MS,
    concurrency: config.JOB_CONCURRENCY,
    ackWaitMs: config.JOB_ACK_WAIT_MS,
    healGaps: config.HEAL_GAPS,
    healIntervals: config.HEAL_CANDLE_INTERVALS as CandleInterval[],
    writerConsumerPrefix: config.WRITER_CONSUMER_PREFIX,
    polls: { periodMs: restPollPeriods(config), markets: config.MARKETS },
  });
  const history = new HistoryMaintenance({
    sql,
    log,
    registry,
    licensed: isLicensed(db.license),
    retention: retentionDays(config),
    rollupEveryMs: config.ROLLUP_REFRESH_MS,
    retentionEveryMs: config.RETENTION_RUN_MS,
  });
  onShutdown(log, [
    () => nats.close(),
    () => redis.quit(),
    () => sql.end({ timeout: 5 }),
    () => health.stop(),
    () => scheduler.stop(),
    () => presence.stop(),
    () => history.stop(),
  ]);
  await scheduler.start();
  await history.start();
  presence.start();
  log.info("scheduler started", {
    port: health.port,
    exchanges: [...clients].map(([exchange, list]) => ({ exchange, rest: list[0]?.baseUrl })),
    source: config.SOURCE,
  });
}

main().catch(exitOnStartFailure(log));
