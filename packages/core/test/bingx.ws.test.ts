import { describe, expect, test } from "bun:test";
import type { Subscription } from "../src/adapter.ts";
import {
  BINGX_INTERVALS,
  bingxSpot,
  bingxSwap,
  closeTimeOf,
  dataTypeOf,
  spotIntervalOf,
  wsUrlOf,
} from "../src/exchanges/bingx/index.ts";
import { CANDLE_INTERVALS } from "../src/schemas/messages.ts";

function counter(start = 1): () => number {
  let n = start;
  return () => n++;
}

describe("adapter identity", () => {
  test("two adapters with one id: spot and perp", () => {
    expect([bingxSpot.id, bingxSpot.name, bingxSpot.marketType]).toEqual(["bingx", "BingX", "spot"]);
    expect([bingxSwap.id, bingxSwap.name, bingxSwap.marketType]).toEqual(["bingx", "BingX", "perp"]);
    expect([...bingxSpot.channels]).toEqual(["trade", "bbo", "ticker", "candle", "book"]);
    expect([...bingxSwap.channels]).toEqual(["trade", "bbo", "ticker", "candle", "book", "deriv"]);
    // every normalized interval except 1s
    expect([...bingxSpot.intervals]).toEqual(CANDLE_INTERVALS.filter((i) => i !== "1s"));
    expect(bingxSwap.intervals).toBe(BINGX_INTERVALS);
  });
});

describe("symbols", () => {
  test("market ↔ symbol on each venue", () => {
    expect(bingxSpot.symbolOf("BTC-USDT")).toBe("BTC-USDT");
    expect(bingxSwap.symbolOf("BTC-USDT-PERP")).toBe("BTC-USDT");
    expect(bingxSwap.symbolOf("1000PEPE-USDT-PERP")).toBe("1000PEPE-USDT");
    expect(() => bingxSpot.symbolOf("BTC-USDT-PERP")).toThrow(/perp/);
    expect(() => bingxSwap.symbolOf("BTC-USDT")).toThrow(/spot/);
    expect(() => bingxSwap.symbolOf("BTC-USDT-250926")).toThrow(/future/);
    expect(bingxSpot.marketOfSymbol("BTC-USDT")).toBe("BTC-USDT");
    expect(bingxSwap.marketOfSymbol("BTC-USDT")).toBe("BTC-USDT-PERP");
    expect(bingxSwap.marketOfSymbol("eth-usdt")).toBe("ETH-USDT-PERP");
    expect(bingxSpot.marketOfSymbol("BTCUSDT")).toBeUndefined();
    expect(bingxSwap.marketOfSymbol("BTC-USDT-PERP")).toBeUndefined();
    expect(bingxSpot.marketOfSymbol("all")).toBeUndefined();
  });
});

describe("dataTypes", () => {
  test("one per channel; spot kline names use min, swap the normalized names", () => {
    const spot = (s: Subscription) => dataTypeOf(s, "spot");
    const swap = (s: Subscription) => dataTypeOf(s, "swap");
    expect(spot({ channel: "trade", market: "BTC-USDT" })).toBe("BTC-USDT@trade");
    expect(spot({ channel: "bbo", market: "BTC-USDT" })).toBe("BTC-USDT@bookTicker");
    expect(spot({ channel: "ticker", market: "BTC-USDT" })).toBe("BTC-USDT@ticker");
    expect(spot({ channel: "book", market: "BTC-USDT" })).toBe("BTC-USDT@incrDepth");
    expect(spot({ channel: "candle", market: "BTC-USDT", interval: "1m" })).toBe("BTC-USDT@kline_1min");
    expect(spot({ channel: "candle", market: "BTC-USDT", interval: "30m" })).toBe("BTC-USDT@kline_30min");
    expect(spot({ channel: "candle", market: "BTC-USDT", interval: "1h" })).toBe("BTC-USDT@kline_1h");
    expect(spot({ channel: "candle", market: "BTC-USDT", interval: "1M" })).toBe("BTC-USDT@kline_1M");
    expect(swap({ channel: "candle", market: "BTC-USDT-PERP", interval: "1m" })).toBe("BTC-USDT@kline_1m");
    expect(swap({ channel: "deriv", market: "BTC-USDT-PERP" })).toBe("BTC-USDT@markPrice");
    expect(swap({ channel: "book", market: "BTC-USDT-PERP" })).toBe("BTC-USDT@incrDepth");
    expect(() => spot({ channel: "deriv", market: "BTC-USDT" })).toThrow(/deriv/);
    expect(() => swap({ channel: "liquidation", market: "BTC-USDT-PERP" })).toThrow(/liquidation/);
    expect(() => spot({ channel: "candle", market: "BTC-USDT" })).toThrow(/interval/);
    expect(() => spot({ channel: "candle", market: "BTC-USDT", interval: "1s" })).toThrow(/interval/);
  });

  test("every spot stream interval name reads back as its interval", () => {
    for (const i of BINGX_INTERVALS) {
      const name = dataTypeOf({ channel: "candle", market: "X-Y", interval: i }, "spot").split("@kline_")[1]!;
      expect(spotIntervalOf(name)).toBe(i);
    }
  });

  test("close times: fixed intervals and calendar months", () => {
    expect(closeTimeOf("1m", 1714650540000)).toBe(1714650599999);
    expect(closeTimeOf("1w", 0)).toBe(7 * 86_400_000 - 1);
    expect(closeTimeOf("1M", Date.UTC(2024, 1, 1))).toBe(Date.UTC(2024, 2, 1) - 1); // leap February
    expect(closeTimeOf("1M", Date.UTC(2024, 11, 1))).toBe(Date.UTC(2025, 0, 1) - 1);
  });
});

