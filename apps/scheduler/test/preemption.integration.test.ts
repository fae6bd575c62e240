import { afterAll, beforeAll, expect, test } from "bun:test";
import { type JobPriority, newJobId } from "@tickerplant/core";
import { cancelJob, enqueueJob, gapKey, prepareDatabase, selectJob } from "@tickerplant/db";
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
 * Immediate work waits < 1 s behind a running bulk backfill. Two long trades backfills hold the
 * Binance simulator's budget (Binance's 6000 a minute, metered on a 6 s window here so the test
 * spans several) at its cap; a gap heal then queued for a third market must make its first REST
 * call within a second, without a 429 and without the window ever going over the limit. The
 * REST calls are timed by a pass-through proxy in front of the simulator.
 */
const log = createLogger({
  service: "scheduler-preemption-test",
  level: (process.env.TEST_LOG_LEVEL as "warn") ?? "error",
});
const ID = runId().toUpperCase();
const BULK = [`P${ID}A-USDT`, `P${ID}B-USDT`];
const HEAL = `P${ID}H-USDT`;
const WINDOW_MS = 6000;
const LIMIT = 600; // Binance's 6000 per minute, on a 6 s window
const DAY = 86_400_000;
let sim: StartedSimulator;
let proxy: ReturnType<typeof Bun.serve>;
const calls: Array<{ at: number; symbol: string | null }> = [];
let nats: Nats;
let redis: Redis;
let sql: Sql;
let queue: JobQueue;
let scheduler: Scheduler;

beforeAll(async () => {
  sim = await startSimulator({
    markets: [...BULK, HEAL],
    tradesPerSecond: 0,
    autoStart: false,
    historyMs: 4 * DAY,
    historyTradesPerMinute: 20,
    restWeightLimit: LIMIT,
    restWeightWindowMs: WINDOW_MS,
  });
  proxy = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    fetch: async (req) => {
      const url = new URL(req.url);
      calls.push({ at: Date.now(), symbol: url.searchParams.get("symbol") });
      const res = await fetch(`${sim.restUrl}${url.pathname}${url.search}`);
      return new Response(await res.arrayBuffer(), { status: res.status, headers: res.headers });
    },
  });
  nats = await connectNats(NATS_URL, "scheduler-preemption-test", log);
  redis = createRedis(REDIS_URL, "scheduler-preemption-test");
  sql = createSql(DATABASE_URL, { max: 6, name: "scheduler-preemption-test" });
  await prepareDatabase(sql, log);
  await provisionStreams(nats.jsm, { replicas: 1, tradesRetentionDays: 1 }, log);
  queue = await createTestQueue(nats, ID.toLowerCase());
  const registry = new Registry();
  const client = binanceClient({
    redis,
    baseUrl: `http://127.0.0.1:${proxy.port}`,
    budgetKey: `pre${ID}`,
    windowMs: WINDOW_MS,
    budget: LIMIT,
    registry,
    log,
  });
  scheduler = new Scheduler({
    redis,
    nats,
    sql,
    registry,
    log,
    clients: new Map([["binance", [client]]]),
    source: "simulated",
    marketsRefreshMs: 86_400_000,
    healGaps: false,
    queue,
  });
  await scheduler.start();
  await Bun.sleep(300); // the simulator's first tick rolls its candles up to now
}, 30_000);

afterAll(async () => {
  await scheduler.stop();
  const markets = [...BULK, HEAL];
  for (const table of ["trades", "candles", "jobs"])
    await sql`delete from ${sql(table)} where exchange = 'binance' and market = any(${markets})`;
  await nats.jsm.streams.delete(queue.stream).catch(() => {});
  const keys = await redis.keys(`ratelimit:pre${ID}*`);
  if (keys.length > 0) await redis.del(...keys);
  await sql.end({ timeout: 5 });
  await redis.quit();
  await nats.close();
  proxy.stop(true);
  await sim.stop();
}, 30_000);

async function submit(
  kind: "trades-backfill" | "gap-heal",
  priority: JobPriority,
  market: string,
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
      priority,
      exchange: "binance",
      market,
      interval: null,
      from,
      to,
      pagesTotal: 1,
      ...(kind === "gap-heal" ? { gapKey: gapKey({ exchange: "binance", market, from, to }) } : {}),
    },
    (k) => queue.subject(k as never),
  );
  return id;
}

const symbolOf = (market: string) => market.replace("-", "");

test("immediate work waits < 1 s behind a running bulk backfill", async () => {
  const now = Date.now();
  const bulk = await Promise.all(BULK.map((m) => submit("trades-backfill", "long", m, now - 3.9 * DAY, now)));
  // The bulk work holds the budget: the window at (nearly) the long cap, and both jobs going on.
  await waitFor("the budget to fill", () => (sim.sim.usedWeight() >= 0.85 * LIMIT ? true : undefined), {
    ...POLL,
    timeoutMs: 20_000,
  });
  await Bun.sleep(WINDOW_MS / 2);
  expect(sim.sim.usedWeight()).toBeGreaterThanOrEqual(0.85 * LIMIT);

  const queuedAt = Date.now();
  const heal = await submit("gap-heal", "immediate", HEAL, now - 3_600_000, now - 3_000_000);
  const first = await waitFor(
    "the heal's first REST call",
    () => calls.find((c) => c.symbol === symbolOf(HEAL) && c.at >= queuedAt),
    { ...POLL, timeoutMs: 10_000 },
  );
  const waitedMs = first.at - queuedAt;
  log.info("immediate work waited", { waitedMs });
  expect(waitedMs).toBeLessThan(1000);

  // It went while the bulk jobs were still running, and they stayed within the exchange's limit.
  for (const id of bulk) expect((await selectJob(sql, id))?.state).toBe("running");
  const done = await waitFor(
    "the heal to end",
    async () => {
      const j = await selectJob(sql, heal);
      return j && ["done", "failed"].includes(j.state) ? j : undefined;
    },
    { ...POLL, timeoutMs: 30_000 },
  );
  expect(done.state).toBe("done");
  const stats = sim.sim.stats() as { restRejected429: number; restPeakWeight: number };
  expect(stats.restRejected429).toBe(0);
  expect(stats.restPeakWeight).toBeLessThanOrEqual(LIMIT);
  for (const id of bulk) await cancelJob(sql, id);
}, 90_000);
