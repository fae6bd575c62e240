import { describe, expect, test } from "bun:test";
import type { NormalizedMessage } from "@tickerplant/core";
import { BacklogGuard } from "../src/backlog-guard.ts";

function trade(market: string, ts: number): NormalizedMessage {
  return {
    type: "trade",
    exchange: "binance",
    market,
    symbol: market.replace("-", ""),
    ts,
    recvTs: ts,
    id: String(ts),
    price: 1,
    amount: 1,
    side: "buy",
  } as NormalizedMessage;
}

describe("BacklogGuard", () => {
  test("admits below the bound, drops above it, and reports each market's window once drained", () => {
    let backlog = 0;
    const dropped: NormalizedMessage[] = [];
    const gaps: Array<[string, { from: number; to: number; dropped: number }]> = [];
    const guard = new BacklogGuard({
      backlog: () => backlog,
      maxBacklog: 10,
      onDrop: (m) => dropped.push(m),
      onGap: (market, w) => gaps.push([market, w]),
    });
    expect(guard.admit(trade("A-USDT", 1))).toBe(true);
    backlog = 10;
    expect(guard.admit(trade("A-USDT", 5))).toBe(false);
    expect(guard.admit(trade("A-USDT", 7))).toBe(false);
    expect(guard.admit(trade("B-USDT", 6))).toBe(false);
    // Status events always pass: they are how the loss is reported.
    expect(guard.admit({ ...trade("A-USDT", 8), type: "status" } as NormalizedMessage)).toBe(true);
    expect(dropped).toHaveLength(3);
    guard.report(); // still full: nothing reported yet
    expect(gaps).toEqual([]);
    backlog = 6;
    guard.report(); // above half the bound
    expect(gaps).toEqual([]);
    backlog = 5;
    guard.report();
    expect(gaps).toEqual([
      ["A-USDT", { from: 5, to: 7, dropped: 2 }],
      ["B-USDT", { from: 6, to: 6, dropped: 1 }],
    ]);
    guard.report();
    expect(gaps).toHaveLength(2);
    expect(guard.pendingGaps).toBe(0);
  });

  test("stop reports what is pending whatever the backlog", () => {
    const gaps: string[] = [];
    const guard = new BacklogGuard({
      backlog: () => 100,
      maxBacklog: 10,
      onDrop: () => {},
      onGap: (market) => gaps.push(market),
    });
    guard.admit(trade("A-USDT", 1));
    guard.stop();
    expect(gaps).toEqual(["A-USDT"]);
  });
});
