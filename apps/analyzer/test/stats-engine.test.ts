import { describe, expect, test } from "bun:test";
import type { Trade } from "@tickerplant/core";
import { StatsEngine } from "../src/stats-engine.ts";

const T0 = Date.UTC(2025, 0, 1, 12);
const MIN = 60_000;

function trade(market: string, ts: number, price: number, amount: number): Trade {
  return {
    type: "trade",
    exchange: "binance",
    market,
    symbol: market.replace("-", ""),
    ts,
    recvTs: ts,
    id: String(ts),
    price,
    amount,
    side: "sell",
  };
}

describe("StatsEngine", () => {
  test("publishes a market at most once per interval, and only when it changed", () => {
    const e = new StatsEngine({ intervalMs: 1000 });
    e.apply(trade("BTC-USDT", T0, 100, 1), T0);
    expect(e.collect(T0).due.map((s) => s.trades)).toEqual([1]);
    e.apply(trade("BTC-USDT", T0 + 10, 101, 1), T0 + 10);
    expect(e.collect(T0 + 500).due).toEqual([]); // held back by the interval
    expect(e.collect(T0 + 1000).due.map((s) => s.trades)).toEqual([2]);
    expect(e.collect(T0 + 5000).due).toEqual([]); // nothing changed
  });

  test("`only` limits the check to the markets a batch touched", () => {
    const e = new StatsEngine({ intervalMs: 1000 });
    const a = e.apply(trade("BTC-USDT", T0, 100, 1), T0)!;
    e.apply(trade("ETH-USDT", T0, 10, 1), T0);
    expect(e.collect(T0, [a]).due.map((s) => s.market)).toEqual(["BTC-USDT"]);
    expect(e.collect(T0).due.map((s) => s.market)).toEqual(["ETH-USDT"]);
  });

  test("a window that slides republishes; an emptied one is reported and forgotten", () => {
    const e = new StatsEngine({ intervalMs: 1000 });
    e.apply(trade("BTC-USDT", T0, 100, 1), T0);
    e.apply(trade("BTC-USDT", T0 + 60 * MIN, 120, 1), T0 + 60 * MIN);
    e.collect(T0 + 60 * MIN);
    const slid = e.collect(T0 + 1440 * MIN);
    expect(slid.due).toHaveLength(1);
    expect(slid.due[0]).toMatchObject({ trades: 1, open: 120, last: 120 });
    const gone = e.collect(T0 + 1500 * MIN);
    expect(gone.due).toEqual([]);
    expect(gone.emptied).toEqual([{ exchange: "binance", market: "BTC-USDT" }]);
    expect(e.size).toBe(0);
  });

  test("retry hands out stats again after a failed write", () => {
    const e = new StatsEngine({ intervalMs: 1000 });
    e.apply(trade("BTC-USDT", T0, 100, 1), T0);
    const { due } = e.collect(T0);
    e.retry(due);
    expect(e.collect(T0 + 1).due).toHaveLength(1);
  });

  test("a trade older than 24 h is not applied", () => {
    const e = new StatsEngine({ intervalMs: 1000 });
    expect(e.apply(trade("BTC-USDT", T0 - 1441 * MIN, 100, 1), T0)).toBeUndefined();
    expect(e.size).toBe(0);
  });
});
