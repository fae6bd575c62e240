/**
 * What the platform serves equals what each exchange said. Every simulator gets the same market
 * list — a spot market and the perpetual of the same pair, as `infra/up.sh` hands out — and keeps
 * only the markets its exchange lists; one ingestor takes books, BBO and tickers from all of them.
 * With every simulator paused, each served top of book (`/api/v1/orderbook`) and ticker
 * (`/api/v1/tickers`) must equal that simulator's own truth for that market: a spot-only venue that
 * served a perpetual's prices under the spot symbol fails here.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { getExchange } from "@tickerplant/core";
import {
  ExchangeSimulator,
  getProfile,
  PROFILES,
  recentLogs,
  refusedMarkets,
  type ServiceProcess,
  type StartedSimulator,
  startService,
  startSimulator,
  waitFor,
} from "@tickerplant/testkit";
import { isolatedConsumers, removeConsumers } from "./isolation.ts";

const NATS_URL = process.env.NATS_URL ?? "nats://127.0.0.1:4222";
const RUN = Date.now().toString(36).toUpperCase();
const SPOT = `T${RUN}-USDT`;
const PERP = `T${RUN}-USDT-PERP`;
const GATEWAY_PORT = 19380;
const services: ServiceProcess[] = [];
const sims = new Map<string, StartedSimulator>();
/** Exchange → the markets its adapters ingest (a perp only where the exchange has perpetuals). */
const served = new Map<string, string[]>();

const base = {
  NATS_URL,
  REDIS_URL: process.env.REDIS_URL ?? "redis://127.0.0.1:6379/15",
  DATABASE_URL: process.env.TEST_DATABASE_URL ?? "",
  LOG_LEVEL: "warn",
  ...isolatedConsumers(RUN),
  FLUSH_INTERVAL_MS: "50",
};

async function get(path: string): Promise<{ status: number; body: any }> {
  const res = await fetch(`http://127.0.0.1:${GATEWAY_PORT}${path}`);
  return { status: res.status, body: await res.json() };
}

const logs = () => recentLogs(services);

beforeAll(async () => {
  const overrides: string[] = [];
  for (const id of Object.keys(PROFILES)) {
    const requested = [SPOT, PERP];
    const refused = refusedMarkets(getProfile(id), requested);
    const markets = requested.filter((m) => !refused.includes(m));
    const sim = await startSimulator({ exchange: id, markets, tradesPerSecond: 20, seed: 11 });
    sims.set(id, sim);
    overrides.push(`${id}.ws=${sim.wsUrl}`, `${id}.rest=${sim.restUrl}`);
    const kinds = new Set(getExchange(id)?.adapters.map((a) => a.marketType));
    served.set(
      id,
      markets.filter((m) => kinds.has(m.endsWith("-PERP") ? "perp" : "spot")),
    );
  }
  const writer = startService("storage-writer", base, 19381);
  const gateway = startService("gateway", base, GATEWAY_PORT);
  const ingestor = startService(
    "ingestor",
    {
      ...base,
      EXCHANGES: Object.keys(PROFILES).join(","),
      // Every exchange is handed both markets: each adapter takes the kinds its exchange lists.
      MARKETS: `${SPOT},${PERP}`,
      CHANNELS: "bbo,ticker,book,trade",
      SOURCE: "simulated",
      EXCHANGE_URL_OVERRIDES: overrides.join(","),
      STALE_AFTER_MS: "60000",
    },
    19382,
  );
  services.push(writer, gateway, ingestor);
  await Promise.all(services.map((s) => s.waitReady(60_000)));
}, 90_000);

afterAll(async () => {
  await Promise.all(services.map((s) => s.stop()));
  await Promise.all([...sims.values()].map((s) => s.stop()));
  await removeConsumers(NATS_URL, RUN).catch(() => {});
});

describe("served state equals each simulator's truth", () => {
  test("spot-only simulators refuse the perpetual; the others keep both", () => {
    expect(sims.get("kraken")!.sim.markets).toEqual([SPOT]);
    expect(sims.get("coinbase")!.sim.markets).toEqual([SPOT]);
    expect(sims.get("binance")!.sim.markets).toEqual([SPOT, PERP]);
    expect(() => new ExchangeSimulator({ exchange: "kraken", markets: [PERP] })).toThrow(
      /kraken lists no perp market/,
    );
  });

  test("with every simulator paused, each top of book and ticker equals its simulator's", async () => {
    const pairs = [...served].flatMap(([ex, markets]) => markets.map((m) => [ex, m] as const));
    const hasBook = (ex: string, m: string) =>
      getExchange(ex)!.adapters.some(
        (a) =>
          a.marketType === (m.endsWith("-PERP") ? "perp" : "spot") &&
          a.bookSync &&
          a.channels.includes("book"),
      );
    const hasTicker = (ex: string, m: string) =>
      getExchange(ex)!.adapters.some(
        (a) => a.marketType === (m.endsWith("-PERP") ? "perp" : "spot") && a.channels.includes("ticker"),
      );
    await waitFor(
      "a served book and ticker for every exchange and market",
      async () => {
        for (const [ex, m] of pairs) {
          if (hasBook(ex, m) && (await get(`/api/v1/orderbook/${ex}/${m}?depth=1`)).status !== 200)
            return false;
          if (hasTicker(ex, m) && (await get(`/api/v1/tickers?exchange=${ex}&market=${m}`)).status !== 200)
            return false;
        }
        return true;
      },
      { timeoutMs: 60_000, stepMs: 200, context: logs },
    );
    for (const sim of sims.values()) sim.sim.pause();

    const mismatches = async (): Promise<string[]> => {
      const out: string[] = [];
      for (const [ex, m] of pairs) {
        const truth = sims.get(ex)!.sim.groundTruth;
        if (hasBook(ex, m)) {
          const book = (await get(`/api/v1/orderbook/${ex}/${m}?depth=1`)).body;
          const bbo = truth.bbo(m);
          const top = [book.bids?.[0]?.[0], book.asks?.[0]?.[0]];
          if (top[0] !== bbo.bidPrice || top[1] !== bbo.askPrice)
            out.push(`${ex} ${m} book top ${top} ≠ truth ${bbo.bidPrice},${bbo.askPrice}`);
        }
        if (hasTicker(ex, m)) {
          const body = (await get(`/api/v1/tickers?exchange=${ex}&market=${m}`)).body;
          const last = body.data?.[0]?.last;
          const t = truth.ticker(m);
          if (last !== t.last) out.push(`${ex} ${m} ticker last ${last} ≠ truth ${t.last}`);
        }
      }
      return out;
    };
    let last: string[] = [];
    await waitFor(
      "every served value to equal its truth",
      async () => {
        last = await mismatches();
        return last.length === 0;
      },
      { timeoutMs: 20_000, stepMs: 200, context: () => `${last.join("\n")}\n${logs()}` },
    );
    expect(last).toEqual([]);
  }, 120_000);
});
