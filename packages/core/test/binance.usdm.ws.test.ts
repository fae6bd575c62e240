import { describe, expect, test } from "bun:test";
import type { Subscription } from "../src/adapter.ts";
import {
  binance,
  binanceUsdm,
  guessUsdmMarket,
  parseUsdmStreamName,
  routeOf,
  USDM_INTERVALS,
  usdmStreamName,
  usdmStreamSymbol,
} from "../src/exchanges/binance/index.ts";
import { adapterForMarket, getAdapter, getExchange } from "../src/exchanges/registry.ts";
import { CANDLE_INTERVALS } from "../src/schemas/messages.ts";

function counter(start = 1): () => number {
  let n = start;
  return () => n++;
}

const { ws } = binanceUsdm;

describe("adapter identity", () => {
  test("the perp adapter of exchange binance, next to spot", () => {
    expect([binanceUsdm.id, binanceUsdm.name, binanceUsdm.marketType]).toEqual([
      "binance",
      "Binance",
      "perp",
    ]);
    expect(getExchange("binance")?.adapters).toEqual([binance, binanceUsdm]);
    expect(getAdapter("binance", "perp")).toBe(binanceUsdm);
    expect(adapterForMarket("binance", "BTC-USDT-PERP")).toBe(binanceUsdm);
    expect(adapterForMarket("binance", "BTC-USDT")).toBe(binance);
    expect([...binanceUsdm.channels]).toEqual([
      "trade",
      "bbo",
      "ticker",
      "candle",
      "book",
      "deriv",
      "liquidation",
    ]);
    // every normalized interval but 1s
    expect([...binanceUsdm.intervals]).toEqual(CANDLE_INTERVALS.filter((i) => i !== "1s"));
    expect(USDM_INTERVALS).toHaveLength(15);
  });
});

describe("symbols", () => {
  test("market ↔ symbol: perps and dated futures", () => {
    expect(binanceUsdm.symbolOf("BTC-USDT-PERP")).toBe("BTCUSDT");
    expect(binanceUsdm.symbolOf("1000SHIB-USDT-PERP")).toBe("1000SHIBUSDT");
    expect(binanceUsdm.symbolOf("BTC-USDT-260925")).toBe("BTCUSDT_260925");
    expect(usdmStreamSymbol("ETH-USDC-PERP")).toBe("ethusdc");
    expect(() => binanceUsdm.symbolOf("BTC-USDT")).toThrow(/spot/);
    expect(() => binanceUsdm.symbolOf("btcusdt")).toThrow();
  });

  test("marketOfSymbol guesses by quote suffix", () => {
    expect(guessUsdmMarket("BTCUSDT")).toBe("BTC-USDT-PERP");
    expect(binanceUsdm.marketOfSymbol("ethusdc")).toBe("ETH-USDC-PERP");
    expect(binanceUsdm.marketOfSymbol("BTCBUSD_210129")).toBe("BTC-BUSD-210129");
    expect(binanceUsdm.marketOfSymbol("BTCUSDT_PERP")).toBeUndefined();
    expect(binanceUsdm.marketOfSymbol("ABCXYZ")).toBeUndefined();
  });
});

describe("stream names and routes", () => {
  const m = "BTC-USDT-PERP";
  test("one per channel; book and bbo on /public, the rest on /market", () => {
    const subs: Subscription[] = [
      { channel: "trade", market: m },
      { channel: "bbo", market: m },
      { channel: "ticker", market: m },
      { channel: "candle", market: m, interval: "1M" },
      { channel: "book", market: m },
      { channel: "deriv", market: m },
      { channel: "liquidation", market: m },
    ];
    const names = subs.map(usdmStreamName);
    expect(names).toEqual([
      "btcusdt@aggTrade",
      "btcusdt@bookTicker",
      "btcusdt@ticker",
      "btcusdt@kline_1M",
      "btcusdt@depth@100ms",
      "btcusdt@markPrice@1s",
      "btcusdt@forceOrder",
    ]);
    expect(names.map(routeOf)).toEqual([
      "market",
      "public",
      "market",
      "market",
      "public",
      "market",
      "market",
    ]);
    expect(routeOf("btcusdt@depth5@100ms")).toBe("public");
    expect(() => usdmStreamName({ channel: "candle", market: m, interval: "1s" })).toThrow(/interval/);
    expect(() => usdmStreamName({ channel: "candle", market: m })).toThrow(/interval/);
  });

  test("parseStreamName reverses streamName for every channel and interval", () => {
    const subs: Subscription[] = [
      ...(["trade", "bbo", "ticker", "book", "deriv", "liquidation"] as const).map((channel) => ({
        channel,
        market: m,
      })),
      ...USDM_INTERVALS.map((interval) => ({ channel: "candle" as const, market: m, interval })),
    ];
    for (const s of subs) {
      const ref = parseUsdmStreamName(usdmStreamName(s))!;
      expect(ref).toEqual({
        symbol: "BTCUSDT",
        channel: s.channel,
        ...(s.interval ? { interval: s.interval } : {}),
      });
    }
    expect(parseUsdmStreamName("btcusdt@markPrice")?.channel).toBe("deriv");
    expect(parseUsdmStreamName("btcusdt@depth@0ms")?.channel).toBe("book");
    expect(parseUsdmStreamName("btcusdt@trade")).toBeUndefined();
    expect(parseUsdmStreamName("btcusdt@kline_1s")).toBeUndefined();
    expect(parseUsdmStreamName("nonsense")).toBeUndefined();
  });
});