describe("ws spec", () => {
  test("hosts, limits, keepalive", () => {
    expect(bingxSpot.ws.defaultUrl).toBe("wss://open-api-ws.bingx.com");
    expect(bingxSwap.ws.defaultUrl).toBe("wss://open-api-swap.bingx.com");
    for (const a of [bingxSpot, bingxSwap]) {
      expect(a.ws.limits).toEqual({
        streamsPerConnection: 200,
        argsPerSubscribe: 1,
        messagesPerSecond: 8,
        connectionAttempts: { count: 60, windowMs: 60_000 },
      });
      expect(a.ws.keepalive).toEqual({ kind: "server-ping", serverIntervalMs: 5_000 });
      expect(a.ws.staleAfterMs).toBeGreaterThan(5_000 * 2);
      expect(a.ws.maxConnectionAgeMs).toBeLessThan(2 ** 31); // a valid timer delay
    }
  });

  test("live URLs: each venue's host + its path; one base serves both venues' paths", () => {
    const spot = bingxSpot.ws.plan([{ channel: "trade", market: "BTC-USDT" }], bingxSpot.ws.defaultUrl);
    const swap = bingxSwap.ws.plan([{ channel: "trade", market: "BTC-USDT-PERP" }], bingxSwap.ws.defaultUrl);
    expect(spot.map((p) => p.url)).toEqual(["wss://open-api-ws.bingx.com/market"]);
    expect(swap.map((p) => p.url)).toEqual(["wss://open-api-swap.bingx.com/swap-market"]);
    const sim = "ws://127.0.0.1:9500/";
    expect(bingxSpot.ws.plan([{ channel: "trade", market: "BTC-USDT" }], sim)[0]!.url).toBe(
      "ws://127.0.0.1:9500/market",
    );
    expect(bingxSwap.ws.plan([{ channel: "trade", market: "BTC-USDT-PERP" }], sim)[0]!.url).toBe(
      "ws://127.0.0.1:9500/swap-market",
    );
    // a base that already names the path is used as is
    expect(wsUrlOf("wss://open-api-ws.bingx.com/market", "spot")).toBe("wss://open-api-ws.bingx.com/market");
  });

  test("plan: ≤ 200 topics per connection with 300 markets; a market's topics stay together", () => {
    const markets = Array.from({ length: 300 }, (_, i) => `C${i}-USDT-PERP`);
    const subs: Subscription[] = markets.flatMap((market): Subscription[] => [
      { channel: "trade", market },
      { channel: "bbo", market },
      { channel: "book", market },
      { channel: "candle", market, interval: "1m" },
      { channel: "trade", market }, // duplicate
    ]);
    const plans = bingxSwap.ws.plan(subs, "ws://h");
    expect(plans).toHaveLength(6); // 1200 distinct topics, 50 markets × 4 per connection
    for (const p of plans) {
      expect(p.subscriptions.length).toBeLessThanOrEqual(200);
      expect(p.url).toBe("ws://h/swap-market");
    }
    expect(plans.reduce((n, p) => n + p.subscriptions.length, 0)).toBe(1200);
    const where = new Map<string, number>();
    plans.forEach((p, i) => {
      for (const s of p.subscriptions) {
        const prev = where.get(s.market);
        if (prev !== undefined) expect(prev).toBe(i);
        where.set(s.market, i);
      }
    });
  });

  test("plan: a market with more topics than a connection holds is split", () => {
    // 15 intervals + 5 channels = 20 topics per swap market; 11 markets = 220
    const subs: Subscription[] = Array.from({ length: 11 }, (_, i) => `M${i}-USDT-PERP`).flatMap((market) => [
      ...BINGX_INTERVALS.map((interval): Subscription => ({ channel: "candle", market, interval })),
      ...(["trade", "bbo", "ticker", "book", "deriv"] as const).map(
        (channel): Subscription => ({ channel, market }),
      ),
    ]);
    const plans = bingxSwap.ws.plan(subs, "ws://h");
    expect(plans.map((p) => p.subscriptions.length)).toEqual([200, 20]);
  });

  test("subscribe frames: one dataType per message, string ids, duplicates dropped", () => {
    const subs: Subscription[] = [
      { channel: "trade", market: "BTC-USDT" },
      { channel: "candle", market: "BTC-USDT", interval: "5m" },
      { channel: "trade", market: "BTC-USDT" },
    ];
    expect(bingxSpot.ws.subscribeFrames(subs, counter(7)).map((f) => JSON.parse(f))).toEqual([
      { id: "7", reqType: "sub", dataType: "BTC-USDT@trade" },
      { id: "8", reqType: "sub", dataType: "BTC-USDT@kline_5min" },
    ]);
    expect(
      bingxSwap.ws
        .unsubscribeFrames([{ channel: "deriv", market: "ETH-USDT-PERP" }], counter())
        .map((f) => JSON.parse(f)),
    ).toEqual([{ id: "1", reqType: "unsub", dataType: "ETH-USDT@markPrice" }]);
  });

  test("hundreds of markets: every topic subscribed exactly once", () => {
    const subs: Subscription[] = Array.from({ length: 250 }, (_, i) => ({
      channel: "trade",
      market: `C${i}-USDT`,
    }));
    const plans = bingxSpot.ws.plan(subs, bingxSpot.ws.defaultUrl);
    const frames = plans.flatMap((p) => bingxSpot.ws.subscribeFrames(p.subscriptions, counter()));
    expect(plans.map((p) => p.subscriptions.length)).toEqual([200, 50]);
    expect(frames).toHaveLength(250);
    expect(new Set(frames.map((f) => JSON.parse(f).dataType)).size).toBe(250);
  });
});
