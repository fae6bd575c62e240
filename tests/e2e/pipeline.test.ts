/**
 * End to end: the exchange simulator and all five services as real processes on real NATS,
 * Redis and TimescaleDB. Proves with the simulator's ground truth that every trade reaches
 * TimescaleDB exactly once and a WebSocket client in order — also across a SIGKILL of the
 * storage-writer.
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
import Redis from "ioredis";
import postgres from "postgres";
import { isolatedConsumers, removeConsumers } from "./isolation.ts";

// A NATS of its own: the run's other schedulers (and their JOBS work queue, heal jobs and
// market-list dedup window) must not take or swallow this platform's jobs.
const OWN_NATS = await startNatsServer();
const NATS_URL = OWN_NATS.url;
const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const DATABASE_URL =
  process.env.TEST_DATABASE_URL ?? "postgres://tickerplant@127.0.0.1:5433/tickerplant_test";

// Unique markets per run: rows, Redis keys and Nats-Msg-Ids never collide with earlier runs.
const RUN = Date.now().toString(36).toUpperCase();
const MARKETS = [`E2EA${RUN}-USDT`, `E2EB${RUN}-USDT`];
const PORTS: Record<ServiceName, number> = {
  ingestor: 19101,
  "storage-writer": 19102,
  scheduler: 19103,
  analyzer: 19104,
  gateway: 19080,
};

let sim: StartedSimulator;
const services = new Map<ServiceName, ServiceProcess>();
const sql = postgres(DATABASE_URL, { max: 2, onnotice: () => {} });
const redis = new Redis(REDIS_URL);
let ws: WebSocket;
const received: Array<{ channel: string; seq: number; data: Record<string, unknown> }> = [];
const control: Array<Record<string, unknown>> = [];

function env(): Record<string, string> {
  return {
    NATS_URL,
    REDIS_URL,
    DATABASE_URL,
    LOG_LEVEL: "warn",
    ...isolatedConsumers(RUN),
    EXCHANGES: "binance",
    MARKETS: MARKETS.join(","),
    CHANNELS: "trade,bbo,ticker,candle",
    CANDLE_INTERVALS: "1m",
    SOURCE: "simulated",
    EXCHANGE_URL_OVERRIDES: `binance.ws=${sim.wsUrl},binance.rest=${sim.restUrl}`,
    BATCH_SIZE: "500",
    FLUSH_INTERVAL_MS: "50",
    STATS_INTERVAL_MS: "200",
  };
}

const POLL = { timeoutMs: 30_000, stepMs: 100, context: () => recentLogs(services.values()) };

async function storedTradeIds(market: string): Promise<number[]> {
  const rows = await sql<{ trade_id: string }[]>`
    select trade_id from trades where exchange = 'binance' and market = ${market}`;
  return rows.map((r) => Number(r.trade_id)).sort((a, b) => a - b);
}

function truthIds(market: string): number[] {
  return sim.sim.truth.trades(market).map((t) => t.id);
}

async function runTradesFor(ms: number): Promise<void> {
  sim.sim.resume();
  await Bun.sleep(ms);
  sim.sim.pause();
}

beforeAll(async () => {
  sim = await startSimulator({ markets: MARKETS, tradesPerSecond: 300, seed: 7, autoStart: false });
  for (const name of ["storage-writer", "analyzer", "scheduler", "ingestor", "gateway"] as ServiceName[]) {
    const svc = startService(name, env(), PORTS[name]);
    services.set(name, svc);
    if (name === "storage-writer") await svc.waitReady(); // applies the migrations first
  }
  await Promise.all([...services.values()].map((s) => s.waitReady()));

  ws = new WebSocket(`ws://127.0.0.1:${PORTS.gateway}/ws`);
  ws.onmessage = (ev) => {
    const msg = JSON.parse(String(ev.data));
    if (msg.channel) received.push(msg);
    else control.push(msg);
  };
  await new Promise((resolve, reject) => {
    ws.onopen = resolve;
    ws.onerror = reject;
  });
  ws.send(
    JSON.stringify({ op: "subscribe", channels: ["trade:binance:*", `ticker:binance:${MARKETS[0]}`], id: 1 }),
  );
  await waitFor("subscribed ack", () => control.find((m) => m.type === "subscribed" && m.id === 1), POLL);
  // A ticker through the whole path proves the ingestor is connected and subscribed.
  await waitFor(
    "first live ticker",
    () => received.find((m) => m.channel.startsWith("ticker:") && !("snapshot" in m)),
    POLL,
  );
}, 90_000);

afterAll(async () => {
  ws?.close();
  await Promise.all([...services.values()].map((s) => s.stop()));
  await removeConsumers(NATS_URL, RUN).catch(() => {});
  await sim?.stop();
  OWN_NATS.stop();
  await sql.end();
  redis.disconnect();
});

describe("end to end on the simulator", () => {
  test("every trade lands in TimescaleDB exactly once and reaches the WebSocket client in order", async () => {
    await runTradesFor(3000);
    for (const market of MARKETS) {
      const truth = truthIds(market);
      expect(truth.length).toBeGreaterThan(200);
      await waitFor(
        `${market} trades stored`,
        async () => (await storedTradeIds(market)).length === truth.length,
        POLL,
      );
      expect(await storedTradeIds(market)).toEqual(truth);

      await waitFor(
        `${market} trades at the client`,
        () => received.filter((m) => m.channel === `trade:binance:${market}`).length >= truth.length,
        POLL,
      );
      const ids = received
        .filter((m) => m.channel === `trade:binance:${market}`)
        .map((m) => Number(m.data.id));
      expect(ids).toEqual(truth); // in order, none missing, none twice
      const first = received.find((m) => m.channel === `trade:binance:${market}`)!;
      expect(first.data).toMatchObject({ type: "trade", exchange: "binance", market, simulated: true });
    }
    // The prices stored are the prices the exchange sent.
    const [m0] = MARKETS as [string];
    const t = sim.sim.truth.trades(m0)[10]!;
    const [row] = await sql<{ price: number; amount: number; side: string }[]>`
      select price, amount, side from trades where exchange = 'binance' and market = ${m0} and trade_id = ${String(t.id)}`;
    expect(row).toEqual({ price: t.price, amount: t.amount, side: t.side });
  }, 60_000);

  test("Redis holds the latest ticker, and the gateway serves it", async () => {
    const [m0] = MARKETS as [string];
    const latest = await waitFor(
      "latest ticker in Redis",
      async () => {
        const json = await redis.hget(`ticker:binance:${m0}`, "json");
        if (!json) return undefined;
        const t = JSON.parse(json);
        return t.last === sim.sim.truth.ticker(m0).last ? t : undefined;
      },
      POLL,
    );
    expect(latest).toMatchObject({ type: "ticker", exchange: "binance", market: m0, simulated: true });

    const res = await fetch(`http://127.0.0.1:${PORTS.gateway}/api/v1/tickers?exchange=binance&market=${m0}`);
    expect(res.status).toBe(200);
    expect(JSON.stringify(await res.json())).toContain(`"last":${latest.last}`);

    const ex = await (await fetch(`http://127.0.0.1:${PORTS.gateway}/api/v1/exchanges`)).json();
    expect(JSON.stringify(ex)).toContain('"source":"simulated"');

    const trades = await fetch(
      `http://127.0.0.1:${PORTS.gateway}/api/v1/trades?exchange=binance&market=${m0}&limit=5`,
    );
    expect(trades.status).toBe(200);
    expect(((await trades.json()) as { data: unknown[] }).data).toHaveLength(5);
  }, 60_000);

  test("the analyzer's 24 h statistics match the ground truth and the scheduler loaded the market list", async () => {
    const [m0] = MARKETS as [string];
    const truth = sim.sim.truth.trades(m0);
    const stats = await waitFor(
      "stats in Redis",
      async () => {
        const json = await redis.hget(`stats:binance:${m0}`, "json");
        const s = json ? JSON.parse(json) : undefined;
        return s && s.trades === truth.length ? s : undefined;
      },
      POLL,
    );
    const volume = truth.reduce((v, t) => v + t.amount, 0);
    expect(stats.last).toBe(truth.at(-1)!.price);
    expect(stats.high).toBe(Math.max(...truth.map((t) => t.price)));
    expect(stats.volume).toBeCloseTo(volume, 6);

    const rows = await waitFor(
      "markets loaded",
      async () => {
        const r =
          await sql`select market, simulated from markets where exchange = 'binance' and market = ${m0}`;
        return r.length === 1 ? r : undefined;
      },
      POLL,
    );
    expect(rows[0]).toMatchObject({ market: m0, simulated: true });
  }, 60_000);

  test("exactly once holds when the storage-writer is killed with SIGKILL mid-stream", async () => {
    const writer = services.get("storage-writer")!;
    sim.sim.resume();
    await Bun.sleep(1000);
    await writer.kill9();
    await Bun.sleep(1000);
    const restarted = startService("storage-writer", env(), PORTS["storage-writer"]);
    services.set("storage-writer", restarted);
    await restarted.waitReady();
    await Bun.sleep(1000);
    sim.sim.pause();
    for (const market of MARKETS) {
      const truth = truthIds(market);
      await waitFor(
        `${market} trades stored after the crash`,
        async () => (await storedTradeIds(market)).length === truth.length,
        POLL,
      );
      expect(await storedTradeIds(market)).toEqual(truth);
      const [{ n, d }] = (await sql`
        select count(*)::int as n, count(distinct trade_id)::int as d
        from trades where exchange = 'binance' and market = ${market}`) as unknown as [
        { n: number; d: number },
      ];
      expect(n).toBe(d);
    }
  }, 90_000);
});
