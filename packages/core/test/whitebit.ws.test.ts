import { describe, expect, test } from "bun:test";
import type { Subscription } from "../src/adapter.ts";
import {
  CANDLE_REQUEST_ID_BASE,
  closeTimeOf,
  guessMarket,
  INTERVAL_SECONDS,
  intervalOfRequestId,
  MARKETS_PER_CONNECTION,
  PING_FRAME,
  REST_INTERVALS,
  WHITEBIT_INTERVALS,
  whitebit,
} from "../src/exchanges/whitebit/index.ts";
import { CANDLE_INTERVALS } from "../src/schemas/messages.ts";

const { ws } = whitebit;

function counter(start = 1): () => number {
  let n = start;
  return () => n++;
}

type Frame = { id: number; method: string; params: unknown[] };
const decode = (frames: string[]) => frames.map((f) => JSON.parse(f) as Frame);

describe("adapter identity", () => {
  test("whitebit spot: five channels, every normalized interval on the WebSocket, REST without 1s", () => {
    expect([whitebit.id, whitebit.name, whitebit.marketType]).toEqual(["whitebit", "WhiteBIT", "spot"]);
    expect([...whitebit.channels]).toEqual(["trade", "bbo", "ticker", "candle", "book"]);
    expect([...whitebit.intervals]).toEqual([...CANDLE_INTERVALS]);
    expect(WHITEBIT_INTERVALS).toHaveLength(16);
    expect(REST_INTERVALS).toEqual(CANDLE_INTERVALS.filter((i) => i !== "1s"));
  });
});

describe("symbols", () => {
  test("market ↔ symbol", () => {
    expect(whitebit.symbolOf("BTC-USDT")).toBe("BTC_USDT");
    expect(whitebit.symbolOf("1INCH-USDT")).toBe("1INCH_USDT");
    expect(() => whitebit.symbolOf("BTC-USDT-PERP")).toThrow(/perp/);
    expect(() => whitebit.symbolOf("BTC_USDT")).toThrow();
    expect(guessMarket("ETH_BTC")).toBe("ETH-BTC");
    expect(guessMarket("DBTC_DUSDT")).toBe("DBTC-DUSDT");
    expect(guessMarket("btc_usdt")).toBe("BTC-USDT");
    expect(guessMarket("BTC_PERP")).toBeUndefined();
    expect(guessMarket("BTCUSDT")).toBeUndefined();
    expect(guessMarket("_USDT")).toBeUndefined();
    expect(guessMarket("A_B_C")).toBeUndefined();
    expect(guessMarket("BTC_")).toBeUndefined();
  });
});

describe("candle periods", () => {
  test("seconds per interval follow WhiteBIT's rules; a month is 2592000 (its code for a calendar month)", () => {
    for (const i of WHITEBIT_INTERVALS) {
      const s = INTERVAL_SECONDS[i];
      if (s < 60) expect(60 % s).toBe(0);
      else if (s < 3600) expect([s % 60, 3600 % s]).toEqual([0, 0]);
      else if (s < 86400) expect([s % 3600, 86400 % s]).toEqual([0, 0]);
      else if (s < 604800) expect(s % 86400).toBe(0);
      else expect([604800, 2592000]).toContain(s);
    }
    expect(INTERVAL_SECONDS["1M"]).toBe(2592000);
  });

  test("close times: fixed lengths, calendar months", () => {
    expect(closeTimeOf("1m", 1580895000000)).toBe(1580895059999);
    expect(closeTimeOf("1w", Date.UTC(2024, 0, 1))).toBe(Date.UTC(2024, 0, 8) - 1);
    expect(closeTimeOf("1M", Date.UTC(2024, 1, 1))).toBe(Date.UTC(2024, 2, 1) - 1); // 29 days
    expect(closeTimeOf("1M", Date.UTC(2024, 11, 1))).toBe(Date.UTC(2025, 0, 1) - 1);
  });

  test("candle request ids carry the period", () => {
    expect(intervalOfRequestId(CANDLE_REQUEST_ID_BASE + 60)).toBe("1m");
    expect(intervalOfRequestId(CANDLE_REQUEST_ID_BASE + 2592000)).toBe("1M");
    expect(intervalOfRequestId(CANDLE_REQUEST_ID_BASE + 61)).toBeUndefined();
    expect(intervalOfRequestId(60)).toBeUndefined();
    expect(intervalOfRequestId("1000000060")).toBeUndefined();
    expect(CANDLE_REQUEST_ID_BASE + 2592000).toBeLessThan(2 ** 31);
  });
});

