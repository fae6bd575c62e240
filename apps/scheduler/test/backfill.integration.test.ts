import { afterAll, beforeAll, expect, test } from "bun:test";
import { newJobId } from "@tickerplant/core";
import { enqueueJob, prepareDatabase, selectCandles, selectJob } from "@tickerplant/db";
import {
  connectNats,
  createLogger,
  createRedis,
  createSql,
  type Nats,
  provisionStreams,
  type Redis,
  type Sql,
} from "@tickerplant/runtime";
import { type StartedSimulator, startSimulator, waitFor } from "@tickerplant/testkit";
import { Registry } from "prom-client";
import type { JobQueue } from "../src/jobs.ts";
import { Scheduler } from "../src/scheduler.ts";
import { binanceClient, createTestQueue, DATABASE_URL, NATS_URL, POLL, REDIS_URL, runId } from "./helpers.ts";

/**
 * Recorded jobs in one process against the simulator's Binance REST history: a candles backfill
 * stores exactly the simulator's candles, a trades backfill exactly its trades, and a job whose
 * trades the exchange no longer keeps says so.
 */
const log = createLogger({
  service: "scheduler-backfill-test",
  level: (process.env.TEST_LOG_LEVEL as "warn") ?? "error",
});
const ID = runId().toUpperCase();
const MARKET = `B${ID}-USDT`;
const DAY = 86_400_000;
let sim: StartedSimulator;
let nats: Nats;
let redis: Redis;
let sql: Sql;
let queue: JobQueue;
let scheduler: Scheduler;

beforeAll(async () => {
  sim = await startSimulator({
    markets: [MARKET],
    tradesPerSecond: 0,
    autoStart: false,
    historyMs: 2 * DAY,
    historyTradesPerMinute: 3,
  });
  nats = await connectNats(NATS_URL, "scheduler-backfill-test", log);
  redis = createRedis(REDIS_URL, "scheduler-backfill-test");
  sql = createSql(DATABASE_URL, { max: 4, name: "scheduler-backfill-test" });
  await prepareDatabase(sql, log);
  // Backfilled rows are published on md.* (tests run on a NATS of their own: provision its streams).
  await provisionStreams(nats.jsm, { replicas: 1, tradesRetentionDays: 1 }, log);
  queue = await createTestQueue(nats, ID.toLowerCase());
  const registry = new Registry();
  const client = binanceClient({ redis, baseUrl: sim.restUrl, budgetKey: `bf${ID}`, registry, log });
  scheduler = new Scheduler({
    redis,
    nats,
    sql,
    registry,
    log,
    clients: new Map([["binance", [client]]]),
    source: "simulated",
    marketsRefreshMs: 86_400_000,
    queue,
  });
  await scheduler.start();
});

afterAll(async () => {
  await scheduler.stop();
  await sql`delete from candles where exchange = 'binance' and market = ${MARKET}`;
  await sql`delete from trades where exchange = 'binance' and market = ${MARKET}`;
  await sql`delete from jobs where market = ${MARKET}`;
  await nats.jsm.streams.delete(queue.stream).catch(() => {});
  const keys = await redis.keys(`ratelimit:bf${ID}*`);
  if (keys.length > 0) await redis.del(...keys);
  await sql.end({ timeout: 5 });
  await redis.quit();
  await nats.close();
  await sim.stop();
});

async function submit(
  kind: "candles-backfill" | "trades-backfill",
  from: number,
  to: number,
): Promise<string> {
  const id = newJobId();
  await enqueueJob(
    sql,
    async (subject, data, msgID) => void (await nats.js.publish(subject, data, { msgID })),
    {
      id,
      kind,
      priority: "short",
      exchange: "binance",
      market: MARKET,
      interval: kind === "candles-backfill" ? "1m" : null,
      from,
      to,
      pagesTotal: 1,
    },
    (k) => queue.subject(k as never),
  );
  return id;
}

async function finished(id: string) {
  return waitFor(
    `job ${id} to end`,
    async () => {
      const job = await selectJob(sql, id);
      return job && ["done", "failed", "cancelled"].includes(job.state) ? job : undefined;
    },
    { ...POLL, timeoutMs: 60_000 },
  );
}

test("a 1m candles backfill over a day stores exactly the simulator's candles", async () => {
  const from = Math.floor((Date.now() - 1.5 * DAY) / 60_000) * 60_000;
  const to = from + DAY - 60_000;
  const job = await finished(await submit("candles-backfill", from, to));
  expect(job.state).toBe("done");
  expect(job.progress).toBe(100);
  const truth = sim.sim.groundTruth.candles(MARKET, "1m", { from, to });
  expect(truth.length).toBe(1440);
  const stored = await selectCandles(sql, {
    exchange: "binance",
    market: MARKET,
    interval: "1m",
    from,
    to,
    limit: 5000,
  } as never);
  const rows = [...stored].sort((a, b) => a.openTime - b.openTime);
  expect(rows.length).toBe(truth.length);
  for (let i = 0; i < truth.length; i++) {
    const t = truth[i]!;
    const r = rows[i]!;
    // The REST body carries 8 decimals, as Binance's does.
    const f8 = (v: number) => Number(v.toFixed(8));
    expect([r.openTime, r.open, r.high, r.low, r.close, r.volume]).toEqual([
      t.openTime,
      f8(t.open),
      f8(t.high),
      f8(t.low),
      f8(t.close),
      f8(t.volume),
    ]);
  }
  expect(job.rowsWritten).toBe(1440);
  expect(job.pagesDone).toBe(2);
}, 90_000);

test("a trades backfill stores exactly the simulator's trades in the window", async () => {
  const from = Date.now() - 1.2 * DAY;
  const to = from + 3 * 3_600_000;
  const job = await finished(await submit("trades-backfill", from, to));
  expect(job.state).toBe("done");
  const truth = sim.sim.groundTruth.trades(MARKET, { from, to });
  const [row] = await sql<{ n: string }[]>`
    select count(*) as n from trades where exchange = 'binance' and market = ${MARKET}
      and time >= ${new Date(from).toISOString()}::timestamptz and time <= ${new Date(to).toISOString()}::timestamptz`;
  expect(Number(row?.n)).toBe(truth.length);
  expect(job.rowsWritten).toBe(truth.length);
  expect(job.outcome).toBe("complete");
  // The window's first trade id came from one aggTrades call (4) checked by one historicalTrades
  // probe (25), not from an id search: then one historicalTrades page (25) per page.
  expect(job.weightUsed).toBe(4 + 25 + 25 * job.pagesDone);
}, 90_000);
