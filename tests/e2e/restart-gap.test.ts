/**
 * End to end, at 2,000 trades/s: the ingestor killed with SIGKILL and restarted 10 s later on the
 * simulator. The restarted ingestor compares each market's last published trade (the stream's last
 * message on its subject) with its first new one and publishes a `gap` status event naming exactly
 * the trades that never arrived live; the scheduler turns it into a heal job whose REST pages
 * (published as `backfilled`) bring every trade of the window into TimescaleDB, once, and a
 * `healed` status event says so.
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
const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const DATABASE_URL =
  process.env.TEST_DATABASE_URL ?? "postgres://tickerplant@127.0.0.1:5433/tickerplant_test";

const RUN = Date.now().toString(36).toUpperCase();
const MARKETS = [`GAPA${RUN}-USDT`, `GAPB${RUN}-USDT`];
const PORTS = { ingestor: 19201, "storage-writer": 19202, scheduler: 19203 } as const;

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

const { seenLive, seenBackfilled, close: closeWatcher } = await watchTrades(NATS_URL, MARKETS);
const POLL = { timeoutMs: 60_000, stepMs: 200, context: () => recentLogs(services.values()) };

beforeAll(async () => {
  sim = await startSimulator({
    markets: MARKETS,
    tradesPerSecond: TRADES_PER_SECOND,
    seed: 11,
    autoStart: false,
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
  await sql.end();
  OWN_NATS.stop();
});

describe("a restarted ingestor reports the gap it left, and the scheduler heals it", () => {
  test("kill -9, restart 10 s later: the gap names every trade that never arrived; all end in TimescaleDB", async () => {
    for (const market of MARKETS) {
      await waitFor(`${market} trades stored`, async () => (await storedIds(sql, market)).size > 20, POLL);
    }
    await services.get("ingestor")!.kill9();
    const killedAt = Date.now();
    await Bun.sleep(10_000);
    const restarted = startService("ingestor", env(), PORTS.ingestor);
    services.set("ingestor", restarted);
    await restarted.waitReady();
    await waitFor("restarted ingestor receiving", () => receiving(PORTS.ingestor), POLL);
    // Some trades after the restart, then stop generating so the truth is final.
    for (const market of MARKETS) {
      const before = sim.sim.truth.trades(market).length;
      await waitFor(`${market} trading again`, () => sim.sim.truth.trades(market).length > before + 20, POLL);
    }
    sim.sim.pause();
    await Bun.sleep(500);

    for (const market of MARKETS) {
      const lastId = sim.sim.truth.trades(market).at(-1)!.id;
      await waitFor(`${market} latest trade seen live`, () => seenLive.get(market)!.has(lastId), POLL);
      const live = seenLive.get(market)!;
      // The truth from the first trade the ingestor streamed: the simulator may trade before the
      // first subscription lands, and those trades were never due to anyone.
      const firstLive = Math.min(...live);
      const truth = sim.sim.truth.trades(market).filter((t) => t.id >= firstLive);
      // What never arrived live: the outage's trades (the killed ingestor's unconfirmed tail too).
      const missing = truth.filter((t) => !live.has(t.id));
      expect(missing.length).toBeGreaterThan(TRADES_PER_SECOND * 2); // ~10 s of this market's half

      const found = await waitFor(
        `${market} gap event`,
        async () => {
          const g = (await statusEvents(sql, market, "gap")).filter((r) => r.detail.includes("restarted"));
          return g.length > 0 ? g : undefined;
        },
        POLL,
      );
      expect(found).toHaveLength(1);
      const gap = found[0]!;
      expect(gap.from).toBeLessThan(killedAt);
      expect(gap.to).toBeGreaterThan(killedAt + 10_000);
      for (const t of missing) {
        if (t.ts < gap.from || t.ts > gap.to || t.id < gap.from_seq! || t.id > gap.to_seq!)
          throw new Error(`trade ${t.id} at ${t.ts} never arrived live and lies outside the gap`);
      }
      // The gap names exactly the missing ids: nothing else was lost.
      expect(gap.to_seq! - gap.from_seq! + 1).toBe(missing.length);

      // Healed: every trade of the truth stored once, the missing ones published as backfilled.
      await waitFor(
        `${market} healed in TimescaleDB`,
        async () => (await storedIds(sql, market)).size >= truth.length,
        { ...POLL, timeoutMs: 120_000 },
      );
      const stored = await storedIds(sql, market);
      expect(truth.filter((t) => !stored.has(t.id)).map((t) => t.id)).toEqual([]);
      const [counts] = await sql<{ rows: number; distinct: number }[]>`
        select count(*)::int as rows, count(distinct trade_id)::int as distinct
        from trades where exchange = 'binance' and market = ${market} and trade_id::bigint >= ${firstLive}`;
      expect(counts!.rows).toBe(counts!.distinct);
      expect(counts!.rows).toBe(truth.length);
      // The scheduler stores a page (with its checkpoint) before it publishes the page's new rows.
      const backfilled = seenBackfilled.get(market)!;
      const unseen = () => missing.filter((t) => !backfilled.has(t.id)).map((t) => t.id);
      await waitFor(`${market} heal published`, async () => unseen().length === 0, {
        ...POLL,
        timeoutMs: 30_000,
      }).catch(() => {});
      expect(unseen()).toEqual([]);
      const healed = await waitFor(
        `${market} healed status`,
        async () => {
          const h = await statusEvents(sql, market, "healed");
          return h.length > 0 ? h : undefined;
        },
        POLL,
      );
      expect(healed[0]!.detail).toMatch(/\d/);
    }
  }, 300_000);
});
