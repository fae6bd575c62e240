#!/usr/bin/env bun
/**
 * Backfill benchmark (docs/benchmarks.md): how fast the scheduler's executor fills history from an
 * exchange's REST, and how much of the exchange's weight budget it uses without a 429.
 *
 *   bun bench/backfill.ts                      # candles for 15 s, then trades for 25 s: < 60 s in all
 *   bun bench/backfill.ts --candles-seconds 10 --trades-seconds 10 --priority short
 *
 * The Binance simulator (this process) serves a generated past with Binance's REST weights and
 * page sizes and meters weight in a rolling window, refusing with 429 over the limit. Binance's
 * limit is 6000 per minute; the window is scaled down (--window-ms, default 6 s with 600) so that
 * a run of seconds spans several windows at the same rate. The real Scheduler (job worker,
 * recorded-job runner, Redis weight budget, SQL checkpoints, publishing on md.*) runs in this
 * process against its own nats-server, Redis database 14 (BENCH_REDIS_URL) and TEST_DATABASE_URL.
 *
 * Per phase: one job per market at the given priority, stopped (cancelled) at the phase's end;
 * rows/s = rows stored / phase time; budget used = weight spent / (limit × phase time / window).
 * Writes bench/results/backfill-<date>.json and prints a Markdown table.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { createExchangeClient } from "../apps/scheduler/src/exchange-clients.ts";
import { DEFAULT_JOB_QUEUE } from "../apps/scheduler/src/jobs.ts";
import { Scheduler } from "../apps/scheduler/src/scheduler.ts";
import { type ExchangeAdapter, getAdapter, type JobPriority, newJobId } from "../packages/core/src/index.ts";
import { cancelJob, enqueueJob, prepareDatabase, selectJob } from "../packages/db/src/index.ts";
import {
  connectNats,
  createLogger,
  createMetricsRegistry,
  createRedis,
  createSql,
  provisionStreams,
  WeightBudget,
} from "../packages/runtime/src/index.ts";
import { startNatsServer } from "../packages/testkit/src/nats-server.ts";
import { startSimulator } from "../packages/testkit/src/simulator/index.ts";

const { values: args } = parseArgs({
  options: {
    "candles-seconds": { type: "string", default: "15" },
    "trades-seconds": { type: "string", default: "25" },
    "window-ms": { type: "string", default: "6000" },
    markets: { type: "string", default: "2" },
    priority: { type: "string", default: "long" },
  },
});
const WINDOW_MS = Number(args["window-ms"]);
const PRIORITY = args.priority as JobPriority;
const BINANCE_PER_MINUTE = 6000;
const LIMIT = Math.round((BINANCE_PER_MINUTE * WINDOW_MS) / 60_000);
const DAY = 86_400_000;
// Enough past that neither phase runs out on this machine (a trade a minute: a candle a minute).
const HISTORY_DAYS = 120;

const REDIS_URL = process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379/14";
const DATABASE_URL =
  process.env.TEST_DATABASE_URL ?? "postgres://tickerplant@127.0.0.1:5433/tickerplant_test";
const RUN = crypto.randomUUID().replaceAll("-", "").slice(0, 6).toUpperCase();
const MARKETS = Array.from({ length: Number(args.markets) }, (_, i) => `BF${RUN}${i}-USDT`);
const log = createLogger({ service: "bench-backfill", level: "warn" });

const nats0 = await startNatsServer();
const sim = await startSimulator({
  markets: MARKETS,
  tradesPerSecond: 0,
  autoStart: false,
  historyMs: HISTORY_DAYS * DAY,
  historyTradesPerMinute: 1,
  restWeightLimit: LIMIT,
  restWeightWindowMs: WINDOW_MS,
});
const nats = await connectNats(nats0.url, "bench-backfill", log);
const redis = createRedis(REDIS_URL, "bench-backfill");
const sql = createSql(DATABASE_URL, { max: 6, name: "bench-backfill" });
await prepareDatabase(sql, log);
await provisionStreams(nats.jsm, { replicas: 1, tradesRetentionDays: 1 }, log);

// Binance's adapter with the simulator's (scaled) window: same rate, shorter window.
const binance = getAdapter("binance")!;
const adapter: ExchangeAdapter = {
  ...binance,
  rest: { ...binance.rest, limits: { ...binance.rest.limits, budget: LIMIT, windowMs: WINDOW_MS } },
};
const registry = createMetricsRegistry("bench-backfill");
const budgetKey = `bench-bf-${RUN}`;
const scheduler = new Scheduler({
  redis,
  nats,
  sql,
  registry,
  log,
  clients: new Map([
    [
      "binance",
      [
        createExchangeClient({
          adapter,
          baseUrl: sim.restUrl,
          budget: new WeightBudget(redis, budgetKey, adapter.rest.limits),
          registry,
          log,
        }),
      ],
    ],
  ]),
  source: "simulated",
  marketsRefreshMs: 86_400_000,
  healGaps: false,
  queue: DEFAULT_JOB_QUEUE,
});
await scheduler.start();
// The simulator's first tick rolls its candles from the generated past up to now (seconds of CPU
// once): let it pass before measuring.
await Bun.sleep(500);

interface PhaseResult {
  phase: string;
  seconds: number;
  rows: number;
  rowsPerSecond: number;
  pages: number;
  weight: number;
  budgetUsed: number;
  rejected429: number;
  jobsDone: number;
}

async function phase(kind: "candles-backfill" | "trades-backfill", phaseMs: number): Promise<PhaseResult> {
  const to = Date.now() - 60_000;
  const from = to - (HISTORY_DAYS - 1) * DAY;
  const ids: string[] = [];
  const before = sim.sim.stats() as { restRejected429: number };
  const start = performance.now();
  for (const market of MARKETS) {
    const id = newJobId();
    ids.push(id);
    await enqueueJob(
      sql,
      async (subject, data, msgID) => void (await nats.js.publish(subject, data, { msgID })),
      {
        id,
        kind,
        priority: PRIORITY,
        exchange: "binance",
        market,
        interval: kind === "candles-backfill" ? "1m" : null,
        from,
        to,
        pagesTotal: 1,
      },
    );
  }
  let jobs = await Promise.all(ids.map((id) => selectJob(sql, id)));
  while (
    performance.now() - start < phaseMs &&
    jobs.some((j) => j && !["done", "failed"].includes(j.state))
  ) {
    await Bun.sleep(250);
    jobs = await Promise.all(ids.map((id) => selectJob(sql, id)));
  }
  const seconds = (performance.now() - start) / 1000;
  // What was stored by the end of the phase counts; the rest is cancelled.
  jobs = await Promise.all(ids.map((id) => selectJob(sql, id)));
  for (const id of ids) await cancelJob(sql, id);
  const after = sim.sim.stats() as { restRejected429: number };
  const rows = jobs.reduce((n, j) => n + (j?.rowsWritten ?? 0), 0);
  const weight = jobs.reduce((n, j) => n + (j?.weightUsed ?? 0), 0);
  return {
    phase: kind,
    seconds: round(seconds, 1),
    rows,
    rowsPerSecond: Math.round(rows / seconds),
    pages: jobs.reduce((n, j) => n + (j?.pagesDone ?? 0), 0),
    weight,
    budgetUsed: round(weight / ((LIMIT * seconds * 1000) / WINDOW_MS), 3),
    rejected429: after.restRejected429 - before.restRejected429,
    jobsDone: jobs.filter((j) => j?.state === "done").length,
  };
}

function round(v: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

const results: PhaseResult[] = [];
try {
  results.push(await phase("candles-backfill", Number(args["candles-seconds"]) * 1000));
  await Bun.sleep(WINDOW_MS); // the next phase starts on an empty window
  results.push(await phase("trades-backfill", Number(args["trades-seconds"]) * 1000));
} finally {
  await scheduler.stop();
  for (const table of ["candles", "trades", "jobs"])
    await sql`delete from ${sql(table)} where market = any(${MARKETS})`;
  const keys = await redis.keys(`ratelimit:${budgetKey}*`);
  if (keys.length > 0) await redis.del(...keys);
  await sql.end({ timeout: 5 });
  redis.disconnect();
  await nats.close();
  await sim.stop();
  nats0.stop();
}

const stats = sim.sim.stats() as { restPeakWeight: number };
const report = {
  date: new Date().toISOString(),
  exchange: "binance (simulator)",
  limit: { weight: LIMIT, windowMs: WINDOW_MS, perMinute: BINANCE_PER_MINUTE },
  priority: PRIORITY,
  markets: MARKETS.length,
  peakWindowWeight: stats.restPeakWeight,
  peakWindowShare: round(stats.restPeakWeight / LIMIT, 3),
  results,
};
mkdirSync(resolve(import.meta.dir, "results"), { recursive: true });
const file = resolve(
  import.meta.dir,
  "results",
  `backfill-${report.date.slice(0, 19).replaceAll(":", "")}.json`,
);
writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
console.log(
  `\nBackfill, Binance simulator, ${LIMIT} weight per ${WINDOW_MS / 1000} s (= ${BINANCE_PER_MINUTE}/min), ${MARKETS.length} markets, priority ${PRIORITY}; peak window ${stats.restPeakWeight}/${LIMIT}\n`,
);
console.log("| phase | s | rows | rows/s | pages | weight | budget used | 429s |");
console.log("| --- | --: | --: | --: | --: | --: | --: | --: |");
for (const r of results)
  console.log(
    `| ${r.phase} | ${r.seconds} | ${r.rows} | ${r.rowsPerSecond} | ${r.pages} | ${r.weight} | ${Math.round(r.budgetUsed * 100)} % | ${r.rejected429} |`,
  );
console.log(`\n${file}`);
process.exit(0);
