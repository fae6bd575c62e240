/**
 * End to end: two ingestors on the same markets (one publishing each event-loop turn's events,
 * the other lingering 1 ms, so their event batches are grouped differently and the server cannot
 * drop the second copy). Proves the consumers' dedup rule (docs/architecture.md, "Event
 * batches"): each trade is once in TimescaleDB and once at a WebSocket client.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { AckPolicy, DeliverPolicy } from "@nats-io/jetstream";
import { batchMessageId, encodeEvents, messageId, type NormalizedMessage } from "@tickerplant/core";
import {
  connectNats,
  createLogger,
  createMetricsRegistry,
  eventTexts,
  JetStreamPublisher,
  type Nats,
} from "@tickerplant/runtime";
import {
  recentLogs,
  type ServiceName,
  type ServiceProcess,
  type StartedSimulator,
  startService,
  startSimulator,
  waitFor,
} from "@tickerplant/testkit";
import postgres from "postgres";
import { isolatedConsumers, removeConsumers } from "./isolation.ts";

const NATS_URL = process.env.NATS_URL ?? "nats://127.0.0.1:4222";
const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const DATABASE_URL =
  process.env.TEST_DATABASE_URL ?? "postgres://tickerplant@127.0.0.1:5433/tickerplant_test";

const RUN = Date.now().toString(36).toUpperCase();
const MARKETS = [`RIA${RUN}-USDT`, `RIB${RUN}-USDT`];
const PORTS = { ingestorA: 19201, ingestorB: 19205, "storage-writer": 19202, gateway: 19280 };

let sim: StartedSimulator;
let nats: Nats;
const services: ServiceProcess[] = [];
const sql = postgres(DATABASE_URL, { max: 2, onnotice: () => {} });
let ws: WebSocket;
const received: Array<{ channel: string; seq: number; data: Record<string, unknown> }> = [];
const control: Array<Record<string, unknown>> = [];

function env(extra: Record<string, string> = {}): Record<string, string> {
  return {
    NATS_URL,
    REDIS_URL,
    DATABASE_URL,
    LOG_LEVEL: "warn",
    ...isolatedConsumers(RUN),
    EXCHANGES: "binance",
    MARKETS: MARKETS.join(","),
    CHANNELS: "trade,ticker",
    SOURCE: "simulated",
    EXCHANGE_URL_OVERRIDES: `binance.ws=${sim.wsUrl},binance.rest=${sim.restUrl}`,
    BATCH_SIZE: "500",
    FLUSH_INTERVAL_MS: "50",
    ...extra,
  };
}

const POLL = { timeoutMs: 60_000, stepMs: 100, context: () => recentLogs(services) };

function start(name: ServiceName, port: number, extra: Record<string, string> = {}): ServiceProcess {
  const svc = startService(name, env(extra), port);
  services.push(svc);
  return svc;
}

/** Every trade event (its JSON text) stored in MD_TRADES for a market, each copy. */
async function eventsInStream(market: string): Promise<string[]> {
  const info = await nats.jsm.consumers.add("MD_TRADES", {
    filter_subject: `md.trade.binance.${market}`,
    ack_policy: AckPolicy.None,
    deliver_policy: DeliverPolicy.All,
    inactive_threshold: 30_000_000_000,
  });
  const consumer = await nats.js.consumers.get("MD_TRADES", info.name);
  const events: string[] = [];
  for (;;) {
    const m = await consumer.next({ expires: 1000 });
    if (!m) break;
    events.push(...eventTexts(m));
    if (m.info.pending === 0) break;
  }
  await consumer.delete().catch(() => {});
  return events;
}

