import { afterAll, beforeAll, describe, expect, test } from "bun:test";
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
const MARKET = `ING${RUN}-USDT`;
const log = createLogger({ service: "ingestor-test", level: "error" });

let sim: StartedSimulator;
let nats: Nats;
let ingestor: Ingestor;
const redis = createRedis(REDIS_URL, "ingestor-test");
const registry = createMetricsRegistry("ingestor-test");

async function collect(subject: string, stream: string, until: (n: number) => boolean, timeoutMs = 10_000) {
  // NATS 2.9 has no multi-filter ordered consumers: an ephemeral pull consumer with one filter.
  const info = await nats.jsm.consumers.add(stream, {
    filter_subject: subject,
    ack_policy: AckPolicy.None,
    deliver_policy: DeliverPolicy.All,
    inactive_threshold: 30_000_000_000,
  });
  const consumer = await nats.js.consumers.get(stream, info.name);
  const out: Array<Record<string, unknown>> = [];
  const deadline = Date.now() + timeoutMs;
  while (!until(out.length) && Date.now() < deadline) {
    const m = await consumer.next({ expires: 1000 });
    if (m) for (const text of eventTexts(m)) out.push(JSON.parse(text));
  }
  await consumer.delete().catch(() => {});
  return out;
}

beforeAll(async () => {
  sim = await startSimulator({ markets: [MARKET], tradesPerSecond: 0, seed: 3 });
  nats = await connectNats(NATS_URL, "ingestor-test", log);
  await provisionStreams(nats.jsm, { replicas: 1, tradesRetentionDays: 7 }, log);
  const config = loadIngestorConfig({
    HTTP_PORT: "0",
    MARKETS: MARKET,
    CHANNELS: "trade,ticker",
    SOURCE: "simulated",
    EXCHANGE_URL_OVERRIDES: `binance.ws=${sim.wsUrl}`,
    INVALID_FRAME_REPORT_MS: "500",
  });
  const publisher = new JetStreamPublisher(nats, { maxInFlight: 64, registry, log });
  ingestor = new Ingestor({ config, publisher, redis, registry, log });
  await ingestor.start();
  const deadline = Date.now() + 10_000;
  while ((ingestor.info().connections as number) < 1 && Date.now() < deadline) await Bun.sleep(20);
  await Bun.sleep(300); // subscribe frames are paced
});

afterAll(async () => {
  await ingestor?.stop();
  await sim?.stop();
  await nats?.close();
  redis.disconnect();
});

describe("ingestor against the simulator", () => {
  test("publishes normalized, labelled trades with deterministic ids", async () => {
    const sent = sim.sim.generate(MARKET, 20);
    const got = await collect(`md.trade.binance.${MARKET}`, "MD_TRADES", (n) => n >= 20);
    expect(got.map((t) => Number(t.id))).toEqual(sent.map((t) => t.id));
    expect(got[0]).toMatchObject({
      type: "trade",
      exchange: "binance",
      market: MARKET,
      symbol: MARKET.replace("-", ""),
      price: sent[0]!.price,
      amount: sent[0]!.amount,
      side: sent[0]!.side,
      simulated: true,
    });
    expect(await redis.hget("source:binance", "source")).toBe("simulated");
  });

  test("malformed frames are counted by reason, reported in rate-limited status events, and the feed keeps going", async () => {
    sim.sim.sendMalformed(5);
    const sent = sim.sim.generate(MARKET, 5);
    const got = await collect(`md.trade.binance.${MARKET}`, "MD_TRADES", (n) => n >= 25);
    expect(got.slice(-5).map((t) => Number(t.id))).toEqual(sent.map((t) => t.id));
    const metrics = await registry.getSingleMetricAsString("tickerplant_ingest_invalid_frames_total");
    const counted = [...metrics.matchAll(/exchange="binance"[^}]*\} (\d+)/g)].reduce(
      (n, m) => n + Number(m[1]),
      0,
    );
    expect(counted).toBe(5);
    // The first at once, the other four together at the end of the window: exchange-wide, with counts.
    const reports = await collect("md.status.binance._all", "MD_STATUS", (n) => n >= 2);
    expect(reports.map((r) => [r.event, r.market])).toEqual([
      ["invalid_frames", "*"],
      ["invalid_frames", "*"],
    ]);
    const total = (r: Record<string, unknown>) =>
      Object.values(r.counts as Record<string, number>).reduce((n, c) => n + c, 0);
    expect(reports.map(total)).toEqual([1, 4]);
  });

  test("a dropped connection publishes disconnected, connected and the gap, then data flows again", async () => {
    sim.sim.dropConnections();
    const deadline = Date.now() + 10_000;
    await Bun.sleep(100);
    while ((ingestor.info().connections as number) < 1 && Date.now() < deadline) await Bun.sleep(20);
    const events = await collect(`md.status.binance.${MARKET}`, "MD_STATUS", (n) => n >= 4);
    const kinds = events.map((e) => e.event);
    expect(kinds).toEqual(["connected", "disconnected", "connected", "gap"]);
    const gap = events[3]!;
    // The gap starts at the last frame received, at the latest when the close was seen.
    expect(gap.from as number).toBeLessThanOrEqual(events[1]!.from as number);
    expect(gap.to as number).toBeGreaterThanOrEqual(gap.from as number);
    await Bun.sleep(300);
    const sent = sim.sim.generate(MARKET, 3);
    const got = await collect(`md.trade.binance.${MARKET}`, "MD_TRADES", (n) => n >= 28);
    expect(got.slice(-3).map((t) => Number(t.id))).toEqual(sent.map((t) => t.id));
  });
});
