import { afterAll, beforeAll, expect, test } from "bun:test";
import { type Candle, type Deriv, getAdapter, type MarketMessage } from "@tickerplant/core";
import { prepareDatabase } from "@tickerplant/db";
import {
  connectNats,
  createLogger,
  createRedis,
  createSql,
  type Nats,
  provisionStreams,
  type Redis,
  type Sql,
  WeightBudget,
} from "@tickerplant/runtime";
import { type StartedSimulator, startSimulator, waitFor } from "@tickerplant/testkit";
import { Registry } from "prom-client";
import { createExchangeClient, type ExchangeClients } from "../src/exchange-clients.ts";
import type { JobQueue } from "../src/jobs.ts";
import { Scheduler } from "../src/scheduler.ts";
import { createTestQueue, DATABASE_URL, NATS_URL, POLL, REDIS_URL, runId } from "./helpers.ts";

/**
 * A scheduler polls four simulators for what their exchanges stream nowhere (Binance USD-M open
 * interest, BingX funding, index and open interest, Coinbase 1m candles) or stream incomplete
 * (WhiteBIT's final 1m candles) and publishes the answers on the normal md.* subjects: the values
 * published are the simulators' ground truth.
 */
const log = createLogger({
  service: "scheduler-polls-test",
  level: (process.env.TEST_LOG_LEVEL as "warn") ?? "error",
});
const ID = runId().toUpperCase();
const PERP = `P${ID}-USDT-PERP`;
const SWAP = `B${ID}-USDT-PERP`;
const SPOT = `C${ID}-USD`;
const HISTORY_MS = 12 * 60_000;
const sims: Record<string, StartedSimulator> = {};
let nats: Nats;
let redis: Redis;
let sql: Sql;
const queues: JobQueue[] = [];

/** A work queue per test: the JOBS duplicate window would drop a second test's items of the same period. */
async function queue(): Promise<JobQueue> {
  const q = await createTestQueue(nats, `${ID.toLowerCase()}${queues.length}`);
  queues.push(q);
  return q;
}

beforeAll(async () => {
  // No live generation: the deriv state holds still between the poll and the check.
  sims.binance = await startSimulator({
    exchange: "binance",
    markets: [PERP],
    tradesPerSecond: 0,
    autoStart: false,
  });
  sims.bingx = await startSimulator({
    exchange: "bingx",
    markets: [SWAP],
    tradesPerSecond: 0,
    autoStart: false,
  });
  sims.coinbase = await startSimulator({
    exchange: "coinbase",
    markets: [SPOT],
    tradesPerSecond: 0,
    autoStart: false,
    historyMs: HISTORY_MS,
    historyTradesPerMinute: 20,
  });
  sims.whitebit = await startSimulator({
    exchange: "whitebit",
    markets: [SPOT],
    tradesPerSecond: 0,
    autoStart: false,
    historyMs: HISTORY_MS,
    historyTradesPerMinute: 20,
  });
  nats = await connectNats(NATS_URL, "scheduler-polls-test", log);
  redis = createRedis(REDIS_URL, "scheduler-polls-test");
  sql = createSql(DATABASE_URL, { max: 2, name: "scheduler-polls-test" });
  await prepareDatabase(sql, log);
  await provisionStreams(nats.jsm, { replicas: 1, tradesRetentionDays: 1 }, log);
});

afterAll(async () => {
  await sql`delete from markets where market = any(${[PERP, SWAP, SPOT]})`;
  for (const q of queues) await nats.jsm.streams.delete(q.stream).catch(() => {});
  const keys = await redis.keys(`ratelimit:poll${ID}*`);
  if (keys.length > 0) await redis.del(...keys);
  await sql.end({ timeout: 5 });
  await redis.quit();
  await nats.close();
  for (const s of Object.values(sims)) await s.stop();
});

/** Every adapter of each exchange against its simulator, with budgets under keys of the test's own. */
function clients(registry: Registry): ExchangeClients {
  const out: ExchangeClients = new Map();
  for (const [exchange, sim] of Object.entries(sims)) {
    const list = (["spot", "perp"] as const).flatMap((type) => {
      const adapter = getAdapter(exchange, type);
      if (adapter === undefined) return [];
      const budget = new WeightBudget(redis, `poll${ID}:${exchange}:${type}`, adapter.rest.limits);
      return [createExchangeClient({ adapter, baseUrl: sim.restUrl, budget, registry, log })];
    });
    out.set(exchange, list);
  }
  return out;
}

