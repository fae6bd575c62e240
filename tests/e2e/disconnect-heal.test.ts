/**
 * End to end, at 2,000 trades/s: the simulator cuts the ingestor's connections and sends nothing
 * for OUTAGE_MS (a silent stall: no data, pings or replies), while its REST keeps only each
 * market's last KEPT trades, as exchanges that keep the last N do. The gaps the ingestor reports
 * become heal jobs: every trade of the outage the REST still serves ends in TimescaleDB (once), and
 * the ones it no longer serves — the oldest — are reported with an `unhealable` status event.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import {
  recentLogs,
  type ServiceName,
  type ServiceProcess,
  type StartedSimulator,
  startNatsServer,
  startService,
  startSimulator,
  waitFor,
} from "@tickerplant/testkit";
import postgres from "postgres";
import { receiving, statusEvents, storedIds, watchTrades } from "./heal-harness.ts";
import { isolatedConsumers } from "./isolation.ts";

// A NATS of its own: the scheduler's gap watcher and job queue see this run's gaps only.
const OWN_NATS = await startNatsServer();
const NATS_URL = OWN_NATS.url;
const TRADES_PER_SECOND = 2000;
const OUTAGE_MS = 6000;
// Per market: ~1,000 trades/s, so the outage loses ~6,000 and REST keeps about two thirds of them.
const KEPT = 5000;
const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const DATABASE_URL =
  process.env.TEST_DATABASE_URL ?? "postgres://tickerplant@127.0.0.1:5433/tickerplant_test";

const RUN = Date.now().toString(36).toUpperCase();
const MARKETS = [`DCA${RUN}-USDT`, `DCB${RUN}-USDT`];
const PORTS = { ingestor: 19760, "storage-writer": 19761, scheduler: 19762 } as const;

let sim: StartedSimulator;
const services = new Map<ServiceName, ServiceProcess>();
const sql = postgres(DATABASE_URL, { max: 2, onnotice: () => {} });

function env(): Record<string, string> {
  return {
    NATS_URL,
    REDIS_URL,
    DATABASE_URL,
    LOG_LEVEL: "warn",
    ...isolatedConsumers(RUN),
    EXCHANGES: "binance",
    MARKETS: MARKETS.join(","),
    CHANNELS: "trade",
    SOURCE: "simulated",
    EXCHANGE_URL_OVERRIDES: `binance.ws=${sim.wsUrl},binance.rest=${sim.restUrl}`,
    BATCH_SIZE: "1000",
    FLUSH_INTERVAL_MS: "50",
  };
}

const { seenLive, close: closeWatcher } = await watchTrades(NATS_URL, MARKETS);
const POLL = { timeoutMs: 60_000, stepMs: 200, context: () => recentLogs(services.values()) };

beforeAll(async () => {
  sim = await startSimulator({
    markets: MARKETS,
    tradesPerSecond: TRADES_PER_SECOND,
    seed: 13,
    autoStart: false,
    restTradesKept: KEPT,
  });
  const writer = startService("storage-writer", env(), PORTS["storage-writer"]);
  services.set("storage-writer", writer);
  const scheduler = startService("scheduler", { ...env(), JOB_ACK_WAIT_MS: "5000" }, PORTS.scheduler);
  services.set("scheduler", scheduler);
  await Promise.all([writer.waitReady(), scheduler.waitReady()]);
  const ingestor = startService("ingestor", env(), PORTS.ingestor);
  services.set("ingestor", ingestor);
  await ingestor.waitReady();
  sim.sim.resume();
  await waitFor("ingestor receiving", () => receiving(PORTS.ingestor), POLL);
}, 120_000);

afterAll(async () => {
  await Promise.all([...services.values()].map((s) => s.stop()));
  await closeWatcher();
  await sim?.stop();
  for (const table of ["trades", "candles", "jobs", "status_events"])
    await sql`delete from ${sql(table)} where exchange = 'binance' and market = any(${MARKETS})`;
  await sql.end();
  OWN_NATS.stop();
});

describe("a disconnect is healed where the exchange's REST keeps the trades", () => {
  test(`${OUTAGE_MS / 1000} s without the exchange at 2k trades/s: kept trades healed, the rest unhealable`, async () => {
    for (const market of MARKETS) {
      await waitFor(`${market} trades stored`, async () => (await storedIds(sql, market)).size > 20, POLL);
    }
    sim.sim.dropConnections();
    sim.sim.stall(OUTAGE_MS, { silent: true });
    await Bun.sleep(OUTAGE_MS);
    // Trading goes on a little after the outage, then stops so the truth (and what REST keeps) is final.
    for (const market of MARKETS) {
      const resumedAt = sim.sim.truth.trades(market).at(-1)!.id;
      await waitFor(`${market} streaming again`, () => seenLive.get(market)!.has(resumedAt + 50), {
        ...POLL,
        timeoutMs: 60_000,
      });
    }
    sim.sim.pause();
    await Bun.sleep(500);

    for (const market of MARKETS) {
      const live = seenLive.get(market)!;
      const firstLive = Math.min(...live);
      const truth = sim.sim.truth.trades(market).filter((t) => t.id >= firstLive);
      const missed = truth.filter((t) => !live.has(t.id));
      expect(missed.length).toBeGreaterThan(OUTAGE_MS / 2); // most of the outage's ~1,000/s

      // Every gap reported for the market has a heal, and every heal has ended.
      const heals = await waitFor(
        `${market} heals ended`,
        async () => {
          const gaps = await statusEvents(sql, market, "gap");
          const jobs = await sql<{ state: string; outcome: string | null; detail: string | null }[]>`
            select state, outcome, detail from jobs where exchange = 'binance' and market = ${market}
              and kind = 'gap-heal'`;
          return gaps.length > 0 &&
            jobs.length >= gaps.length &&
            jobs.every((j) => j.state === "done" || j.state === "failed")
            ? jobs
            : undefined;
        },
        { ...POLL, timeoutMs: 120_000 },
      );
      expect(heals.map((j) => j.state)).not.toContain("failed");

      const stored = await storedIds(sql, market);
      const kept = new Set(sim.sim.groundTruth.servedTrades(market).map((t) => t.id));
      // 100 % of what REST keeps: every missed trade it serves is stored.
      expect(missed.filter((t) => kept.has(t.id) && !stored.has(t.id)).map((t) => t.id)).toEqual([]);
      // The rest could not be fetched: the REST had dropped them by the time a heal asked (each
      // gap's heal asks when the gap is reported), and an unhealable status covers each.
      const lost = missed.filter((t) => !stored.has(t.id));
      expect(lost.length).toBeGreaterThan(0);
      expect(missed.filter((t) => stored.has(t.id)).length).toBeGreaterThan(0);
      expect(heals.some((j) => j.outcome === "unhealable" && /only from id/.test(j.detail ?? ""))).toBe(true);
      const unhealable = await waitFor(
        `${market} unhealable status`,
        async () => {
          const u = await statusEvents(sql, market, "unhealable");
          return u.length > 0 ? u : undefined;
        },
        POLL,
      );
      // The status event's window covers the lost trades.
      for (const t of lost) {
        if (!unhealable.some((u) => t.ts >= u.from && t.ts <= u.to))
          throw new Error(`trade ${t.id} at ${t.ts} is lost and in no unhealable window`);
      }
      // Stored once.
      const [counts] = await sql<{ rows: number; distinct: number }[]>`
        select count(*)::int as rows, count(distinct trade_id)::int as distinct
        from trades where exchange = 'binance' and market = ${market}`;
      expect(counts!.rows).toBe(counts!.distinct);
    }
  }, 300_000);
});
