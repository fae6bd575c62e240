import { expect, test } from "bun:test";
import { MessageRate } from "../src/message-rate.ts";

test("the rate is messages since the previous sample over the time between them, per exchange", () => {
  const r = new MessageRate();
  expect(r.sample("binance", 100, 1_000)).toBeNull(); // nothing to compare with yet
  expect(r.sample("okx", 5, 1_000)).toBeNull();
  expect(r.sample("binance", 600, 6_000)).toBe(100);
  expect(r.sample("okx", 5, 3_000)).toBe(0);
  expect(r.sample("binance", 600, 6_000)).toBeNull(); // no time passed
  // Feeds replaced: the total restarts; no rate for that interval, then a rate from the new total.
  expect(r.sample("binance", 10, 8_000)).toBeNull();
  expect(r.sample("binance", 30, 10_000)).toBe(10);
});
