import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { prepareDatabase, selectMarkets } from "@tickerplant/db";
import {
  connectNats,
  createLogger,
  createRedis,
  createSql,
  type Nats,
  type Redis,
  readInstruments,
  type Sql,
} from "@tickerplant/runtime";
import { waitFor } from "@tickerplant/testkit";
import { Registry } from "prom-client";
import type { JobQueue } from "../src/jobs.ts";
import { MarketsRefresh } from "../src/markets-refresh.ts";
import { Scheduler } from "../src/scheduler.ts";
import {
  binanceClient,
  createTestQueue,
  DATABASE_URL,
  exchangeInfoBody,
  NATS_URL,
  POLL,
  REDIS_URL,
  runId,
} from "./helpers.ts";

/**
 * Real NATS, Redis and TimescaleDB against a local HTTP server that answers like Binance's
 * /api/v3/exchangeInfo (recorded shape, X-MBX-USED-WEIGHT-1m header). Each test has its own work
 * queue, budget key and asset names.
 */
const log = createLogger({
  service: "scheduler-test",
  level: (process.env.TEST_LOG_LEVEL as "warn") ?? "warn",
});
const ID = runId();
const ASSETS = ["A", "B", "C"].map((a) => `${a}${ID.toUpperCase()}`);

interface Hit {
  at: number;
  path: string;
}
let respond: (req: Request) => Response | Promise<Response>;
const hits: Hit[] = [];
let server: ReturnType<typeof Bun.serve>;
let baseUrl: string;
let nats: Nats;
let redis: Redis;
let sql: Sql;
const queues: JobQueue[] = [];

function exchangeInfo(headers: Record<string, string> = {}, used = 20): Response {
  return Response.json(exchangeInfoBody(ASSETS), {
    headers: { "X-MBX-USED-WEIGHT-1m": String(used), ...headers },
  });
}

beforeAll(async () => {
  server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    fetch: (req) => {
      hits.push({ at: Date.now(), path: new URL(req.url).pathname });
      return respond(req);
    },
  });
  baseUrl = `http://127.0.0.1:${server.port}`;
  nats = await connectNats(NATS_URL, "scheduler-test", log);
  redis = createRedis(REDIS_URL, "scheduler-test");
  sql = createSql(DATABASE_URL, { max: 2, name: "scheduler-test" });
  await prepareDatabase(sql, log);
  await sql`delete from markets where exchange = 'binance' and base = any(${ASSETS})`;
});

afterAll(async () => {
  await sql`delete from markets where exchange = 'binance' and base = any(${ASSETS})`;
  for (const q of queues) await nats.jsm.streams.delete(q.stream).catch(() => {});
  const keys = await redis.keys(`ratelimit:t${ID}*`);
  if (keys.length > 0) await redis.del(...keys);
  await sql.end({ timeout: 5 });
  await redis.quit();
  await nats.close();
  server.stop(true);
});

async function ourMarkets() {
  return (await selectMarkets(sql, { exchange: "binance" })).filter((m) => ASSETS.includes(m.base));
}

