import { afterAll, expect, test } from "bun:test";
import { redisKeys } from "@tickerplant/core";
import Redis from "ioredis";
import { LatestCache } from "../src/latest-cache.ts";

const redis = new Redis(process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379/15");
const MARKET = `LC${Date.now().toString(36).toUpperCase()}-USDT`;
const key = redisKeys.market("ticker", "binance", MARKET);
const stored = (last: number) => ({
  json: JSON.stringify({ type: "ticker", market: MARKET, last }),
  updatedAt: "1",
});

afterAll(async () => {
  await redis.del(key);
  redis.disconnect();
});

test("reads within the window share one Redis read; after it, the new value is read", async () => {
  let now = 1_000;
  const cache = new LatestCache({ redis, ttlMs: 100, now: () => now });
  await redis.hset(key, stored(1));
  const first = await Promise.all([1, 2, 3].map(() => cache.read("ticker", "binance", MARKET)));
  expect(first[0]).toBe(first[1]!); // the same read, not three
  expect((first[0]![0]!.data as { last: number }).last).toBe(1);
  await redis.hset(key, stored(2));
  now += 99;
  expect(((await cache.read("ticker", "binance", MARKET))[0]!.data as { last: number }).last).toBe(1);
  now += 1;
  expect(((await cache.read("ticker", "binance", MARKET))[0]!.data as { last: number }).last).toBe(2);
});

test("ttl 0 reads Redis every time; filters are bounded; a failed read is not kept", async () => {
  const uncached = new LatestCache({ redis, ttlMs: 0 });
  await redis.hset(key, stored(3));
  expect(((await uncached.read("ticker", "binance", MARKET))[0]!.data as { last: number }).last).toBe(3);
  await redis.hset(key, stored(4));
  expect(((await uncached.read("ticker", "binance", MARKET))[0]!.data as { last: number }).last).toBe(4);

  const bounded = new LatestCache({ redis, ttlMs: 60_000, maxFilters: 2 });
  const a = bounded.read("ticker", "binance", MARKET);
  await bounded.read("ticker", "okx", MARKET);
  await bounded.read("ticker", "kraken", MARKET); // drops the oldest filter (binance)
  expect(bounded.read("ticker", "binance", MARKET)).not.toBe(a);

  const broken = new Redis("redis://127.0.0.1:1", {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  broken.on("error", () => {}); // refused: expected
  const failing = new LatestCache({ redis: broken, ttlMs: 60_000 });
  const r1 = failing.read("ticker", "binance", MARKET);
  await expect(r1).rejects.toBeDefined();
  expect(failing.read("ticker", "binance", MARKET)).not.toBe(r1);
  await failing.read("ticker", "binance", MARKET).catch(() => {});
  broken.disconnect();
});
