#!/usr/bin/env bun
/**
 * Pipeline benchmark (docs/benchmarks.md).
 *
 *   bun bench/pipeline.ts            # full run, ~2–4 min, stops by itself (hard limit 5 min)
 *   bun bench/pipeline.ts --quick    # smoke run: small baselines, two short steps
 *   bun bench/pipeline.ts --rates 2000,5000 --seconds 5 --no-baselines   # one investigation
 *   bun bench/pipeline.ts --rates 10000 --no-baselines --profile /tmp/prof   # services' CPU profiles
 *
 * Needs Redis and TimescaleDB up (`bash infra/stack.sh up`) and nats-server installed: the bench
 * starts a NATS of its own (BENCH_NATS_URL names another), so a platform running on this machine
 * never sees its messages; BENCH_REDIS_URL (default Redis database 14) and TEST_DATABASE_URL
 * (default the tickerplant_test database).
 *
 * 1. Baselines: bare nats.js JetStream publish (msgID, bounded ack window) and core publish; bare
 *    COPY (and the writer's unnest insert) into a scratch hypertable; the Binance parser alone.
 * 2. The pipeline: simulator (this process) → ingestor → JetStream → storage-writer → TimescaleDB,
 *    and → gateway → a WebSocket client (a worker thread) on `trade:binance:*`, at rising rates.
 *    A step is sustained when TimescaleDB and the client hold every generated trade, exactly once,
 *    within SUSTAIN_MS of the pause. Stepping stops at the first step that is not.
 * 3. Latency at 10k trades/s: trade `ts` (stamped by the simulator in the tick that sends it) →
 *    client receive time, split at the ingestor's `recvTs`.
 * Writes bench/results/pipeline-<date>.json and prints a Markdown summary.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import postgres from "postgres";
import { connectNats, createLogger } from "../packages/runtime/src/index.ts";
import { startNatsServer } from "../packages/testkit/src/nats-server.ts";
import { dbBaseline } from "./lib/baseline-db.ts";
import { natsBaseline } from "./lib/baseline-nats.ts";
import { parseBaseline } from "./lib/baseline-parse.ts";
import { CpuMeter } from "./lib/cpu.ts";
import { type LadderDeps, runStep, type StepPlan, type StepResult } from "./lib/ladder.ts";
import { rerunWithLeanAllocator } from "./lib/lean-allocator.ts";
import { type PipelineReport, renderMarkdown } from "./lib/report.ts";
import { infrastructureGroups, Stack } from "./lib/stack.ts";
import { round } from "./lib/stats.ts";
import { buildTradeFixtures } from "./lib/trade-fixtures.ts";
import { WsProbe } from "./lib/ws-probe.ts";

await rerunWithLeanAllocator();

// Its own nats-server (stopped with this process), unless BENCH_NATS_URL names one.
const OWN_NATS = process.env.BENCH_NATS_URL ? undefined : await startNatsServer();
const NATS_URL = process.env.BENCH_NATS_URL ?? OWN_NATS!.url;
const NATS_PROCESS = OWN_NATS ? ["nats-server", OWN_NATS.configFile] : ["nats-server"];
// Its own Redis database, so a running platform's latest state (and dashboard) stays clean.
const REDIS_URL = process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379/14";
const DATABASE_URL =
  process.env.TEST_DATABASE_URL ?? "postgres://tickerplant@127.0.0.1:5433/tickerplant_test";

const { values: args } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    rates: { type: "string" },
    seconds: { type: "string", default: "5" },
    "no-baselines": { type: "boolean", default: false },
    /** Writes each service's CPU profile (Markdown) into this directory when it exits. */
    profile: { type: "string" },
  },
});
const QUICK = args.quick === true;
const HARD_LIMIT_MS = 5 * 60_000;
/** No new step starts after this much of the run. */
const LADDER_BUDGET_MS = 4 * 60_000;
/**
 * Both paths must hold every trade this soon after the pause. (With 5 s steps a 2 s bound would
 * pass a pipeline running at 70 % of the offered rate; the DB path alone needs ~100–300 ms for
 * the writer's flush interval and one batch.)
 */
const SUSTAIN_MS = 1000;