test("polled open interest, funding, index and 1m candles equal the simulators' truth", async () => {
  const seen: MarketMessage[] = [];
  const sub = nats.nc.subscribe("md.>", {
    callback: (_err, m) => {
      const msg = JSON.parse(m.string()) as MarketMessage;
      if ([PERP, SWAP, SPOT].includes(msg.market)) seen.push(msg);
    },
  });
  const registry = new Registry();
  const scheduler = new Scheduler({
    redis,
    nats,
    sql,
    registry,
    log,
    clients: clients(registry),
    source: "simulated",
    marketsRefreshMs: 86_400_000,
    queue: await queue(),
    // one poll each at start: the next period is minutes away
    polls: { periodMs: { deriv: 300_000, candles: 300_000 }, markets: [PERP, SWAP, SPOT, "BTC-USDT"] },
  });
  await scheduler.start();
  try {
    const derivOf = (market: string) =>
      seen.find((m): m is Deriv => m.type === "deriv" && m.market === market);
    await waitFor("the deriv polls", () => (derivOf(PERP) && derivOf(SWAP) ? true : undefined), {
      ...POLL,
      timeoutMs: 10_000,
    });
    await waitFor("the candles poll", () => (seen.some((m) => m.type === "candle") ? true : undefined), {
      ...POLL,
      timeoutMs: 10_000,
    });

    // Binance USD-M: open interest only (mark and funding stream on @markPrice).
    const binanceTruth = sims.binance!.sim.generator.deriv(PERP);
    expect(derivOf(PERP)).toMatchObject({
      exchange: "binance",
      symbol: PERP.replace("-USDT-PERP", "USDT"),
      simulated: true,
      markPrice: null,
      indexPrice: null,
      fundingRate: null,
      nextFundingTime: null,
      openInterest: binanceTruth.openInterest,
    });

    // BingX: everything from premiumIndex, open interest from USDT back to base by the mark.
    const bingxTruth = sims.bingx!.sim.generator.deriv(SWAP);
    const swap = derivOf(SWAP)!;
    expect(swap).toMatchObject({
      exchange: "bingx",
      simulated: true,
      markPrice: bingxTruth.markPrice,
      indexPrice: bingxTruth.indexPrice,
      fundingRate: bingxTruth.fundingRate,
      nextFundingTime: bingxTruth.nextFundingTime,
    });
    // BingX rounds the USDT amount to cents
    expect(
      Math.abs(swap.openInterest! * bingxTruth.markPrice - bingxTruth.openInterest * bingxTruth.markPrice),
    ).toBeLessThanOrEqual(0.005 + 1e-6);

    // Coinbase: the 1m candles of the window (3 periods back covers the whole generated past).
    const candles = seen.filter(
      (m): m is Candle => m.type === "candle" && m.exchange === "coinbase" && m.market === SPOT,
    );
    const closed = candles.filter((c) => c.closed);
    const recvTs = closed[0]!.recvTs;
    const truth = sims
      .coinbase!.sim.groundTruth.candles(SPOT, "1m", { to: recvTs })
      .filter((c) => c.trades > 0 && c.closeTime < recvTs);
    expect(closed.length).toBeGreaterThanOrEqual(10);
    expect(closed.map((c) => [c.interval, c.openTime, c.open, c.high, c.low, c.close])).toEqual(
      truth.map((c) => ["1m", c.openTime, c.open, c.high, c.low, c.close]),
    );
    for (const [i, c] of closed.entries()) {
      expect(c.volume).toBeCloseTo(truth[i]!.volume, 6);
      expect(c).toMatchObject({ simulated: true, quoteVolume: null, trades: null });
    }

    // WhiteBIT: the final 1m candles (ts = close time), only those closed ≥ 5 s before the answer.
    const finals = seen.filter((m): m is Candle => m.type === "candle" && m.exchange === "whitebit");
    const answered = finals[0]!.recvTs;
    const whitebitTruth = sims
      .whitebit!.sim.groundTruth.candles(SPOT, "1m", { to: answered })
      .filter((c) => c.trades > 0 && c.closeTime <= answered - 5000);
    expect(finals.length).toBeGreaterThanOrEqual(10);
    expect(finals.every((c) => c.closed && c.ts === c.closeTime)).toBe(true);
    expect(finals.map((c) => [c.openTime, c.open, c.high, c.low, c.close])).toEqual(
      whitebitTruth.map((c) => [c.openTime, c.open, c.high, c.low, c.close]),
    );
    for (const [i, c] of finals.entries()) expect(c.volume).toBeCloseTo(whitebitTruth[i]!.volume, 6);

    // A market an exchange does not list (each perp on the other venue, BTC-USDT on Coinbase's
    // simulator) is a failed poll of that market, counted; the other markets are polled all the same.
    const expected = [
      'tickerplant_scheduler_polls_total{exchange="binance",poll="deriv",outcome="ok"} 1',
      'tickerplant_scheduler_polls_total{exchange="binance",poll="deriv",outcome="failed"} 1',
      'tickerplant_scheduler_polls_total{exchange="bingx",poll="deriv",outcome="ok"} 1',
      'tickerplant_scheduler_polls_total{exchange="bingx",poll="deriv",outcome="failed"} 1',
      'tickerplant_scheduler_polls_total{exchange="coinbase",poll="candles",outcome="ok"} 1',
      'tickerplant_scheduler_polls_total{exchange="coinbase",poll="candles",outcome="failed"} 1',
      'tickerplant_scheduler_polls_total{exchange="whitebit",poll="candles",outcome="ok"} 1',
      'tickerplant_scheduler_polls_total{exchange="whitebit",poll="candles",outcome="failed"} 1',
      'tickerplant_scheduler_jobs_total{kind="rest-poll",outcome="ok"} 4',
    ];
    await waitFor(
      "every poll to end",
      async () => {
        const metrics = await registry.metrics();
        return expected.every((line) => metrics.includes(line)) ? true : undefined;
      },
      POLL,
    );
  } finally {
    sub.unsubscribe();
    await scheduler.stop();
  }
}, 30_000);

test("a poll whose period is 0 is off; none planned without a market its adapters serve", async () => {
  const registry = new Registry();
  const scheduler = new Scheduler({
    redis,
    nats,
    sql,
    registry,
    log,
    clients: clients(registry),
    source: "simulated",
    marketsRefreshMs: 86_400_000,
    queue: await queue(),
    polls: { periodMs: { deriv: 0, candles: 300_000 }, markets: [PERP] },
  });
  await scheduler.start();
  try {
    await Bun.sleep(500);
    const metrics = await registry.metrics();
    expect(metrics).not.toContain("tickerplant_scheduler_polls_total{");
  } finally {
    await scheduler.stop();
  }
}, 10_000);
