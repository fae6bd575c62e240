import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import {
  connectNats,
  createLogger,
  createMetricsRegistry,
  createRedis,
  JetStreamPublisher,
  type Nats,
  provisionStreams,
} from "@tickerplant/runtime";
import { type StartedSimulator, startSimulator } from "@tickerplant/testkit";
import { loadIngestorConfig } from "../src/config.ts";
import { Ingestor } from "../src/ingestor.ts";

const NATS_URL = process.env.NATS_URL ?? "nats://127.0.0.1:4222";
const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const MARKET = `SRC${Date.now().toString(36).toUpperCase()}-USDT`;
const log = createLogger({ service: "ingestor-test", level: "error" });

describe("SOURCES: the source is decided per exchange", () => {
  test("SOURCES parses exchange=live|simulated pairs and rejects anything else", () => {
    const config = loadIngestorConfig({ SOURCE: "live", SOURCES: "binance=simulated,okx=live" });
    expect(config.SOURCES).toEqual({ binance: "simulated", okx: "live" });
    expect(() => loadIngestorConfig({ SOURCES: "binance=maybe" })).toThrow(/SOURCES: binance=maybe/);
  });

  describe("an exchange named simulated under SOURCE=live", () => {
    let sim: StartedSimulator;
    let nats: Nats;
    let ingestor: Ingestor;
    const redis = createRedis(REDIS_URL, "ingestor-test");

    beforeAll(async () => {
      sim = await startSimulator({ markets: [MARKET], tradesPerSecond: 20, seed: 5 });
      nats = await connectNats(NATS_URL, "ingestor-test", log);
      await provisionStreams(nats.jsm, { replicas: 1, tradesRetentionDays: 7 }, log);
      const registry = createMetricsRegistry("ingestor-test");
      ingestor = new Ingestor({
        config: loadIngestorConfig({
          HTTP_PORT: "0",
          MARKETS: MARKET,
          CHANNELS: "trade",
          SOURCE: "live",
          SOURCES: "binance=simulated",
          EXCHANGE_URL_OVERRIDES: `binance.ws=${sim.wsUrl}`,
        }),
        publisher: new JetStreamPublisher(nats, { maxInFlight: 64, registry, log }),
        redis,
        registry,
        log,
      });
      await ingestor.start();
    });

    afterAll(async () => {
      await ingestor?.stop();
      await sim?.stop();
      await nats?.close();
      redis.disconnect();
    });

    test("is advertised as simulated and reports its connection, freshness and lag", async () => {
      expect(await redis.hget("source:binance", "source")).toBe("simulated");
      const deadline = Date.now() + 20_000;
      while (ingestor.exchanges().binance?.lastMessageAt == null && Date.now() < deadline)
        await Bun.sleep(50);
      const info = ingestor.exchanges().binance!;
      expect(info).toMatchObject({ source: "simulated", markets: [MARKET] });
      expect(info.connections).toBeGreaterThanOrEqual(1);
      expect(info.lastMessageAt).toBeGreaterThan(Date.now() - 20_000);
      expect(typeof info.latencyMs).toBe("number");
    });

    test("reports its message rate since the previous look (the simulator sends 20 trades/s)", async () => {
      ingestor.exchanges();
      await Bun.sleep(2000);
      const rate = ingestor.exchanges().binance!.messagesPerSecond as number;
      expect(rate).toBeGreaterThan(8);
      expect(rate).toBeLessThan(40);
    });
  });
});