const LADDER: StepPlan[] = args.rates
  ? args.rates.split(",").map((r) => ({ rate: Number(r), seconds: Number(args.seconds) }))
  : QUICK
    ? [
        { rate: 1000, seconds: 2 },
        { rate: 10_000, seconds: 3 },
      ]
    : [
        { rate: 1000, seconds: 5 },
        { rate: 2000, seconds: 5 },
        { rate: 5000, seconds: 5 },
        { rate: 7500, seconds: 5 },
        { rate: 10_000, seconds: 10 },
        { rate: 15_000, seconds: 5 },
        { rate: 20_000, seconds: 5 },
        { rate: 30_000, seconds: 5 },
        { rate: 50_000, seconds: 5 },
        { rate: 75_000, seconds: 5 },
        { rate: 100_000, seconds: 5 },
        { rate: 150_000, seconds: 5 },
      ];
/** Latency is reported at this rate; run on its own when the ladder stopped below it. */
const LATENCY_STEP: StepPlan = { rate: 10_000, seconds: QUICK ? 3 : 10 };
const SIZES = QUICK
  ? { fixtures: 20_000, js: 20_000, core: 50_000, copy: 20_000, unnest: 10_000 }
  : { fixtures: 200_000, js: 100_000, core: 500_000, copy: 200_000, unnest: 100_000 };

const startedAt = Date.now();
const RUN = startedAt.toString(36).toUpperCase();
const MARKETS = ["A", "B", "C", "D"].map((x) => `BP${x}${RUN}-USDT`);
const PORTS = { ingestor: 29101, "storage-writer": 29102, gateway: 29080 } as const;
const log = createLogger({ service: "bench", level: "error" });
/** For the hard time limit: services to kill if the run overstays. */
let activeStack: Stack | undefined;

const report: PipelineReport = {
  date: new Date(startedAt).toISOString(),
  run: RUN,
  command: `bun ${process.argv
    .slice(1)
    .join(" ")
    .replace(`${import.meta.dir}/`, "bench/")}`,
  machine: {
    cores: navigator.hardwareConcurrency,
    cpu: cpus()[0]?.model ?? "?",
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    bun: Bun.version,
  },
  config: {
    ladder: LADDER,
    sustainMs: SUSTAIN_MS,
    sizes: SIZES,
    services:
      "production defaults: PUBLISH_MAX_IN_FLIGHT 4096, BATCH_SIZE 2000, FLUSH_INTERVAL_MS 100; CHANNELS trade,ticker",
  },
  baselines: {},
  pipeline: {
    markets: MARKETS,
    backlogBeforeStart: 0,
    steps: [],
    sustainedMax: null,
    firstUnsustained: null,
  },
  ratios: {},
  seconds: 0,
  errors: [],
};

function progress(msg: string): void {
  console.error(`[${((Date.now() - startedAt) / 1000).toFixed(1)}s] ${msg}`);
}

async function baselines(): Promise<void> {
  progress("building trade fixtures");
  const fixtures = buildTradeFixtures(MARKETS, SIZES.fixtures);
  progress("baseline: parse");
  report.baselines.parse = parseBaseline(fixtures);
  const cpu = new CpuMeter(infrastructureGroups(DATABASE_URL, NATS_PROCESS));
  progress("baseline: NATS");
  report.baselines.nats = await natsBaseline({
    cpu,
    url: NATS_URL,
    run: RUN,
    fixtures,
    jetstreamMessages: SIZES.js,
    coreMessages: SIZES.core,
    window: 4096,
  });
  progress("baseline: TimescaleDB COPY and unnest");
  const trades =
    fixtures.trades.length >= SIZES.copy
      ? fixtures.trades
      : buildTradeFixtures(MARKETS, SIZES.copy, 7).trades;
  report.baselines.db = await dbBaseline({
    cpu,
    url: DATABASE_URL,
    run: RUN,
    trades,
    copyRows: SIZES.copy,
    unnestRows: SIZES.unnest,
    batchSize: 2000,
  });
}

/** The shared durable may hold other runs' trades: let the writer finish them before measuring. */
async function waitForBacklog(): Promise<number> {
  const nats = await connectNats(NATS_URL, "bench-probe", log);
  try {
    const info = async () => {
      const c = await nats.jsm.consumers.info("MD_TRADES", "storage-trades");
      return c.num_pending + c.num_ack_pending;
    };
    const first = await info();
    const deadline = Date.now() + 60_000;
    while ((await info()) > 0 && Date.now() < deadline) await Bun.sleep(500);
    const left = await info();
    if (left > 0) throw new Error(`storage-trades still has ${left} messages of earlier runs to write`);
    return first;
  } finally {
    await nats.close();
  }
}

