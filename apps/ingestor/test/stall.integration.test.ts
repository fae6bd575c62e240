/**
 * A stalled stream (no close) on every exchange, against its simulator: the ingestor declares it
 * stale, counts it, publishes `stale` and the `gap`, reconnects and times the recovery — whether the
 * link fell silent (a hung connection) or only the data stopped while keepalives went on (the
 * BingX case: its pings continue, so a frame-only watchdog never fired).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
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

const EXCHANGES = ["binance", "bybit", "okx", "coinbase", "kraken", "whitebit", "bingx"];
/** Exchanges whose keepalive frames reach the client during a data stall (heartbeats, BingX's pings). */
const KEEPALIVE_FRAMES = ["coinbase", "kraken", "bingx"];
const RUN = Date.now().toString(36).toUpperCase();
const MARKET = `ST${RUN}-USDT`;
// Kraken's heartbeats on a quiet connection come up to 2 s apart: the silence window must exceed that.
const STALE_AFTER_MS = 2500;
const DATA_STALL_MS = 3000;
const log = createLogger({ service: "ingestor-stall-test", level: "error" });
const registry = createMetricsRegistry("ingestor-stall-test");
const redis = createRedis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379", "ingestor-stall-test");

const sims = new Map<string, StartedSimulator>();
let nats: Nats;
let ingestor: Ingestor;
const trades = new Map<string, number[]>(EXCHANGES.map((ex) => [ex, []]));
const status = new Map<string, Array<{ at: number; event: string; detail: string }>>(
  EXCHANGES.map((ex) => [ex, []]),
);

/** A counter's value, or a histogram's observation count, summed over the samples matching `labels`. */
async function metric(name: string, labels: Record<string, string>): Promise<number> {
  const m = registry.getSingleMetric(name);
  if (!m) return 0;
  const { values } = await m.get();
  return values
    .filter((v) => {
      const sample = (v as { metricName?: string }).metricName;
      return sample === undefined || sample.endsWith("_count");
    })
    .filter((v) => Object.entries(labels).every(([k, want]) => String(v.labels[k]) === want))
    .reduce((n, v) => n + v.value, 0);
}

const flowing = (ex: string, after: number) => (trades.get(ex) ?? []).some((t) => t > after);

beforeAll(async () => {
  for (const ex of EXCHANGES) {
    // Server pings every 0.5 s where the exchange sends them (BingX's are frames the client sees).
    sims.set(
      ex,
      await startSimulator({
        exchange: ex,
        markets: [MARKET],
        tradesPerSecond: 20,
        seed: 5,
        pingIntervalMs: 500,
      }),
    );
  }
  nats = await connectNats(process.env.NATS_URL ?? "nats://127.0.0.1:4222", "ingestor-stall-test", log);
  await provisionStreams(nats.jsm, { replicas: 1, tradesRetentionDays: 7 }, log);
  const sub = nats.nc.subscribe(`md.*.*.${MARKET}`);
  void (async () => {
    for await (const m of sub) {
      const [, type, ex] = m.subject.split(".");
      const now = Date.now();
      for (const text of eventTexts(m)) {
        if (type === "trade") trades.get(ex!)?.push(now);
        else if (type === "status") {
          const s = JSON.parse(text) as { event: string; detail: string };
          status.get(ex!)?.push({ at: now, event: s.event, detail: s.detail });
        }
      }
    }
  })();
  const config = loadIngestorConfig({
    HTTP_PORT: "0",
    EXCHANGES: EXCHANGES.join(","),
    MARKETS: MARKET,
    CHANNELS: "trade,book",
    SOURCE: "simulated",
    EXCHANGE_URL_OVERRIDES: [...sims]
      .map(([ex, s]) => `${ex}.ws=${s.wsUrl},${ex}.rest=${s.restUrl}`)
      .join(","),
    STALE_AFTER_MS: String(STALE_AFTER_MS),
    DATA_STALL_MS: String(DATA_STALL_MS),
  });
  const publisher = new JetStreamPublisher(nats, { maxInFlight: 256, registry, log });
  ingestor = new Ingestor({ config, publisher, redis, registry, log });
  await ingestor.start();
  await waitFor("trades from every exchange", () => EXCHANGES.every((ex) => flowing(ex, 0)), {
    timeoutMs: 30_000,
    stepMs: 25,
  });
}, 60_000);

