import { afterAll, beforeAll, expect, test } from "bun:test";
import { prepareDatabase, selectMarkets } from "@tickerplant/db";
import {
  connectNats,
  createLogger,
  createRedis,
  createSql,
  type Nats,
  type Redis,
  type Sql,
} from "@tickerplant/runtime";
import { type StartedSimulator, startSimulator, waitFor } from "@tickerplant/testkit";
import { Registry } from "prom-client";
import type { JobQueue } from "../src/jobs.ts";
import { Scheduler } from "../src/scheduler.ts";
import { binanceClient, createTestQueue, DATABASE_URL, NATS_URL, POLL, REDIS_URL, runId } from "./helpers.ts";

/**
 * The scheduler against the exchange simulator's Binance REST: the market list lands in SQL
 * labelled simulated, and a 429 from the simulator holds the job back for its Retry-After.
 */
const log = createLogger({
  service: "scheduler-sim-test",
  level: (process.env.TEST_LOG_LEVEL as "warn") ?? "error",
});
const ID = runId().toUpperCase();
const MARKETS = [`X${ID}-USDT`, `Y${ID}-BTC`];
let sim: StartedSimulator;
let nats: Nats;
let redis: Redis;
let sql: Sql;
let queue: JobQueue;

beforeAll(async () => {
  sim = await startSimulator({ markets: MARKETS, tradesPerSecond: 0, autoStart: false });
  nats = await connectNats(NATS_URL, "scheduler-sim-test", log);
  redis = createRedis(REDIS_URL, "scheduler-sim-test");
  sql = createSql(DATABASE_URL, { max: 2, name: "scheduler-sim-test" });
  await prepareDatabase(sql, log);
  queue = await createTestQueue(nats, ID.toLowerCase());
});

afterAll(async () => {
  await sql`delete from markets where exchange = 'binance' and market = any(${MARKETS})`;
  await nats.jsm.streams.delete(queue.stream).catch(() => {});
  const keys = await redis.keys(`ratelimit:sim${ID}*`);
  if (keys.length > 0) await redis.del(...keys);
  await sql.end({ timeout: 5 });
  await redis.quit();
  await nats.close();
  await sim.stop();
});

test("markets from the simulator land in SQL as simulated, after a 429's Retry-After", async () => {
  sim.sim.reject429(1, 1);
  const registry = new Registry();
  const client = binanceClient({ redis, baseUrl: sim.restUrl, budgetKey: `sim${ID}`, registry, log });
  const scheduler = new Scheduler({
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
  const started = Date.now();
  await scheduler.start();
  try {
    const rows = await waitFor(
      "simulated markets in SQL",
      async () => {
        const r = (await selectMarkets(sql, { exchange: "binance" })).filter((m) =>
          MARKETS.includes(m.market),
        );
        return r.length === MARKETS.length ? r : undefined;
      },
      POLL,
    );
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(rows.every((r) => r.simulated && r.status === "trading")).toBe(true);
    expect(rows.map((r) => r.symbol).sort()).toEqual([`X${ID}USDT`, `Y${ID}BTC`].sort());
    const metrics = await registry.metrics();
    expect(metrics).toContain(
      'tickerplant_rest_requests_total{exchange="binance",path="/api/v3/exchangeInfo",status="429"} 1',
    );
    expect(metrics).toContain(
      'tickerplant_rest_requests_total{exchange="binance",path="/api/v3/exchangeInfo",status="200"} 1',
    );
    expect(metrics).toContain('tickerplant_scheduler_jobs_total{kind="markets-refresh",outcome="ok"} 1');
    // Our budget took the simulator's own count of the weight used.
    expect(await client.budget.used()).toBeGreaterThanOrEqual(sim.sim.usedWeight());
  } finally {
    await scheduler.stop();
  }
}, 10_000);
