import { afterAll, beforeAll, expect, test } from "bun:test";
import { AckPolicy, type Consumer, DeliverPolicy } from "@nats-io/jetstream";
import { type Book, getAdapter, OrderBook, type Status } from "@tickerplant/core";
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
import { type StartedSimulator, startSimulator, waitFor } from "@tickerplant/testkit";
import { loadIngestorConfig } from "../src/config.ts";
import { Ingestor } from "../src/ingestor.ts";

const NATS_URL = process.env.NATS_URL ?? "nats://127.0.0.1:4222";
const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const RUN = Date.now().toString(36).toUpperCase();
const MARKET = `BK${RUN}-USDT`;
const log = createLogger({ service: "ingestor-book-test", level: "error" });
const registry = createMetricsRegistry("ingestor-book-test");
/** Long enough for a loaded machine's simulator to answer, short enough for the timeout test. */
const REST_TIMEOUT_MS = 3000;

/** A counter's total over the samples that carry these labels. */
async function counter(name: string, labels: Record<string, string>): Promise<number> {
  const m = registry.getSingleMetric(name);
  if (!m) return 0;
  return (await m.get()).values
    .filter((v) => Object.entries(labels).every(([k, want]) => String(v.labels[k]) === want))
    .reduce((n, v) => n + v.value, 0);
}

let sim: StartedSimulator;
let nats: Nats;
let ingestor: Ingestor;
const redis = createRedis(REDIS_URL, "ingestor-book-test");

/** What a downstream consumer does with md.book: snapshots reset, deltas must be continuous. */
const replica = { book: new OrderBook(), seq: null as number | null, snapshots: 0, continuityErrors: 0 };
const statuses: Status[] = [];
const stops: Array<() => void> = [];

async function follow<T>(stream: string, subject: string, onMsg: (m: T) => void): Promise<void> {
  const info = await nats.jsm.consumers.add(stream, {
    filter_subject: subject,
    ack_policy: AckPolicy.None,
    deliver_policy: DeliverPolicy.All,
    inactive_threshold: 30_000_000_000,
  });
  const consumer: Consumer = await nats.js.consumers.get(stream, info.name);
  const messages = await consumer.consume();
  stops.push(() => void messages.stop());
  void (async () => {
    for await (const m of messages) for (const text of eventTexts(m)) onMsg(JSON.parse(text) as T);
  })();
}

function trueTop(n: number) {
  const s = sim.sim.generator.book(MARKET).snapshot(n);
  return { bids: s.bids, asks: s.asks };
}

const POLL = { timeoutMs: 10_000, stepMs: 20 };

beforeAll(async () => {
  sim = await startSimulator({ markets: [MARKET], tradesPerSecond: 0, seed: 11 });
  nats = await connectNats(NATS_URL, "ingestor-book-test", log);
  await provisionStreams(nats.jsm, { replicas: 1, tradesRetentionDays: 7 }, log);
  await follow<Book>("MD_BOOKS", `md.book.binance.${MARKET}`, (b) => {
    if (b.kind === "snapshot") {
      replica.book.reset(b);
      replica.seq = b.seq;
      replica.snapshots++;
    } else if (replica.seq !== null) {
      if (b.prevSeq !== replica.seq) replica.continuityErrors++;
      replica.book.apply(b);
      replica.seq = b.seq;
    }
  });
  await follow<Status>("MD_STATUS", `md.status.binance.${MARKET}`, (s) => void statuses.push(s));
  const config = loadIngestorConfig({
    HTTP_PORT: "0",
    MARKETS: MARKET,
    CHANNELS: "book",
    SOURCE: "simulated",
    EXCHANGE_URL_OVERRIDES: `binance.ws=${sim.wsUrl},binance.rest=${sim.restUrl}`,
    BOOK_SNAPSHOT_INTERVAL_MS: "60000",
    REST_TIMEOUT_MS: String(REST_TIMEOUT_MS),
  });
  const publisher = new JetStreamPublisher(nats, { maxInFlight: 256, registry, log });
  ingestor = new Ingestor({ config, publisher, redis, registry, log });
  await ingestor.start();
});

afterAll(async () => {
  for (const s of stops) s();
  await ingestor?.stop();
  await sim?.stop();
  await nats?.close();
  redis.disconnect();
});