function logStep(step: StepResult): void {
  progress(
    `  ${step.verdict}; db lag ${step.db.lagMs} ms, ws lag ${step.ws.lagMs} ms; e2e p50/p99 ${step.latencyMs?.e2e.p50}/${step.latencyMs?.e2e.p99} ms; cpu ${JSON.stringify(step.cpu.during)}; others: ${step.cpu.othersDuring.join("; ") || "none"}; connection ${JSON.stringify(step.connection)}`,
  );
}

async function pipeline(sql: postgres.Sql): Promise<void> {
  const stack = new Stack({
    natsUrl: NATS_URL,
    natsProcess: NATS_PROCESS,
    redisUrl: REDIS_URL,
    databaseUrl: DATABASE_URL,
    markets: MARKETS,
    ports: PORTS,
    ...(args.profile
      ? { bunOptions: `--cpu-prof --cpu-prof-md --cpu-prof-dir=${resolve(args.profile)}` }
      : {}),
  });
  activeStack = stack;
  let deps: LadderDeps | undefined;
  try {
    progress("starting simulator, storage-writer, ingestor, gateway");
    await stack.start();
    report.pipeline.backlogBeforeStart = await waitForBacklog();
    const probe = new WsProbe();
    await probe.connect(`ws://127.0.0.1:${PORTS.gateway}/ws`, ["trade:binance:*"], MARKETS);
    // The ingestor is subscribed once its tickers come through the simulator.
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline && Number(stack.sim.sim.stats().connections) < 1) await Bun.sleep(100);
    await Bun.sleep(1500);

    deps = {
      stack,
      probe,
      sql,
      cpu: stack.cpuMeter(),
      markets: MARKETS,
      sustainMs: SUSTAIN_MS,
      drainLimitMs: 30_000,
      stallMs: 4000,
    };
    progress("warm-up 1000/s for 2 s");
    report.pipeline.warmup = await runStep(0, { rate: 1000, seconds: 2 }, deps);
    if (!report.pipeline.warmup.sustained)
      throw new Error(`warm-up failed: ${report.pipeline.warmup.verdict}\n${stack.logs()}`);

    for (const [i, plan] of LADDER.entries()) {
      if (Date.now() - startedAt > LADDER_BUDGET_MS) {
        report.errors.push(`time budget reached before the ${plan.rate}/s step`);
        break;
      }
      progress(`step ${plan.rate}/s for ${plan.seconds} s`);
      const step = await runStep(i + 1, plan, deps);
      report.pipeline.steps.push(step);
      logStep(step);
      if (!step.sustained) {
        report.pipeline.firstUnsustained = { rate: plan.rate, verdict: step.verdict };
        break;
      }
      report.pipeline.sustainedMax = { rate: plan.rate, generatedPerSecond: step.generatedPerSecond };
      await Bun.sleep(1000);
    }

    const latencyDone = report.pipeline.steps.some((s) => s.rate === LATENCY_STEP.rate);
    if (!args.rates && !latencyDone && Date.now() - startedAt < LADDER_BUDGET_MS) {
      // The gateway disconnects a client that falls too far behind: start from a fresh one.
      if ((await deps.probe.counts()).closed) {
        await deps.probe.close();
        deps.probe = new WsProbe();
        await deps.probe.connect(`ws://127.0.0.1:${PORTS.gateway}/ws`, ["trade:binance:*"], MARKETS);
      }
      await Bun.sleep(1000);
      progress(`latency step ${LATENCY_STEP.rate}/s for ${LATENCY_STEP.seconds} s`);
      report.pipeline.latencyStep = await runStep(LADDER.length + 1, LATENCY_STEP, deps);
      logStep(report.pipeline.latencyStep);
    }

    progress("final check: every generated trade stored exactly once");
    const truth = stack.sim.sim.truth.total();
    const [row] = await sql<{ n: number; d: number }[]>`
      select count(*)::int as n, count(distinct (market, trade_id))::int as d
      from trades where exchange = 'binance' and market in ${sql(MARKETS)}`;
    report.pipeline.final = {
      truth,
      stored: row!.n,
      distinct: row!.d,
      exact: row!.n === truth && row!.d === truth,
    };
  } catch (err) {
    report.errors.push(String(err instanceof Error ? err.message : err));
    console.error(stack.logs(30));
  } finally {
    progress("stopping services");
    await deps?.probe.close().catch(() => {});
    await stack.stop().catch((err) => report.errors.push(`stop: ${err}`));
  }
}

