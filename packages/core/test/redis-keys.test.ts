import { expect, test } from "bun:test";
import { assetOfKey, parseMarketKey, redisKeys } from "../src/redis-keys.ts";

test("market keys read back into their parts", () => {
  const key = redisKeys.market("ticker", "binance", "BTC-USDT-PERP");
  expect(key).toBe("ticker:binance:BTC-USDT-PERP");
  expect(parseMarketKey(key)).toEqual({ kind: "ticker", exchange: "binance", market: "BTC-USDT-PERP" });
  expect(parseMarketKey("ticker:binance")).toBeUndefined();
  expect(parseMarketKey("ticker:binance:BTC-USDT:extra")).toBeUndefined();
});

test("a `*` part makes a SCAN pattern; other glob characters cannot widen it", () => {
  expect(redisKeys.market("stats", "*", "BTC-USDT")).toBe("stats:*:BTC-USDT");
  expect(redisKeys.market("bbo", "bin*", "a?[b]")).toBe("bbo:bin\\*:a\\?\\[b\\]");
  expect(redisKeys.asset("composite", "*")).toBe("composite:*");
  expect(redisKeys.service("*", "*")).toBe("service:*:*");
});

test("the other families", () => {
  expect(redisKeys.asset("spread", "BTC")).toBe("spread:BTC");
  expect(assetOfKey("spread", "spread:BTC")).toBe("BTC");
  expect(redisKeys.source("okx")).toBe("source:okx");
  expect(redisKeys.service("gateway", "host-12")).toBe("service:gateway:host-12");
  expect(redisKeys.rateLimit("binance", "w:")).toBe("ratelimit:binance:w:");
});

test("an exchange's instruments hash", () => {
  expect(redisKeys.instruments("okx")).toBe("instruments:okx");
});