describe("markets refresh through the JOBS work queue", () => {
  test("two schedulers starting together run the job once; markets land in SQL labelled simulated", async () => {
    hits.length = 0;
    respond = () => exchangeInfo({ "X-Tickerplant-Simulated": "1" }, 37);
    const queue = await createTestQueue(nats, ID);
    queues.push(queue);
    const registries = [new Registry(), new Registry()];
    const schedulers = registries.map(
      (registry) =>
        new Scheduler({
          redis,
          nats,
          sql,
          registry,
          log,
          clients: new Map([
            ["binance", [binanceClient({ redis, baseUrl, budgetKey: `t${ID}-a`, registry, log })]],
          ]),
          source: "auto",
          marketsRefreshMs: 86_400_000,
          queue,
        }),
    );
    await Promise.all(schedulers.map((s) => s.start()));
    try {
      const rows = await waitFor(
        "markets in SQL",
        async () => {
          const r = await ourMarkets();
          return r.length === 3 ? r : undefined;
        },
        POLL,
      );
      expect(rows.map((r) => r.market).sort()).toEqual(ASSETS.map((a) => `${a}-USDT`).sort());
      expect(rows.every((r) => r.simulated)).toBe(true);
      const a = rows.find((r) => r.base === ASSETS[0])!;
      expect(a).toMatchObject({ symbol: `${ASSETS[0]}USDT`, quote: "USDT", type: "spot", status: "trading" });
      expect(a).toMatchObject({ tickSize: 0.01, lotSize: 0.00001, minNotional: 5 });
      expect(rows.find((r) => r.base === ASSETS[1])!.status).toBe("halted");
      // The instruments in Redis for the ingestors, beside SQL (a spot list: no contract values).
      const instruments = await readInstruments(redis, "binance");
      expect(instruments.get(`${ASSETS[0]}-USDT`)).toMatchObject({ tickSize: 0.01, lotSize: 0.00001 });
      expect(instruments.get(`${ASSETS[0]}-USDT`)?.contractValue).toBeUndefined();

      // One item per exchange and period: the second scheduler's publish was a duplicate.
      await Bun.sleep(200);
      expect(hits.filter((h) => h.path === "/api/v3/exchangeInfo")).toHaveLength(1);
      const info = await nats.jsm.streams.info(queue.stream);
      expect(info.state.messages).toBe(0); // the work queue removed the acked item

      const metrics = (await Promise.all(registries.map((r) => r.metrics()))).join("\n");
      expect(metrics).toContain('tickerplant_scheduler_jobs_total{kind="markets-refresh",outcome="ok"} 1');
      expect(metrics).toContain('tickerplant_scheduler_markets_loaded{exchange="binance"} 3');
      // The budget took the exchange's count (37) over ours (20).
      expect(metrics).toContain('tickerplant_rest_weight_used{exchange="binance",market_type="spot"} 37');
    } finally {
      await Promise.all(schedulers.map((s) => s.stop()));
    }
  }, 10_000);

  test("a live answer refreshes the label; SOURCE mismatches are refused and store nothing", async () => {
    respond = () => exchangeInfo();
    const client = binanceClient({ redis, baseUrl, budgetKey: `t${ID}-b`, log });
    const clients = new Map([["binance", [client]]]);
    const job = { kind: "markets-refresh" as const, exchange: "binance", period: 1, scheduledAt: Date.now() };
    const signal = new AbortController().signal;

    const auto = new MarketsRefresh({ clients, sql, redis, source: "auto", registry: new Registry(), log });
    expect(await auto.run(job, signal)).toBe(3);
    expect((await ourMarkets()).every((r) => !r.simulated)).toBe(true);

    const simulatedOnly = new MarketsRefresh({
      clients,
      sql,
      redis,
      source: "simulated",
      registry: new Registry(),
      log,
    });
    const err = await simulatedOnly.run(job, signal).catch((e) => e);
    expect(err).toMatchObject({ code: "source_mismatch", retryable: false });

    await sql`delete from markets where exchange = 'binance' and base = any(${ASSETS})`;
    respond = () => exchangeInfo({ "X-Tickerplant-Simulated": "1" });
    const liveOnly = new MarketsRefresh({
      clients,
      sql,
      redis,
      source: "live",
      registry: new Registry(),
      log,
    });
    expect(await liveOnly.run(job, signal).catch((e) => e)).toMatchObject({ code: "source_mismatch" });
    expect(await ourMarkets()).toHaveLength(0);
  });
});

describe("the weight budget follows the exchange", () => {
  test("a used-weight header near the limit makes the next call wait for the next window", async () => {
    const windowMs = 2000;
    // Start early in a window so the wait is long enough to measure.
    await Bun.sleep(windowMs - (Date.now() % windowMs) + 20);
    let reported = 0;
    respond = () => {
      reported = Date.now();
      return exchangeInfo({}, 5900); // budget 6000 × 0.8 safety = 4800
    };
    hits.length = 0;
    const client = binanceClient({ redis, baseUrl, budgetKey: `t${ID}-c`, windowMs, log });
    const req = client.adapter.rest.marketsRequest();
    await client.executor.execute(req);
    const firstReported = reported;
    expect(await client.budget.used()).toBe(5900);
    await client.executor.execute(req);
    expect(hits).toHaveLength(2);
    const nextWindow = (Math.floor(firstReported / windowMs) + 1) * windowMs;
    expect(hits[1]!.at).toBeGreaterThanOrEqual(nextWindow);
    expect(hits[1]!.at - hits[0]!.at).toBeGreaterThan(1000);
  }, 10_000);

  test("below the limit the next call goes at once", async () => {
    respond = () => exchangeInfo({}, 100);
    hits.length = 0;
    const client = binanceClient({ redis, baseUrl, budgetKey: `t${ID}-d`, windowMs: 60_000, log });
    const req = client.adapter.rest.marketsRequest();
    await client.executor.execute(req);
    await client.executor.execute(req);
    expect(hits[1]!.at - hits[0]!.at).toBeLessThan(500);
  });

  test("a 429 with Retry-After blocks every caller on that budget until it passes", async () => {
    hits.length = 0;
    let calls = 0;
    respond = () => {
      calls++;
      if (calls === 1)
        return new Response('{"code":-1003,"msg":"Too many requests"}', {
          status: 429,
          headers: { "Retry-After": "1" },
        });
      return exchangeInfo();
    };
    // Two instances (two executors) sharing one budget through Redis.
    const one = binanceClient({ redis, baseUrl, budgetKey: `t${ID}-e`, log });
    const two = binanceClient({ redis, baseUrl, budgetKey: `t${ID}-e`, log });
    const req = one.adapter.rest.marketsRequest();
    const first = one.executor.execute(req);
    await waitFor("the 429", () => (calls >= 1 ? true : undefined), POLL);
    await Bun.sleep(50); // the block is written right after the 429 arrives
    const second = two.executor.execute(req);
    const [a, b] = await Promise.all([first, second]);
    expect(a.body).toMatchObject({ timezone: "UTC" });
    expect(b.body).toMatchObject({ timezone: "UTC" });
    expect(hits).toHaveLength(3);
    // Neither the retry nor the other instance's call went out before Retry-After elapsed.
    expect(hits[1]!.at - hits[0]!.at).toBeGreaterThanOrEqual(990);
    expect(hits[2]!.at - hits[0]!.at).toBeGreaterThanOrEqual(990);
  }, 10_000);
});
