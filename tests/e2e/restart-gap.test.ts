/**
 * End to end: the ingestor killed with SIGKILL and restarted 10 s later on the simulator. The
 * restarted ingestor compares each market's last published trade (the stream's last message on its
 * subject) with its first new one and publishes a `gap` status event; every trade the platform
 * never stored lies inside a reported gap (by time and by trade id).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import {
  type ServiceName,
  type ServiceProcess,
  type StartedSimulator,
  startService,
  startSimulator,
} from "@tickerplant/testkit";
import postgres from "postgres";
import { isolatedConsumers, removeConsumers } from "./isolation.ts";

const NATS_URL = process.env.NATS_URL ?? "nats://127.0.0.1:4222";
const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const DATABASE_URL =
  process.env.TEST_DATABASE_URL ?? "postgres://tickerplant@127.0.0.1:5433/tickerplant_test";

const RUN = Date.now().toString(36).toUpperCase();
const MARKETS = [`GAPA${RUN}-USDT`, `GAPB${RUN}-USDT`];
const PORTS = { ingestor: 19201, "storage-writer": 19202 } as const;

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
    BATCH_SIZE: "500",
    FLUSH_INTERVAL_MS: "50",
  };
}

async function until<T>(
  what: string,
  fn: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await fn();
      if (v !== undefined && v !== false) return v as T;
    } catch (err) {
      last = err;
    }
    await Bun.sleep(200);
  }
  const logs = [...services.values()].map((s) => `--- ${s.name}\n${s.logs(15)}`).join("\n");
  throw new Error(`timed out waiting for ${what}${last ? ` (last error: ${last})` : ""}\n${logs}`);
}

async function storedIds(market: string): Promise<Set<number>> {
  const rows = await sql<{ trade_id: string }[]>`
    select trade_id from trades where exchange = 'binance' and market = ${market}`;
  return new Set(rows.map((r) => Number(r.trade_id)));
}

interface GapRow {
  detail: string;
  from: number;
  to: number;
  from_seq: number | null;
  to_seq: number | null;
}

async function gaps(market: string): Promise<GapRow[]> {
  return sql<GapRow[]>`
    select detail, (extract(epoch from from_time) * 1000)::float8 as from,
           (extract(epoch from to_time) * 1000)::float8 as to, from_seq::float8 as from_seq, to_seq::float8 as to_seq
    from status_events
    where exchange = 'binance' and market = ${market} and event = 'gap'
    order by time`;
}

function receiving(port: number): Promise<boolean> {
  return fetch(`http://127.0.0.1:${port}/health/live`)
    .then((r) => r.json() as Promise<{ receiving?: boolean }>)
    .then((h) => h.receiving === true)
    .catch(() => false);
}

beforeAll(async () => {
  sim = await startSimulator({ markets: MARKETS, tradesPerSecond: 40, seed: 11, autoStart: false });
  const writer = startService("storage-writer", env(), PORTS["storage-writer"]);
  services.set("storage-writer", writer);
  await writer.waitReady();
  const ingestor = startService("ingestor", env(), PORTS.ingestor);
  services.set("ingestor", ingestor);
  await ingestor.waitReady();
  sim.sim.resume();
  await until("ingestor receiving", () => receiving(PORTS.ingestor));
}, 120_000);

afterAll(async () => {
  await Promise.all([...services.values()].map((s) => s.stop()));
  await removeConsumers(NATS_URL, RUN).catch(() => {});
  await sim?.stop();
  await sql.end();
});

describe("a restarted ingestor reports the gap it left", () => {
  test("kill -9, restart 10 s later: a gap event covers every trade that never arrived", async () => {
    for (const market of MARKETS) {
      await until(`${market} trades stored`, async () => (await storedIds(market)).size > 20);
    }
    await services.get("ingestor")!.kill9();
    const killedAt = Date.now();
    await Bun.sleep(10_000);
    const restarted = startService("ingestor", env(), PORTS.ingestor);
    services.set("ingestor", restarted);
    await restarted.waitReady();
    await until("restarted ingestor receiving", () => receiving(PORTS.ingestor));
    // Some trades after the restart, then stop generating so the truth is final.
    for (const market of MARKETS) {
      const before = sim.sim.truth.trades(market).length;
      await until(`${market} trading again`, () => sim.sim.truth.trades(market).length > before + 20);
    }
    sim.sim.pause();
    await Bun.sleep(500);

    for (const market of MARKETS) {
      const truth = sim.sim.truth.trades(market);
      // Everything after the restart is stored: the missing trades are the outage's.
      const lastId = truth.at(-1)!.id;
      await until(`${market} latest trade stored`, async () => (await storedIds(market)).has(lastId));
      const stored = await storedIds(market);
      const missing = truth.filter((t) => !stored.has(t.id));
      expect(missing.length).toBeGreaterThan(100); // ~10 s at 40/s were never seen

      const found = await until(`${market} gap event`, async () => {
        const g = (await gaps(market)).filter((r) => r.detail.includes("restarted"));
        return g.length > 0 ? g : undefined;
      });
      expect(found).toHaveLength(1);
      const gap = found[0]!;
      expect(gap.from).toBeLessThan(killedAt);
      expect(gap.to).toBeGreaterThan(killedAt + 10_000);
      for (const t of missing) {
        expect(t.ts).toBeGreaterThanOrEqual(gap.from);
        expect(t.ts).toBeLessThanOrEqual(gap.to);
        expect(t.id).toBeGreaterThanOrEqual(gap.from_seq!);
        expect(t.id).toBeLessThanOrEqual(gap.to_seq!);
      }
      // The gap names exactly the missing ids: nothing else was lost.
      expect(gap.to_seq! - gap.from_seq! + 1).toBe(missing.length);
    }
  }, 180_000);
});