describe("ws spec", () => {
  test("endpoint, limits, keepalive (server pings every 3 min), connection age", () => {
    expect(ws.defaultUrl).toBe("wss://fstream.binance.com");
    expect(ws.limits.streamsPerConnection).toBe(1024);
    expect(ws.limits.argsPerSubscribe).toBe(200);
    expect(ws.limits.messagesPerSecond).toBeLessThan(10);
    expect(ws.keepalive).toEqual({ kind: "server-ping", serverIntervalMs: 180_000 });
    expect(ws.maxConnectionAgeMs).toBeLessThan(24 * 3_600_000);
    expect(ws.maxConnectionAgeMs).toBeGreaterThan(23 * 3_600_000);
  });

  test("plan with 600 markets × 7 channels: per route, ≤1024 streams each, a market's route on one connection", () => {
    const markets = Array.from({ length: 600 }, (_, i) => `C${i}-USDT-PERP`);
    const subs: Subscription[] = markets.flatMap((market) => [
      { channel: "trade", market },
      { channel: "bbo", market },
      { channel: "book", market },
      { channel: "ticker", market },
      { channel: "candle", market, interval: "1m" },
      { channel: "deriv", market },
      { channel: "liquidation", market },
    ]);
    const plans = ws.plan(subs, "wss://fstream.binance.com/");
    const pub = plans.filter((p) => p.url === "wss://fstream.binance.com/public/stream");
    const mkt = plans.filter((p) => p.url === "wss://fstream.binance.com/market/stream");
    expect(pub.length + mkt.length).toBe(plans.length);
    expect(pub.map((p) => p.subscriptions.length)).toEqual([1024, 176]); // 1200 book + bbo
    expect(mkt.map((p) => p.subscriptions.length)).toEqual([1020, 1020, 960]); // 3000, 5 per market
    for (const p of pub)
      expect(p.subscriptions.every((s) => s.channel === "book" || s.channel === "bbo")).toBe(true);
    for (const p of mkt)
      expect(p.subscriptions.every((s) => s.channel !== "book" && s.channel !== "bbo")).toBe(true);
    for (const group of [pub, mkt]) {
      const seen = new Map<string, number>();
      group.forEach((p, i) => {
        for (const s of p.subscriptions) {
          expect(seen.get(s.market) ?? i).toBe(i);
          seen.set(s.market, i);
        }
      });
    }
    expect(plans.flatMap((p) => p.subscriptions)).toHaveLength(subs.length);
    expect(ws.plan([], "wss://x")).toEqual([]);
    expect(() => ws.plan([{ channel: "trade", market: "BTC-USDT" }], "wss://x")).toThrow(/spot/);
  });

  test("a simulator base URL gets the real routed paths", () => {
    const plans = ws.plan(
      [
        { channel: "trade", market: "BTC-USDT-PERP" },
        { channel: "book", market: "BTC-USDT-PERP" },
      ],
      "ws://127.0.0.1:9500",
    );
    expect(plans).toEqual([
      {
        url: "ws://127.0.0.1:9500/public/stream",
        subscriptions: [{ channel: "book", market: "BTC-USDT-PERP" }],
      },
      {
        url: "ws://127.0.0.1:9500/market/stream",
        subscriptions: [{ channel: "trade", market: "BTC-USDT-PERP" }],
      },
    ]);
  });

  test("subscribeFrames: ≤200 params per SUBSCRIBE, ids from nextId; UNSUBSCRIBE", () => {
    const subs: Subscription[] = Array.from({ length: 450 }, (_, i) => ({
      channel: "deriv",
      market: `C${i}-USDT-PERP`,
    }));
    const frames = ws.subscribeFrames(subs, counter(7)).map((f) => JSON.parse(f));
    expect(frames.map((f) => [f.method, f.id, f.params.length])).toEqual([
      ["SUBSCRIBE", 7, 200],
      ["SUBSCRIBE", 8, 200],
      ["SUBSCRIBE", 9, 50],
    ]);
    expect(frames[0].params[0]).toBe("c0usdt@markPrice@1s");
    expect(
      ws.unsubscribeFrames(
        [
          { channel: "liquidation", market: "ETH-USDT-PERP" },
          { channel: "liquidation", market: "ETH-USDT-PERP" },
        ],
        counter(3),
      ),
    ).toEqual(['{"method":"UNSUBSCRIBE","params":["ethusdt@forceOrder"],"id":3}']);
  });
});
