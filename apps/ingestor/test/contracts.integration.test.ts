import { afterAll, beforeAll, expect, test } from "bun:test";
import { AckPolicy, DeliverPolicy } from "@nats-io/jetstream";
import { type MarketInfo, redisKeys } from "@tickerplant/core";
import {
  connectNats,
  createLogger,
  createMetricsRegistry,
  createRedis,
  eventTexts,
  JetStreamPublisher,
  type Nats,
  provisionStreams,
} from "@tickerplant/runtime";
import { type StartedSimulator, startSimulator } from "@tickerplant/testkit";
import { loadIngestorConfig } from "../src/config.ts";
import { Ingestor } from "../src/ingestor.ts";

/**
 * OKX swap sizes are in contracts: the ingestor converts them with each market's contract value
 * from the stored instruments (redisKeys.instruments), and where none is stored, from OKX's
 * instruments endpoint (the simulator's swaps have ctVal 1). The raw contracts are kept.
 */
const NATS_URL = process.env.NATS_URL ?? "nats://127.0.0.1:4222";
const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const RUN = Date.now().toString(36).toUpperCase();
const STORED = `CTS${RUN}-USDT-PERP`; // instruments stored with ctVal 0.01
const FETCHED = `CTF${RUN}-USDT-PERP`; // none stored: fetched (ctVal 1)
const log = createLogger({ service: "ingestor-contracts-test", level: "error" });

let sim: StartedSimulator;
let nats: Nats;
let ingestor: Ingestor;
const redis = createRedis(REDIS_URL, "ingestor-contracts-test");
const registry = createMetricsRegistry("ingestor-contracts-test");

async function trades(market: string, n: number): Promise<Array<Record<string, unknown>>> {
  const info = await nats.jsm.consumers.add("MD_TRADES", {
    filter_subject: `md.trade.okx.${market}`,
    ack_policy: AckPolicy.None,
    deliver_policy: DeliverPolicy.All,
    inactive_threshold: 30_000_000_000,
  });
  const consumer = await nats.js.consumers.get("MD_TRADES", info.name);
  const out: Array<Record<string, unknown>> = [];
  const deadline = Date.now() + 10_000;
  while (out.length < n && Date.now() < deadline) {
    const m = await consumer.next({ expires: 1000 });
    if (m) for (const text of eventTexts(m)) out.push(JSON.parse(text));
  }
  await consumer.delete().catch(() => {});
  return out;
}

beforeAll(async () => {
  sim = await startSimulator({ exchange: "okx", markets: [STORED, FETCHED], tradesPerSecond: 0, seed: 5 });
  nats = await connectNats(NATS_URL, "ingestor-contracts-test", log);
  await provisionStreams(nats.jsm, { replicas: 1, tradesRetentionDays: 7 }, log);
  const stored: MarketInfo = {
    exchange: "okx",
    market: STORED,
    symbol: STORED.replace("-PERP", "-SWAP"),
    base: STORED.split("-")[0]!,
    quote: "USDT",
    type: "perp",
    status: "trading",
    tickSize: 0.1,
    lotSize: 0.01,
    minNotional: null,
    contractValue: 0.01,
    inverse: false,
  };
  await redis.hset(redisKeys.instruments("okx"), STORED, JSON.stringify(stored));
  const config = loadIngestorConfig({
    HTTP_PORT: "0",
    EXCHANGES: "okx",
    MARKETS: `${STORED},${FETCHED}`,
    CHANNELS: "trade",
    SOURCE: "simulated",
    EXCHANGE_URL_OVERRIDES: `okx.ws=${sim.wsUrl},okx.rest=${sim.restUrl}`,
  });
  const publisher = new JetStreamPublisher(nats, { maxInFlight: 64, registry, log });
  ingestor = new Ingestor({ config, publisher, redis, registry, log });
  await ingestor.start();
  const deadline = Date.now() + 10_000;
  while ((ingestor.info().connections as number) < 1 && Date.now() < deadline) await Bun.sleep(20);
  await Bun.sleep(500); // subscribe frames are paced
});

afterAll(async () => {
  await ingestor?.stop();
  await sim?.stop();
  await redis.hdel(redisKeys.instruments("okx"), STORED);
  await nats?.close();
  redis.disconnect();
});

test("sizes in base units by the stored contract value, raw contracts kept", async () => {
  const sent = sim.sim.generate(STORED, 10);
  const got = await trades(STORED, 10);
  expect(got.map((t) => t.id)).toEqual(sent.map((t) => String(t.id)));
  // the simulator sends its base amount as the size: with ctVal 0.01 stored, that many contracts
  for (const [i, t] of got.entries()) {
    expect(t.contracts).toBe(sent[i]!.amount);
    expect(t.amount as number).toBeCloseTo(sent[i]!.amount * 0.01, 12);
  }
});

test("a market with no stored instrument gets its contract from the instruments endpoint", async () => {
  const sent = sim.sim.generate(FETCHED, 10);
  const got = await trades(FETCHED, 10);
  expect(got.map((t) => [t.amount, t.contracts])).toEqual(sent.map((t) => [t.amount, t.amount]));
});
