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

  test("1m, 5m, 1h and 24h windows: VWAP, high/low, volume, count and volatility of log returns", () => {
    const e = new StatsEngine({ intervalMs: 1000 });
    const trades = [
      trade("BTC-USDT", T0 - 120 * MIN, 100, 1),
      trade("BTC-USDT", T0 - 30 * MIN, 110, 2),
      trade("BTC-USDT", T0 - 3 * MIN, 105, 0.5),
      trade("BTC-USDT", T0 - 30_000, 108, 4),
      trade("BTC-USDT", T0, 107, 1.5),
    ];
    for (const t of trades) e.apply(t, t.ts);
    const [s] = e.collect(T0).due;
    // Each trade's return is from the trade before it, even when that one is outside the window.
    const returns = trades.slice(1).map((t, i) => Math.log(t.price / trades[i]!.price));
    const sampleStd = (xs: number[]) => {
      const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
      return Math.sqrt(xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (xs.length - 1));
    };
    const expected = (from: number) => {
      const inside = trades.slice(from);
      const volume = inside.reduce((v, t) => v + t.amount, 0);
      const quote = inside.reduce((v, t) => v + t.price * t.amount, 0);
      return {
        trades: inside.length,
        open: inside[0]!.price,
        last: 107,
        high: Math.max(...inside.map((t) => t.price)),
        low: Math.min(...inside.map((t) => t.price)),
        volume,
        vwap: quote / volume,
        volatility: sampleStd(returns.slice(Math.max(0, from - 1))),
      };
    };
    const want = { "1m": expected(3), "5m": expected(2), "1h": expected(1), "24h": expected(0) };
    expect(Object.keys(s!.windows!).sort()).toEqual(["1h", "1m", "24h", "5m"]);
    for (const [name, w] of Object.entries(want)) {
      const got = s!.windows![name as keyof typeof want]!;
      expect({
        name,
        trades: got.trades,
        open: got.open,
        last: got.last,
        high: got.high,
        low: got.low,
      }).toEqual({
        name,
        trades: w.trades,
        open: w.open,
        last: w.last,
        high: w.high,
        low: w.low,
      });
      expect(got.volume).toBeCloseTo(w.volume, 12);
      expect(got.vwap).toBeCloseTo(w.vwap, 9);
      expect(got.volatility).toBeCloseTo(w.volatility, 12);
      expect(got.volatility).toBeGreaterThan(0);
    }
    // The top level is the 24 h window.
    expect(s).toMatchObject({ trades: 5, high: 110, low: 100 });
    expect(s!.volatility).toBeCloseTo(want["24h"].volatility, 12);
    // A minute later the 1m window has slid past every trade; the others still hold theirs.
    e.apply(trade("BTC-USDT", T0 + 2 * MIN, 107, 1), T0 + 2 * MIN);
    const later = e.collect(T0 + 2 * MIN).due[0]!;
    expect(later.windows!["1m"]!.trades).toBe(1);
    expect(later.windows!["5m"]!.trades).toBe(3); // T0 - 3 min has left it too
  });

  test("a trade older than 24 h is not applied", () => {
    const e = new StatsEngine({ intervalMs: 1000 });
    expect(e.apply(trade("BTC-USDT", T0 - 1441 * MIN, 100, 1), T0)).toBeUndefined();
    expect(e.size).toBe(0);
  });
});
