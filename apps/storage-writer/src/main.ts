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
  redisCheck,
  ServicePresence,
  sqlCheck,
  startHealthServer,
} from "@tickerplant/runtime";
import { loadStorageWriterConfig } from "./config.ts";
import { StorageWriter } from "./storage-writer.ts";

const config = loadStorageWriterConfig(process.env);
const service = config.SERVICE_NAME ?? "storage-writer";
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
  const presence = new ServicePresence({ redis, service, log, info: () => ({ port: health.port }) });
  const writer = new StorageWriter({
    nats,
    sql,
    redis,
    registry,
    log,
    streams: { replicas: config.STREAM_REPLICAS, tradesRetentionDays: config.TRADES_RETENTION_DAYS },
    consumerPrefix: config.CONSUMER_PREFIX,
    consumerStart: config.CONSUMER_START,
    batchSize: config.BATCH_SIZE,
    flushIntervalMs: config.FLUSH_INTERVAL_MS,
    tickerSampleMs: config.TICKER_SAMPLE_MS,
    copy: {
      connect: () => createSql(config.DATABASE_URL, { max: 1, name: `${service}-copy` }),
      timeoutMs: config.COPY_TIMEOUT_MS,
    },
    books: {
      sampleMs: config.BOOK_SAMPLE_MS,
      depth: config.BOOK_SNAPSHOT_DEPTH,
      historyMs: config.BOOK_HISTORY_MS,
    },
  });
  // Stopped in reverse: the writer drains and acks first, then the connections close.
  onShutdown(log, [
    () => nats.close(),
    () => redis.quit(),
    () => sql.end({ timeout: 5 }),
    () => health.stop(),
    () => writer.stop(),
    () => presence.stop(),
  ]);
  await writer.start();
  presence.start();
  log.info("storage writer started", { port: health.port, batchSize: config.BATCH_SIZE });
}

main().catch(exitOnStartFailure(log));