afterAll(async () => {
  await ingestor?.stop();
  for (const s of sims.values()) await s.stop();
  await nats?.close();
  redis.disconnect();
});

interface Outcome {
  exchange: string;
  stale: string;
  gap: boolean;
  counted: boolean;
  recoveredMs: number;
  recoveryObserved: boolean;
}

/** Stalls every simulator at once and follows each exchange until data flows again. */
async function stallAll(ms: number, silent: boolean): Promise<Outcome[]> {
  const before = new Map<string, [number, number]>();
  for (const ex of EXCHANGES) {
    before.set(ex, [
      await metric("tickerplant_ingest_connection_events_total", { exchange: ex, event: "stale" }),
      await metric("tickerplant_ingest_recovery_seconds", { exchange: ex }),
    ]);
  }
  const t0 = Date.now();
  for (const s of sims.values()) s.sim.stall(ms, { silent });
  const recoveredAt = new Map<string, number>();
  await waitFor(
    "every exchange reconnected and delivering trades after the stall",
    () => {
      for (const ex of EXCHANGES) {
        const back = status.get(ex)!.find((e) => e.at > t0 && e.event === "connected");
        if (!recoveredAt.has(ex) && back && flowing(ex, Math.max(back.at, t0 + ms)))
          recoveredAt.set(ex, Date.now());
      }
      return recoveredAt.size === EXCHANGES.length;
    },
    { timeoutMs: ms + 20_000, stepMs: 25 },
  );
  const out: Outcome[] = [];
  for (const ex of EXCHANGES) {
    const events = status.get(ex)!.filter((e) => e.at > t0);
    const [stale0, recovery0] = before.get(ex)!;
    out.push({
      exchange: ex,
      stale: events.find((e) => e.event === "stale")?.detail ?? "",
      gap: events.some((e) => e.event === "gap"),
      counted:
        (await metric("tickerplant_ingest_connection_events_total", { exchange: ex, event: "stale" })) >
        stale0,
      recoveredMs: recoveredAt.get(ex)! - t0,
      recoveryObserved: (await metric("tickerplant_ingest_recovery_seconds", { exchange: ex })) > recovery0,
    });
  }
  console.log(out.map((o) => `${o.exchange}: ${o.stale} → data again after ${o.recoveredMs} ms`).join("\n"));
  return out;
}

describe("stalled streams on every exchange", () => {
  test("a silent link (no data, no keepalive, no close) is declared stale and recovered", async () => {
    const out = await stallAll(5000, true);
    for (const o of out) {
      expect({
        ex: o.exchange,
        stale: o.stale.startsWith("no frame for") || o.stale.startsWith("no market data"),
      }).toEqual({
        ex: o.exchange,
        stale: true,
      });
      expect(o).toMatchObject({ gap: true, counted: true, recoveryObserved: true });
    }
  }, 60_000);

  test("keepalives without data are a stall too: declared, counted, reported, recovered", async () => {
    // Data stops, pings and heartbeats go on; the stall outlasts the window and the reconnect.
    const out = await stallAll(5000, false);
    for (const o of out) {
      expect({ ex: o.exchange, detected: o.stale !== "" }).toEqual({ ex: o.exchange, detected: true });
      expect(o).toMatchObject({ gap: true, counted: true, recoveryObserved: true });
      // Where keepalive frames kept the link busy, only the data watchdog can have caught it.
      if (KEEPALIVE_FRAMES.includes(o.exchange))
        expect({ ex: o.exchange, stale: o.stale }).toEqual({
          ex: o.exchange,
          stale: expect.stringContaining("keepalives only") as unknown as string,
        });
    }
  }, 60_000);
});