beforeAll(async () => {
  sim = await startSimulator({ markets: MARKETS, tradesPerSecond: 400, seed: 11, autoStart: false });
  nats = await connectNats(
    NATS_URL,
    "redundant-ingestors-test",
    createLogger({ service: "test", level: "error" }),
  );
  await start("storage-writer", PORTS["storage-writer"]).waitReady();
  const gateway = start("gateway", PORTS.gateway);
  const a = start("ingestor", PORTS.ingestorA, { SERVICE_NAME: `ingestor-a-${RUN}` });
  const b = start("ingestor", PORTS.ingestorB, { SERVICE_NAME: `ingestor-b-${RUN}`, PUBLISH_LINGER_MS: "1" });
  await Promise.all([gateway.waitReady(), a.waitReady(), b.waitReady()]);

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
  ws.send(JSON.stringify({ op: "subscribe", channels: ["trade:binance:*"], id: 1 }));
  await waitFor("subscribed ack", () => control.find((m) => m.type === "subscribed" && m.id === 1), POLL);
  // Both ingestors subscribed at the simulator before any trade is generated.
  await waitFor(
    "both ingestors receiving",
    async () => {
      const infos = await Promise.all(
        [PORTS.ingestorA, PORTS.ingestorB].map(async (p) =>
          (await fetch(`http://127.0.0.1:${p}/health/live`)).json(),
        ),
      );
      return infos.every((i) => JSON.stringify(i).includes('"receiving":true'));
    },
    POLL,
  );
}, 120_000);

afterAll(async () => {
  ws?.close();
  await Promise.all(services.map((s) => s.stop()));
  await removeConsumers(NATS_URL, RUN).catch(() => {});
  await nats?.close();
  await sim?.stop();
  await sql.end();
});

describe("two ingestors on the same markets", () => {
  test("each trade once in TimescaleDB and once at a WebSocket client", async () => {
    sim.sim.resume();
    await Bun.sleep(3000);
    sim.sim.pause();
    // Whether the two ingestors happened to group a burst differently depends on socket reads; a
    // third redundant publisher grouping the same events in threes makes sure the stream holds
    // second copies the server could not drop (ids it never saw as one batch).
    const regrouper = new JetStreamPublisher(nats, {
      maxInFlight: 64,
      registry: createMetricsRegistry("regrouper"),
      log: createLogger({ service: "test", level: "error" }),
    });
    let regrouped = 0;
    for (const market of MARKETS) {
      const seen = new Set<string>();
      const texts = (await eventsInStream(market)).filter((t) => {
        const id = messageId(JSON.parse(t) as NormalizedMessage);
        if (seen.has(id)) return false;
        seen.add(id);
        return true;
      });
      for (let i = 0; i + 3 <= texts.length; i += 3) {
        const group = texts.slice(i, i + 3);
        const ids = group.map((t) => messageId(JSON.parse(t) as NormalizedMessage));
        void regrouper.publish(
          `md.trade.binance.${market}`,
          encodeEvents(group),
          batchMessageId(ids),
          true,
          3,
        );
        regrouped += 3;
      }
    }
    await regrouper.flush();
    expect(regrouped).toBeGreaterThan(400);
    for (const market of MARKETS) {
      const truth = sim.sim.truth.trades(market).map((t) => t.id);
      expect(truth.length).toBeGreaterThan(200);
      const stored = async () =>
        (
          await sql<{ trade_id: string }[]>`
            select trade_id from trades where exchange = 'binance' and market = ${market}`
        )
          .map((r) => Number(r.trade_id))
          .sort((x, y) => x - y);
      await waitFor(`${market} trades stored`, async () => (await stored()).length >= truth.length, POLL);
      const channel = `trade:binance:${market}`;
      await waitFor(
        `${market} trades at the client`,
        () => received.filter((m) => m.channel === channel).length >= truth.length,
        POLL,
      );
      // Late copies would arrive after the originals: give them time to show up.
      await Bun.sleep(1000);
      expect(await stored()).toEqual(truth);
      expect(received.filter((m) => m.channel === channel).map((m) => Number(m.data.id))).toEqual(truth);
    }
    // The stream did hold second copies (differently grouped batches): the consumers dropped them.
    const copies = await Promise.all(MARKETS.map(eventsInStream));
    const truthTotal = MARKETS.reduce((n, m) => n + sim.sim.truth.trades(m).length, 0);
    expect(copies.reduce((a, b) => a + b.length, 0)).toBeGreaterThan(truthTotal);
  }, 120_000);
});
