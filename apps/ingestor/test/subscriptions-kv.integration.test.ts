import { afterAll, beforeAll, expect, test } from "bun:test";
import { AckPolicy, DeliverPolicy } from "@nats-io/jetstream";
import {
  connectNats,
  createLogger,
  createMetricsRegistry,
  createRedis,
  eventTexts,
  JetStreamPublisher,
  type Nats,
  provisionStreams,
  SubscriptionsStore,
} from "@tickerplant/runtime";
import { type StartedSimulator, startSimulator, waitFor } from "@tickerplant/testkit";
import { loadIngestorConfig } from "../src/config.ts";
import { Ingestor } from "../src/ingestor.ts";

const NATS_URL = process.env.NATS_URL ?? "nats://127.0.0.1:4222";
const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const RUN = Date.now().toString(36).toUpperCase();
const CONFIGURED = `KVA${RUN}-USDT`;
const ADDED = `KVB${RUN}-USDT`;
const log = createLogger({ service: "ingestor-kv-test", level: "error" });

let sim: StartedSimulator;
let nats: Nats;
let store: SubscriptionsStore;
let ingestor: Ingestor;
const redis = createRedis(REDIS_URL, "ingestor-kv-test");

async function tradesOn(market: string, expected: number, timeoutMs = 8000): Promise<string[]> {
  const info = await nats.jsm.consumers.add("MD_TRADES", {
    filter_subject: `md.trade.binance.${market}`,
    ack_policy: AckPolicy.None,
    deliver_policy: DeliverPolicy.All,
    inactive_threshold: 30_000_000_000,
  });
  const consumer = await nats.js.consumers.get("MD_TRADES", info.name);
  const ids: string[] = [];
  const deadline = Date.now() + timeoutMs;
  while (ids.length < expected && Date.now() < deadline) {
    const m = await consumer.next({ expires: 1000 });
    if (m) for (const text of eventTexts(m)) ids.push((JSON.parse(text) as { id: string }).id);
  }
  await consumer.delete().catch(() => {});
  return ids;
}

// The ingestor's counts go with a timeout: what it had instead of what was awaited.
const POLL = { timeoutMs: 10_000, stepMs: 50, context: () => `ingestor: ${JSON.stringify(ingestor.info())}` };

beforeAll(async () => {
  sim = await startSimulator({ markets: [CONFIGURED, ADDED], tradesPerSecond: 0, seed: 5 });
  nats = await connectNats(NATS_URL, "ingestor-kv-test", log);
  await provisionStreams(nats.jsm, { replicas: 1, tradesRetentionDays: 7 }, log);
  store = await SubscriptionsStore.open(nats, 1, log);
  const config = loadIngestorConfig({
    HTTP_PORT: "0",
    MARKETS: CONFIGURED,
    CHANNELS: "trade",
    SOURCE: "simulated",
    EXCHANGE_URL_OVERRIDES: `binance.ws=${sim.wsUrl}`,
  });
  const registry = createMetricsRegistry("ingestor-kv-test");
  const publisher = new JetStreamPublisher(nats, { maxInFlight: 64, registry, log });
  ingestor = new Ingestor({ config, publisher, redis, registry, log, subscriptions: store });
  await ingestor.start();
});

afterAll(async () => {
  await store?.delete("binance", ADDED).catch(() => {});
  await ingestor?.stop();
  await sim?.stop();
  await nats?.close();
  redis.disconnect();
});

test("a market added to the subscriptions KV is ingested, and removing it stops it", async () => {
  await waitFor("the configured subscription", () => ingestor.info().subscriptions === 1, POLL);
  await store.put({ exchange: "binance", market: ADDED, channels: ["trade"] });
  await waitFor(
    "the added market on the same connection",
    () => ingestor.info().subscriptions === 2 && (ingestor.info().connections as number) === 1,
    POLL,
  );
  await Bun.sleep(500); // paced subscribe frames
  const sent = sim.sim.generate(ADDED, 5).map((t) => String(t.id));
  expect(await tradesOn(ADDED, 5)).toEqual(sent);
  // The configured market kept flowing through the handover.
  const configured = sim.sim.generate(CONFIGURED, 3).map((t) => String(t.id));
  expect(await tradesOn(CONFIGURED, 3)).toEqual(configured);

  await store.delete("binance", ADDED);
  await waitFor("the removed market dropped", () => ingestor.info().subscriptions === 1, POLL);
  await Bun.sleep(500);
  sim.sim.generate(ADDED, 2);
  expect(await tradesOn(ADDED, 7, 2000)).toEqual(sent);
});

test("invalid KV entries are ignored", async () => {
  const kvKey = `binance.BAD${RUN}-USDT`;
  const { Kvm } = await import("@nats-io/kv");
  const kv = await new Kvm(nats.nc).open("subscriptions");
  await kv.put(kvKey, "{not json");
  await Bun.sleep(300);
  expect(ingestor.info().subscriptions).toBe(1);
  expect((await store.list()).some((e) => e.market === `BAD${RUN}-USDT`)).toBe(false);
  await kv.delete(kvKey);
});