test("the book syncs from the REST snapshot and the published stream rebuilds the true book", async () => {
  await waitFor(
    "a diff starts the sync",
    () => {
      sim.sim.generate(MARKET, 1);
      return replica.snapshots > 0;
    },
    POLL,
  );
  for (let i = 0; i < 20; i++) {
    sim.sim.generate(MARKET, 5);
    await Bun.sleep(30);
  }
  await waitFor(
    "replica equals the simulator's book",
    () => JSON.stringify(replica.book.top(20)) === JSON.stringify(trueTop(20)),
    POLL,
  );
  expect(replica.continuityErrors).toBe(0);
});

test("a skipped update is detected, published as a gap, and only this market resyncs within a second", async () => {
  const before = replica.snapshots;
  sim.sim.skipBookUpdates(MARKET, 1);
  sim.sim.generate(MARKET, 3);
  await Bun.sleep(150);
  sim.sim.generate(MARKET, 3);
  const detectedAt = Date.now();
  await waitFor(
    "gap status",
    () => statuses.some((s) => s.event === "gap" && s.channels?.includes("book")),
    POLL,
  );
  const gapSeenAt = Date.now();
  await waitFor("a fresh snapshot", () => replica.snapshots > before, { ...POLL, timeoutMs: 5000 });
  const resyncMs = Date.now() - gapSeenAt;
  expect(Date.now() - detectedAt).toBeLessThan(1500);
  expect(resyncMs).toBeLessThan(1500);
  const gap = statuses.find((s) => s.event === "gap")!;
  expect(gap.fromSeq).toBeNumber();
  expect(gap.toSeq!).toBeGreaterThan(gap.fromSeq!);
  await waitFor("resync status", () => statuses.some((s) => s.event === "resync"), POLL);
  sim.sim.generate(MARKET, 5);
  await waitFor(
    "replica equals the simulator's book again",
    () => JSON.stringify(replica.book.top(20)) === JSON.stringify(trueTop(20)),
    POLL,
  );
  const metrics = await registry.getSingleMetricAsString("tickerplant_book_resyncs_total");
  expect(metrics).toContain('reason="gap"');
});

test("a depth snapshot that times out is counted, reported, and retried until the book is back", async () => {
  const depthPath = getAdapter("binance")!.rest.depthRequest(MARKET, 1).path;
  const timeouts0 = await counter("tickerplant_rest_requests_total", {
    exchange: "binance",
    status: "timeout",
  });
  const failures0 = await counter("tickerplant_book_snapshot_failures_total", { exchange: "binance" });
  const snapshots0 = replica.snapshots;
  const statuses0 = statuses.length;
  // Only the depth call is held, past the client's timeout: no other request can take the fault.
  sim.sim.delayRest(1, REST_TIMEOUT_MS + 2000, depthPath);
  sim.sim.skipBookUpdates(MARKET, 1);
  const t0 = Date.now();
  sim.sim.generate(MARKET, 3);
  await Bun.sleep(150);
  sim.sim.generate(MARKET, 3);
  await waitFor(
    "the timeout reported on the market's status",
    () => statuses.slice(statuses0).some((s) => s.event === "resync" && s.detail.includes("timeout")),
    { ...POLL, timeoutMs: REST_TIMEOUT_MS + 5000 },
  );
  const reportedMs = Date.now() - t0;
  await waitFor("a fresh snapshot from the retry", () => replica.snapshots > snapshots0, {
    ...POLL,
    timeoutMs: 10_000,
  });
  const recoveredMs = Date.now() - t0;
  console.log(`snapshot timeout reported after ${reportedMs} ms, book back after ${recoveredMs} ms`);
  expect(reportedMs).toBeGreaterThanOrEqual(REST_TIMEOUT_MS);
  expect(await counter("tickerplant_rest_requests_total", { exchange: "binance", status: "timeout" })).toBe(
    timeouts0 + 1,
  );
  expect(
    await counter("tickerplant_book_snapshot_failures_total", { exchange: "binance", reason: "timeout" }),
  ).toBeGreaterThanOrEqual(failures0 + 1);
  sim.sim.generate(MARKET, 5);
  await waitFor(
    "replica equals the simulator's book again",
    () => JSON.stringify(replica.book.top(20)) === JSON.stringify(trueTop(20)),
    POLL,
  );
  expect(replica.continuityErrors).toBe(0);
}, 30_000);
