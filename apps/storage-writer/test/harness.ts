import {
  connectNats,
  createLogger,
  createRedis,
  createSql,
  type Nats,
  type Redis,
  type Sql,
} from "@tickerplant/runtime";
import { waitFor } from "@tickerplant/testkit";
import { Registry } from "prom-client";
import type { BookWriterOptions } from "../src/book-writer.ts";
import { StorageWriter } from "../src/storage-writer.ts";

export const TEST_DATABASE_URL =
  process.env.TEST_DATABASE_URL ?? "postgres://tickerplant@127.0.0.1:5433/tickerplant_test";
const NATS_URL = process.env.NATS_URL ?? "nats://127.0.0.1:4222";
const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";

const rand = () => crypto.randomUUID().replaceAll("-", "").slice(0, 8);

/** A writer in-process on the real NATS, Redis and test database, isolated by exchange id and durable names. */
export interface Harness {
  exchange: string;
  /** A market name no other run uses. */
  market(): string;
  nats: Nats;
  redis: Redis;
  sql: Sql;
  registry: Registry;
  writer: StorageWriter;
  prefix: string;
  close(): Promise<void>;
}

export async function startHarness(
  options: { tickerSampleMs?: number; books?: Partial<BookWriterOptions> } = {},
): Promise<Harness> {
  const exchange = `sw${rand()}`;
  const prefix = `test-${exchange}`;
  const log = createLogger({ service: "storage-writer-test", level: "warn" });
  const nats = await connectNats(NATS_URL, prefix, log);
  const redis = createRedis(REDIS_URL, prefix);
  const sql = createSql(TEST_DATABASE_URL, { max: 4, name: prefix });
  const registry = new Registry();
  const writer = new StorageWriter({
    nats,
    sql,
    redis,
    registry,
    log,
    streams: { replicas: 1, tradesRetentionDays: 7 },
    batchSize: 100,
    flushIntervalMs: 20,
    tickerSampleMs: options.tickerSampleMs ?? 60_000,
    copy: {
      connect: () => createSql(TEST_DATABASE_URL, { max: 1, name: `${prefix}-copy` }),
      timeoutMs: 10_000,
    },
    books: { sampleMs: 1000, depth: 20, historyMs: 60_000, ...options.books },
    consumerPrefix: prefix,
    exchange,
    nakDelayMs: 200,
  });
  await writer.start();
  return {
    exchange,
    market: () => `X${rand().toUpperCase()}A-USDT`,
    nats,
    redis,
    sql,
    registry,
    writer,
    prefix,
    async close() {
      await writer.stop();
      for (const c of writer.consumerNames()) {
        await nats.jsm.consumers.delete(c.stream, c.durable).catch(() => {});
        // Leave nothing for a real storage-writer to copy into the main database later.
        await nats.jsm.streams.purge(c.stream, { filter: c.filterSubject });
      }
      await nats.jsm.streams.purge("MD_BOOKS", { filter: `md.book.${exchange}.>` });
      for (const table of [
        "trades",
        "candles",
        "tickers",
        "status_events",
        "book_snapshots",
        "derivs",
        "liquidations",
      ]) {
        await sql`delete from ${sql(table)} where exchange = ${exchange}`;
      }
      const keys = [
        ...(await redis.keys(`ticker:${exchange}:*`)),
        ...(await redis.keys(`bbo:${exchange}:*`)),
        ...(await redis.keys(`book:${exchange}:*`)),
        ...(await redis.keys(`deriv:${exchange}:*`)),
      ];
      if (keys.length > 0) await redis.del(...keys);
      await redis.quit();
      await sql.end();
      await nats.close();
    },
  };
}

/**
 * Reads every 25 ms until `done` accepts the value and returns it; a timeout (testkit's waitFor)
 * reports the last value read.
 */
export async function readUntil<T>(
  read: () => Promise<T>,
  done: (v: T) => boolean,
  timeoutMs = 5000,
): Promise<T> {
  let last: { value: T } | undefined;
  // Boxed: a read value may itself be undefined or false.
  const accepted = await waitFor(
    "a value the test accepts",
    async () => {
      last = { value: await read() };
      return done(last.value) ? last : undefined;
    },
    { timeoutMs, stepMs: 25, context: () => `last value: ${last ? JSON.stringify(last.value) : "none"}` },
  );
  return accepted.value;
}

/** The value of a counter for the given labels (0 when not yet observed). */
export async function metricValue(
  registry: Registry,
  name: string,
  labels: Record<string, string>,
): Promise<number> {
  const metric = registry.getSingleMetric(name);
  if (!metric) return 0;
  const { values } = await metric.get();
  const hit = values.find((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l));
  return hit?.value ?? 0;
}