describe("ws spec", () => {
  test("endpoint, limits, keepalive", () => {
    expect(ws.defaultUrl).toBe("wss://api.whitebit.com");
    expect(ws.limits.argsPerSubscribe).toBe(MARKETS_PER_CONNECTION);
    expect(ws.limits.streamsPerConnection).toBe(MARKETS_PER_CONNECTION * 4 + 1);
    // 200 requests per minute per connection
    expect(ws.limits.messagesPerSecond * 60).toBeLessThanOrEqual(200);
    expect(ws.limits.connectionAttempts).toEqual({ count: 1000, windowMs: 60_000 });
    expect(ws.keepalive).toEqual({ kind: "client-ping", intervalMs: 40_000, message: PING_FRAME });
    expect(JSON.parse(PING_FRAME)).toEqual({ id: 0, method: "ping", params: [] });
    expect(ws.staleAfterMs).toBeGreaterThan(40_000);
  });

  test("300 markets × trade/bbo/ticker/book: 3 connections of 100 markets, each channel ONE request with the full list", () => {
    const markets = Array.from({ length: 300 }, (_, i) => `C${i}-USDT`);
    const subs: Subscription[] = markets.flatMap((market) => [
      { channel: "trade", market },
      { channel: "bbo", market },
      { channel: "ticker", market },
      { channel: "book", market },
    ]);
    const plans = ws.plan(subs, "wss://api.whitebit.com/");
    expect(plans.map((p) => p.url)).toEqual(Array(3).fill("wss://api.whitebit.com/ws"));
    expect(plans.map((p) => p.subscriptions.length)).toEqual([400, 400, 400]);
    expect(plans.flatMap((p) => p.subscriptions)).toEqual(subs);
    const next = counter();
    plans.forEach((p, i) => {
      expect(p.subscriptions.length).toBeLessThanOrEqual(ws.limits.streamsPerConnection);
      const frames = decode(ws.subscribeFrames(p.subscriptions, next));
      // 3 list requests + 100 depth requests: within 200 per minute at the paced rate
      expect(frames).toHaveLength(103);
      expect(frames.length / Math.max(1, ws.limits.messagesPerSecond - 1)).toBeLessThan(60);
      const mine = markets.slice(i * 100, i * 100 + 100).map((m) => m.replace("-", "_"));
      expect(frames.slice(0, 3).map((f) => [f.method, f.params])).toEqual([
        ["trades_subscribe", mine],
        ["bookTicker_subscribe", mine],
        ["market_subscribe", mine],
      ]);
      expect(frames.slice(3).map((f) => f.params)).toEqual(mine.map((s) => [s, 100, "0", true]));
      expect(frames.slice(3).every((f) => f.method === "depth_subscribe")).toBe(true);
      for (const f of frames) expect(f.params.length).toBeLessThanOrEqual(ws.limits.argsPerSubscribe);
    });
    const ids = plans.flatMap((p) => decode(ws.subscribeFrames(p.subscriptions, counter())).map((f) => f.id));
    expect(ids.every((id) => id < CANDLE_REQUEST_ID_BASE)).toBe(true);
  });

  test("candles: one stream per connection, on the connection of its market first, then candle-only connections", () => {
    const subs: Subscription[] = [
      { channel: "trade", market: "BTC-USDT" },
      { channel: "trade", market: "ETH-USDT" },
      { channel: "candle", market: "ETH-USDT", interval: "1m" },
      { channel: "candle", market: "BTC-USDT", interval: "1m" },
      { channel: "candle", market: "BTC-USDT", interval: "1h" },
      { channel: "candle", market: "BTC-USDT", interval: "1h" }, // duplicate
    ];
    const plans = ws.plan(subs, "wss://x");
    expect(plans.map((p) => p.subscriptions)).toEqual([
      [
        { channel: "trade", market: "BTC-USDT" },
        { channel: "trade", market: "ETH-USDT" },
        { channel: "candle", market: "ETH-USDT", interval: "1m" },
      ],
      [{ channel: "candle", market: "BTC-USDT", interval: "1m" }],
      [{ channel: "candle", market: "BTC-USDT", interval: "1h" }],
    ]);
    const frames = plans.map((p) => decode(ws.subscribeFrames(p.subscriptions, counter())));
    expect(frames[0]).toEqual([
      { id: CANDLE_REQUEST_ID_BASE + 60, method: "candles_subscribe", params: ["ETH_USDT", 60] },
      { id: 1, method: "trades_subscribe", params: ["BTC_USDT", "ETH_USDT"] },
    ]);
    expect(frames[2]).toEqual([
      { id: CANDLE_REQUEST_ID_BASE + 3600, method: "candles_subscribe", params: ["BTC_USDT", 3600] },
    ]);
  });

  test("250 markets with trades and 1m candles: 250 connections, each with one candle stream", () => {
    const markets = Array.from({ length: 250 }, (_, i) => `M${i}-USDT`);
    const subs: Subscription[] = markets.flatMap((market) => [
      { channel: "trade", market },
      { channel: "candle", market, interval: "1m" },
    ]);
    const plans = ws.plan(subs, "wss://x");
    expect(plans).toHaveLength(250);
    expect(plans.every((p) => p.subscriptions.filter((s) => s.channel === "candle").length === 1)).toBe(true);
    expect(plans.slice(0, 3).map((p) => p.subscriptions.length)).toEqual([101, 101, 51]);
    for (const p of plans) expect(() => ws.subscribeFrames(p.subscriptions, counter())).not.toThrow();
    expect(plans.length).toBeLessThanOrEqual(ws.limits.connectionAttempts.count);
  });

  test("plan rejects what WhiteBIT spot lacks; empty in, empty out", () => {
    expect(ws.plan([], "wss://x")).toEqual([]);
    expect(() => ws.plan([{ channel: "deriv", market: "BTC-USDT" }], "wss://x")).toThrow(/deriv/);
    expect(() => ws.plan([{ channel: "liquidation", market: "BTC-USDT" }], "wss://x")).toThrow();
    expect(() => ws.plan([{ channel: "candle", market: "BTC-USDT" }], "wss://x")).toThrow(/interval/);
    expect(() => ws.plan([{ channel: "trade", market: "BTC-USDT-PERP" }], "wss://x")).toThrow(/perp/);
  });

  test("subscribeFrames never splits a channel's list (a second request would replace the first)", () => {
    const tooMany: Subscription[] = Array.from({ length: 101 }, (_, i) => ({
      channel: "bbo",
      market: `X${i}-USDT`,
    }));
    expect(() => ws.subscribeFrames(tooMany, counter())).toThrow(/at most 100/);
    expect(() =>
      ws.subscribeFrames(
        [
          { channel: "candle", market: "BTC-USDT", interval: "1m" },
          { channel: "candle", market: "BTC-USDT", interval: "5m" },
        ],
        counter(),
      ),
    ).toThrow(/one candle stream/);
    // duplicates collapse
    const frames = decode(
      ws.subscribeFrames(
        [
          { channel: "trade", market: "BTC-USDT" },
          { channel: "trade", market: "BTC-USDT" },
          { channel: "book", market: "BTC-USDT" },
          { channel: "book", market: "BTC-USDT" },
        ],
        counter(),
      ),
    );
    expect(frames).toEqual([
      { id: 1, method: "trades_subscribe", params: ["BTC_USDT"] },
      { id: 2, method: "depth_subscribe", params: ["BTC_USDT", 100, "0", true] },
    ]);
  });

  test("unsubscribeFrames: list channels are cleared whole, depth per market", () => {
    const frames = decode(
      ws.unsubscribeFrames(
        [
          { channel: "trade", market: "BTC-USDT" },
          { channel: "ticker", market: "BTC-USDT" },
          { channel: "book", market: "BTC-USDT" },
          { channel: "book", market: "ETH-USDT" },
          { channel: "candle", market: "BTC-USDT", interval: "1m" },
        ],
        counter(),
      ),
    );
    expect(frames.map((f) => [f.method, f.params])).toEqual([
      ["candles_unsubscribe", []],
      ["trades_unsubscribe", []],
      ["market_unsubscribe", []],
      ["depth_unsubscribe", ["BTC_USDT"]],
      ["depth_unsubscribe", ["ETH_USDT"]],
    ]);
  });
});