/** Leaves nothing behind: this run's rows in the test database and its messages in JetStream. */
async function cleanup(sql: postgres.Sql): Promise<void> {
  progress("cleaning up rows and stream messages of this run");
  await sql`delete from trades where exchange = 'binance' and market in ${sql(MARKETS)}`.catch((e) =>
    report.errors.push(`cleanup trades: ${e}`),
  );
  await sql`delete from status_events where exchange = 'binance' and market in ${sql(MARKETS)}`.catch(
    () => {},
  );
  await sql`delete from tickers where exchange = 'binance' and market in ${sql(MARKETS)}`.catch(() => {});
  const nats = await connectNats(NATS_URL, "bench-cleanup", log);
  try {
    for (const m of MARKETS) {
      await nats.jsm.streams.purge("MD_TRADES", { filter: `md.trade.binance.${m}` }).catch(() => {});
      await nats.jsm.streams.purge("MD_QUOTES", { filter: `md.ticker.binance.${m}` }).catch(() => {});
      await nats.jsm.streams.purge("MD_STATUS", { filter: `md.status.binance.${m}` }).catch(() => {});
    }
  } finally {
    await nats.close();
  }
}

/**
 * The pipeline's cost as ratios to the bare baselines: its highest sustained rate, and its
 * throughput (the most trades per second that reached both TimescaleDB and the client in any step,
 * counting the time to drain) — the latter still says something when few steps were sustained.
 */
function ratios(): void {
  const { nats, db, parse } = report.baselines;
  const steps = [
    ...report.pipeline.steps,
    ...(report.pipeline.latencyStep ? [report.pipeline.latencyStep] : []),
  ];
  const sustained = report.pipeline.sustainedMax?.generatedPerSecond;
  const throughput = Math.max(0, ...steps.map((s) => Math.min(s.throughput.db ?? 0, s.throughput.ws ?? 0)));
  report.pipeline.throughputMax = throughput;
  const bases: Array<[string, number | undefined]> = [
    ["bare JetStream publish", nats?.jetstream.perSecond],
    ["bare JetStream publish (noAsyncTraces)", nats?.jetstreamNoAsyncTraces.perSecond],
    ["NATS core publish", nats?.core.perSecond],
    ["bare COPY", db?.copy.perSecond],
    ["unnest insert (the writer's statement)", db?.unnest.perSecond],
    ["parseFrame", parse?.parse.perSecond],
  ];
  for (const [name, base] of bases) {
    if (!base) continue;
    if (sustained) report.ratios[`sustained pipeline / ${name}`] = round(sustained / base, 3);
    if (throughput) report.ratios[`pipeline throughput / ${name}`] = round(throughput / base, 3);
  }
}

async function machineInfo(sql: postgres.Sql): Promise<void> {
  const [v] = await sql<{ pg: string; ts: string }[]>`
    select current_setting('server_version') as pg,
           (select extversion from pg_extension where extname = 'timescaledb') as ts`;
  report.machine.postgres = v?.pg ?? "?";
  report.machine.timescaledb = v?.ts ?? "?";
  const nats = await connectNats(NATS_URL, "bench-info", log);
  report.machine.nats = nats.nc.info?.version ?? "?";
  await nats.close();
}

async function main(): Promise<void> {
  const hardStop = setTimeout(async () => {
    console.error(`benchmark exceeded ${HARD_LIMIT_MS / 1000} s; aborting`);
    await Promise.all([...(activeStack?.services.values() ?? [])].map((s) => s.kill9()));
    process.exit(2);
  }, HARD_LIMIT_MS);
  const sql = postgres(DATABASE_URL, { max: 2, onnotice: () => {} });
  try {
    await machineInfo(sql);
    if (!args["no-baselines"]) await baselines();
    await pipeline(sql);
  } catch (err) {
    report.errors.push(String(err instanceof Error ? err.stack : err));
  } finally {
    await cleanup(sql).catch((e) => report.errors.push(`cleanup: ${e}`));
    await sql.end({ timeout: 5 });
  }
  ratios();
  report.seconds = (Date.now() - startedAt) / 1000;
  const dir = resolve(import.meta.dir, "results");
  mkdirSync(dir, { recursive: true });
  const file = resolve(
    dir,
    `pipeline-${report.date.replaceAll(":", "-").slice(0, 19)}${QUICK || args.rates || args["no-baselines"] ? "-partial" : ""}.json`,
  );
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  console.log(renderMarkdown(report));
  console.log(`\nresults: ${file}`);
  clearTimeout(hardStop);
  process.exit(report.errors.length > 0 ? 1 : 0);
}

await main();
