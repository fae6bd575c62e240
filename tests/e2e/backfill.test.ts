/**
 * End to end: two exchange simulators with 30 days of REST history, two schedulers and the
 * gateway as real processes. A 30-day 1m backfill for two markets on two exchanges — one
 * submitted with `tickerplant backfill`, three over the jobs API while one scheduler is killed
 * with SIGKILL — ends with TimescaleDB holding exactly the simulators' candles, each stored page
 * fetched once (rows written = candles), and neither simulator ever saw its weight limit exceeded.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import {
  REPO_ROOT,
  recentLogs,
  type ServiceProcess,
  type StartedSimulator,
  startService,
  startSimulator,
  waitFor,
} from "@tickerplant/testkit";
import postgres from "postgres";
import { isolatedConsumers, removeConsumers } from "./isolation.ts";

const NATS_URL = process.env.NATS_URL ?? "nats://127.0.0.1:4222";
const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const DATABASE_URL =
  process.env.TEST_DATABASE_URL ?? "postgres://tickerplant@127.0.0.1:5433/tickerplant_test";
const RUN = Date.now().toString(36).toUpperCase();
const MARKETS = [`BFA${RUN}-USDT`, `BFB${RUN}-USDT`];
const EXCHANGES = ["binance", "bingx"] as const;
const DAY = 86_400_000;
const KEY = `e2e-backfill-${RUN}`;
const BASE_PORT = 19300 + (Number.parseInt(RUN.slice(-3), 36) % 500);
const GATEWAY_PORT = BASE_PORT;

const sims = new Map<string, StartedSimulator>();
const schedulers: ServiceProcess[] = [];
let gateway: ServiceProcess;
const sql = postgres(DATABASE_URL, { max: 2, onnotice: () => {} });
const FROM = Math.floor((Date.now() - 30 * DAY) / 60_000) * 60_000;
const TO = FROM + 30 * DAY - 60_000;

function env(): Record<string, string> {
  const binance = sims.get("binance")!;
  const bingx = sims.get("bingx")!;
  return {
    NATS_URL,
    REDIS_URL,
    DATABASE_URL,
    LOG_LEVEL: "warn",
    ...isolatedConsumers(RUN),
    EXCHANGES: EXCHANGES.join(","),
    MARKETS: MARKETS.join(","),
    SOURCE: "simulated",
    EXCHANGE_URL_OVERRIDES: `binance.rest=${binance.restUrl},binance.ws=${binance.wsUrl},bingx.rest=${bingx.restUrl},bingx.ws=${bingx.wsUrl}`,
    ADMIN_API_KEYS: KEY,
    JOB_ACK_WAIT_MS: "3000",
    HEAL_GAPS: "false",
  };
}

const POLL = { timeoutMs: 120_000, stepMs: 200, context: () => recentLogs([...schedulers, gateway]) };

interface Job {
  id: string;
  state: string;
  pagesDone: number;
  pagesTotal: number;
  rowsWritten: number;
  progress: number;
}

async function job(id: string): Promise<Job> {
  return (await (await fetch(`http://127.0.0.1:${GATEWAY_PORT}/api/v1/jobs/${id}`)).json()) as Job;
}

beforeAll(async () => {
  for (const exchange of EXCHANGES) {
    sims.set(
      exchange,
      await startSimulator({
        exchange,
        markets: MARKETS,
        tradesPerSecond: 0,
        autoStart: false,
        seed: 11,
        historyMs: 30 * DAY + 3_600_000,
        historyTradesPerMinute: 2,
      }),
    );
  }
  gateway = startService("gateway", env(), GATEWAY_PORT);
  await gateway.waitReady(60_000);
  for (let i = 0; i < 2; i++) schedulers.push(startService("scheduler", env(), BASE_PORT + 1 + i));
  await Promise.all(schedulers.map((s) => s.waitReady(60_000)));
}, 180_000);

afterAll(async () => {
  await Promise.all([...schedulers, gateway].map((s) => s?.stop()));
  for (const table of ["candles", "jobs", "markets"])
    await sql`delete from ${sql(table)} where market = any(${MARKETS})`;
  await sql.end({ timeout: 5 });
  await removeConsumers(NATS_URL, RUN);
  for (const s of sims.values()) await s.stop();
});

test("30 days of 1m candles for two markets on two exchanges equal the simulators' candles, across a SIGKILL", async () => {
  // 1. The CLI submits and follows one of them to the end.
  const cli = Bun.spawn(
    [
      "bun",
      `${REPO_ROOT}/packages/cli/src/main.ts`,
      "backfill",
      "--exchange",
      "binance",
      "--market",
      MARKETS[0]!,
      "--interval",
      "1m",
      "--from",
      new Date(FROM).toISOString(),
      "--to",
      String(TO),
      "--gateway",
      `http://127.0.0.1:${GATEWAY_PORT}`,
      "--api-key",
      KEY,
    ],
    { stdout: "pipe", stderr: "pipe" },
  );
  const code = await cli.exited;
  const out = await new Response(cli.stdout).text();
  const err = await new Response(cli.stderr).text();
  expect(code, err).toBe(0);
  const cliJob = JSON.parse(out.trim().split("\n")[0]!) as { id: string; state: string };
  expect(cliJob.state).toBe("queued");
  expect(err).toContain("100.0%");
  expect(err).toMatch(/rows \d+/);

  // 2. The other three over the API; one scheduler is killed while they run.
  const ids: Array<[string, string, string]> = [["binance", MARKETS[0]!, cliJob.id]];
  for (const [exchange, market] of [
    ["binance", MARKETS[1]!],
    ["bingx", MARKETS[0]!],
    ["bingx", MARKETS[1]!],
  ] as const) {
    const res = await fetch(`http://127.0.0.1:${GATEWAY_PORT}/api/v1/jobs`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-api-key": KEY },
      body: JSON.stringify({
        kind: "candles-backfill",
        exchange,
        market,
        interval: "1m",
        from: FROM,
        to: TO,
      }),
    });
    expect(res.status).toBe(202);
    ids.push([exchange, market, ((await res.json()) as Job).id]);
  }
  await waitFor(
    "a job part-way",
    async () => {
      for (const [, , id] of ids.slice(1)) {
        const j = await job(id);
        if (j.state === "running" && j.pagesDone >= 1 && j.pagesDone < j.pagesTotal) return true;
      }
      return undefined;
    },
    POLL,
  );
  await schedulers[0]!.kill9();
  for (const [, , id] of ids)
    await waitFor(`job ${id} done`, async () => ((await job(id)).state === "done" ? true : undefined), {
      ...POLL,
      timeoutMs: 180_000,
    });

  // 3. Exactly the simulators' candles, each stored once.
  for (const [exchange, market, id] of ids) {
    const truth = sims.get(exchange)!.sim.groundTruth.candles(market, "1m", { from: FROM, to: TO });
    expect(truth.length).toBe(30 * 1440);
    const rows = await sql<{ t: number; o: number; h: number; l: number; c: number; v: number }[]>`
        select (extract(epoch from open_time) * 1000)::float8 as t, open as o, high as h, low as l, close as c, volume as v
        from candles where exchange = ${exchange} and market = ${market} and interval = '1m'
          and open_time >= ${new Date(FROM).toISOString()}::timestamptz and open_time <= ${new Date(TO).toISOString()}::timestamptz
        order by open_time`;
    expect(rows.length).toBe(truth.length);
    const f8 = (v: number) => Number(v.toFixed(8));
    for (let i = 0; i < truth.length; i++) {
      const t = truth[i]!;
      const r = rows[i]!;
      if (
        r.t !== t.openTime ||
        f8(r.o) !== f8(t.open) ||
        f8(r.h) !== f8(t.high) ||
        f8(r.l) !== f8(t.low) ||
        f8(r.c) !== f8(t.close) ||
        f8(r.v) !== f8(t.volume)
      ) {
        throw new Error(
          `${exchange} ${market} candle ${i} differs: ${JSON.stringify(r)} vs ${JSON.stringify(t)}`,
        );
      }
    }
    const j = await job(id);
    expect(j.progress).toBe(100);
    // A stored page fetched again would be written again: rows written = candles means none was.
    expect(j.rowsWritten).toBe(truth.length);
  }
  for (const s of sims.values()) {
    const st = s.sim.stats() as { restRejected429: number; restPeakWeight: number; restWeightLimit: number };
    expect(st.restRejected429).toBe(0);
    expect(st.restPeakWeight).toBeLessThanOrEqual(st.restWeightLimit);
  }
}, 420_000);
