/**
 * When JetStream acknowledges more slowly than the exchange sends, the ingestor's backlog stays
 * bounded and every trade it could not publish lies inside a `gap` status event of its market:
 * nothing is lost silently (issue 10 item 2).
 */
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
} from "@tickerplant/runtime";
import { type StartedSimulator, startSimulator } from "@tickerplant/testkit";
import { loadIngestorConfig } from "../src/config.ts";
import { Ingestor } from "../src/ingestor.ts";

const NATS_URL = process.env.NATS_URL ?? "nats://127.0.0.1:4222";
const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const RUN = Date.now().toString(36).toUpperCase();
const MARKET = `BKL${RUN}-USDT`;
const log = createLogger({ service: "ingestor-test", level: "error" });
const registry = createMetricsRegistry("ingestor-backlog-test");
const redis = createRedis(REDIS_URL, "ingestor-test");
let sim: StartedSimulator;
let nats: Nats;
let ingestor: Ingestor;

async function read(subject: string, stream: string, idleMs = 1500): Promise<Array<Record<string, unknown>>> {
  const info = await nats.jsm.consumers.add(stream, {
    filter_subject: subject,
    ack_policy: AckPolicy.None,
    deliver_policy: DeliverPolicy.All,
    inactive_threshold: 30_000_000_000,
  });
  const consumer = await nats.js.consumers.get(stream, info.name);
  const out: Array<Record<string, unknown>> = [];
  for (;;) {
    const m = await consumer.next({ expires: idleMs });
    if (!m) break;
    for (const text of eventTexts(m)) out.push(JSON.parse(text));
  }
  await consumer.delete().catch(() => {});
  return out;
}

beforeAll(async () => {
  sim = await startSimulator({ markets: [MARKET], tradesPerSecond: 0, seed: 5 });
  nats = await connectNats(NATS_URL, "ingestor-backlog-test", log);
  await provisionStreams(nats.jsm, { replicas: 1, tradesRetentionDays: 7 }, log);
  const config = loadIngestorConfig({
    HTTP_PORT: "0",
    MARKETS: MARKET,
    CHANNELS: "trade",
    SOURCE: "simulated",
    EXCHANGE_URL_OVERRIDES: `binance.ws=${sim.wsUrl}`,
    PUBLISH_MAX_BACKLOG: "20",
  });
  // One publish in flight at a time: JetStream is "slow" next to a burst of trades.
  const publisher = new JetStreamPublisher(nats, { maxInFlight: 1, registry, log });
  ingestor = new Ingestor({ config, publisher, redis, registry, log });
  await ingestor.start();
  const deadline = Date.now() + 15_000;
  while (ingestor.info().receiving !== true && Date.now() < deadline) await Bun.sleep(50);
});

afterAll(async () => {
  await ingestor?.stop();
  await sim?.stop();
  await nats?.close();
  redis.disconnect();
});

test("a burst beyond the publish backlog is dropped, counted and reported as gaps covering every lost trade", async () => {
  const sent = sim.sim.generate(MARKET, 3000);
  let gaps: Array<Record<string, unknown>> = [];
  let trades: Array<Record<string, unknown>> = [];
  const deadline = Date.now() + 60_000;
  // Wait until every trade is either published or inside a reported gap.
  while (Date.now() < deadline) {
    trades = await read(`md.trade.binance.${MARKET}`, "MD_TRADES", 1000);
    gaps = (await read(`md.status.binance.${MARKET}`, "MD_STATUS", 1000)).filter((s) => s.event === "gap");
    const published = new Set(trades.map((t) => Number(t.id)));
    const covered = (ts: number) => gaps.some((g) => ts >= Number(g.from) && ts <= Number(g.to));
    if (sent.every((t) => published.has(t.id) || covered(t.ts))) break;
    await Bun.sleep(500);
  }
  const published = new Set(trades.map((t) => Number(t.id)));
  const lost = sent.filter((t) => !published.has(t.id));
  expect(lost.length).toBeGreaterThan(0); // the burst did overflow the backlog
  expect(gaps.length).toBeGreaterThan(0);
  const covered = (ts: number) => gaps.some((g) => ts >= Number(g.from) && ts <= Number(g.to));
  expect(lost.filter((t) => !covered(t.ts))).toEqual([]);
  expect(String(gaps[0]!.detail)).toContain("publish backlog full");
  const metrics = await registry.metrics();
  const dropped = metrics
    .split("\n")
    .filter((l) => l.startsWith("tickerplant_ingest_dropped_messages_total{"))
    .reduce((n, l) => n + Number(l.slice(l.lastIndexOf(" ") + 1)), 0);
  expect(dropped).toBe(lost.length);
}, 90_000);
