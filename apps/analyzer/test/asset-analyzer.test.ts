import { expect, test } from "bun:test";
import type { Trade } from "@tickerplant/core";
import { createLogger, type JetStreamPublisher, type Redis } from "@tickerplant/runtime";
import { Registry } from "prom-client";
import { AssetAnalyzer } from "../src/assets/asset-analyzer.ts";
import { Venues } from "../src/assets/venues.ts";
import { StatsEngine } from "../src/stats-engine.ts";

function trade(ts: number, price: number): Trade {
  return {
    type: "trade",
    exchange: "binance",
    market: "BTC-USDT",
    symbol: "BTCUSDT",
    ts,
    recvTs: ts,
    id: String(ts),
    price,
    amount: 1,
    side: "buy",
  };
}

test("a slow Redis or NATS does not queue composite ticks up: one at a time, and stop does not drain a backlog", async () => {
  const venues = new Venues(new Set(["USDT"]));
  const stats = new StatsEngine({ intervalMs: 1000 });
  let inFlight = 0;
  let maxInFlight = 0;
  let writes = 0;
  // Writes take 300 ms; ticks are due every 50 ms.
  const redis = {
    multi: () => ({
      hset() {},
      async exec() {
        writes++;
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        await Bun.sleep(300);
        inFlight--;
        return [];
      },
    }),
  } as unknown as Redis;
  const publisher = { async publish() {}, async flush() {} } as unknown as JetStreamPublisher;
  const a = new AssetAnalyzer({
    venues,
    stats,
    redis,
    publisher,
    registry: new Registry(),
    log: createLogger({ service: "t", level: "error" }),
    intervalMs: 50,
    staleMs: 60_000,
    method: "volume_weighted",
    isActive: () => true,
  });
  // A new price all the time: every tick has something to write.
  let price = 100;
  const feed = setInterval(() => {
    const t = trade(Date.now(), price++);
    stats.apply(t, t.ts);
    venues.onTrade(t);
  }, 10);
  a.start();
  await Bun.sleep(1500);
  const t0 = performance.now();
  await a.stop(); // prices still moving: every queued tick would have something to write
  clearInterval(feed);
  expect(performance.now() - t0).toBeLessThan(600); // queued ticks would run ~25 × 300 ms here
  expect(maxInFlight).toBe(1);
  expect(writes).toBeGreaterThanOrEqual(3);
  expect(writes).toBeLessThanOrEqual(6);
  expect(a.composites().get("BTC")?.price).toBeGreaterThan(100);
}, 20_000);
