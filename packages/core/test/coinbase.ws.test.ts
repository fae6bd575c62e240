import { describe, expect, test } from "bun:test";
import type { Subscription } from "../src/adapter.ts";
import { channelsOfMarket, coinbase, WS_INTERVALS } from "../src/exchanges/coinbase/index.ts";
import { getAdapter, getExchange } from "../src/exchanges/registry.ts";

interface Frame {
  type: string;
  product_ids: string[];
  channel: string;
}

const parse = (frames: string[]) => frames.map((f) => JSON.parse(f) as Frame);
const noIds = () => {
  throw new Error("Coinbase frames carry no request id");
};

describe("adapter identity", () => {
  test("registered as coinbase spot: five channels, WebSocket candles 5m only", () => {
    expect(getAdapter("coinbase")).toBe(coinbase);
    expect(getExchange("coinbase")?.adapters).toEqual([coinbase]);
    expect(getAdapter("coinbase", "perp")).toBeUndefined();
    expect([coinbase.id, coinbase.name, coinbase.marketType]).toEqual(["coinbase", "Coinbase", "spot"]);
    expect([...coinbase.channels]).toEqual(["trade", "bbo", "ticker", "candle", "book"]);
    expect([...coinbase.intervals]).toEqual(["5m"]);
    expect(WS_INTERVALS).toEqual(["5m"]);
  });

  test("product ids are market names", () => {
    expect(coinbase.symbolOf("BTC-USD")).toBe("BTC-USD");
    expect(coinbase.symbolOf("USDT-USDC")).toBe("USDT-USDC");
    expect(() => coinbase.symbolOf("BTC-USD-PERP")).toThrow(/perp/);
    expect(() => coinbase.symbolOf("btc-usd")).toThrow();
    expect(coinbase.marketOfSymbol("BTC-USD")).toBe("BTC-USD");
    expect(coinbase.marketOfSymbol("eth-eur")).toBe("ETH-EUR");
    expect(coinbase.marketOfSymbol("BIT-28JUL23-CDE")).toBeUndefined();
    expect(coinbase.marketOfSymbol("BTC-USD-PERP")).toBeUndefined();
    expect(coinbase.marketOfSymbol("BTCUSD")).toBeUndefined();
  });
});

describe("channel mapping", () => {
  const m = "BTC-USD";
  test("trade, book, candle; bbo takes the ticker channel, ticker alone the 5 s ticker_batch", () => {
    expect(channelsOfMarket([{ channel: "trade", market: m }])).toEqual(["market_trades"]);
    expect(channelsOfMarket([{ channel: "book", market: m }])).toEqual(["level2"]);
    expect(channelsOfMarket([{ channel: "candle", market: m, interval: "5m" }])).toEqual(["candles"]);
    expect(channelsOfMarket([{ channel: "ticker", market: m }])).toEqual(["ticker_batch"]);
    expect(channelsOfMarket([{ channel: "bbo", market: m }])).toEqual(["ticker"]);
    expect(
      channelsOfMarket([
        { channel: "ticker", market: m },
        { channel: "bbo", market: m },
        { channel: "candle", market: m, interval: "5m" },
        { channel: "trade", market: m },
        { channel: "book", market: m },
      ]),
    ).toEqual(["level2", "market_trades", "ticker", "candles"]);
  });

  test("no other candle interval, no derivatives channels", () => {
    expect(() => channelsOfMarket([{ channel: "candle", market: m, interval: "1m" }])).toThrow(/5-minute/);
    expect(() => channelsOfMarket([{ channel: "candle", market: m }])).toThrow(/5-minute/);
    expect(() => channelsOfMarket([{ channel: "deriv", market: m }])).toThrow(/deriv/);
    expect(() => channelsOfMarket([{ channel: "liquidation", market: m }])).toThrow(/liquidation/);
  });
});

describe("ws spec", () => {
  const { ws } = coinbase;

  test("endpoint, limits, heartbeat-channel keepalive", () => {
    expect(ws.defaultUrl).toBe("wss://advanced-trade-ws.coinbase.com");
    expect(ws.limits).toEqual({
      streamsPerConnection: 100,
      argsPerSubscribe: 100,
      messagesPerSecond: 4,
      connectionAttempts: { count: 8, windowMs: 1000 },
    });
    // at most half of Coinbase's 8 unauthenticated messages per second per IP
    expect(ws.limits.messagesPerSecond).toBeLessThanOrEqual(4);
    expect(ws.keepalive).toEqual({ kind: "heartbeat-channel" });
    expect(ws.staleAfterMs).toBe(15_000);
    expect(ws.maxConnectionAgeMs).toBe(24 * 3_600_000);
  });

  test("exact frames: one channel per message, heartbeats first, products grouped by channel", () => {
    const subs: Subscription[] = [
      { channel: "trade", market: "BTC-USD" },
      { channel: "book", market: "BTC-USD" },
      { channel: "trade", market: "ETH-USD" },
      { channel: "ticker", market: "ETH-USD" },
      { channel: "bbo", market: "SOL-USD" },
      { channel: "candle", market: "SOL-USD", interval: "5m" },
      { channel: "trade", market: "BTC-USD" }, // duplicate
    ];
    expect(ws.subscribeFrames(subs, noIds)).toEqual([
      '{"type":"subscribe","product_ids":["BTC-USD","ETH-USD","SOL-USD"],"channel":"heartbeats"}',
      '{"type":"subscribe","product_ids":["BTC-USD"],"channel":"level2"}',
      '{"type":"subscribe","product_ids":["BTC-USD","ETH-USD"],"channel":"market_trades"}',
      '{"type":"subscribe","product_ids":["SOL-USD"],"channel":"ticker"}',
      '{"type":"subscribe","product_ids":["ETH-USD"],"channel":"ticker_batch"}',
      '{"type":"subscribe","product_ids":["SOL-USD"],"channel":"candles"}',
    ]);
    expect(ws.unsubscribeFrames([{ channel: "book", market: "ETH-USD" }], noIds)).toEqual([
      '{"type":"unsubscribe","product_ids":["ETH-USD"],"channel":"level2"}',
    ]);
    expect(ws.subscribeFrames([], noIds)).toEqual([]);
    expect(() =>
      ws.subscribeFrames([{ channel: "candle", market: "BTC-USD", interval: "1h" }], noIds),
    ).toThrow();
  });

  test("plan: 400 markets × 3 channels → 13 connections of ≤ 100 streams; a market stays on one", () => {
    const markets = Array.from({ length: 400 }, (_, i) => `C${i}-USD`);
    const subs: Subscription[] = markets.flatMap((market) => [
      { channel: "trade", market },
      { channel: "book", market },
      { channel: "bbo", market },
    ]);
    const plans = ws.plan(subs, "wss://advanced-trade-ws.coinbase.com/");
    expect(plans).toHaveLength(13); // 33 markets (99 streams) each
    expect(new Set(plans.map((p) => p.url))).toEqual(new Set(["wss://advanced-trade-ws.coinbase.com"]));
    expect(plans.map((p) => p.subscriptions.length)).toEqual([...Array(12).fill(99), 400 * 3 - 12 * 99]);
    const seen = new Map<string, number>();
    plans.forEach((p, i) => {
      for (const s of p.subscriptions) {
        const prev = seen.get(s.market);
        if (prev !== undefined) expect(prev).toBe(i);
        seen.set(s.market, i);
      }
    });
    expect(plans.flatMap((p) => p.subscriptions)).toEqual(subs);
    // each connection's frames: one per channel, ≤ 100 products each, heartbeats for all of them
    for (const p of plans) {
      const frames = parse(ws.subscribeFrames(p.subscriptions, noIds));
      expect(frames.map((f) => f.channel)).toEqual(["heartbeats", "level2", "market_trades", "ticker"]);
      const n = p.subscriptions.length / 3;
      for (const f of frames) {
        expect(f.type).toBe("subscribe");
        expect(f.product_ids).toHaveLength(n);
        expect(f.product_ids.length).toBeLessThanOrEqual(ws.limits.argsPerSubscribe);
      }
    }
  });

  test("frames of a big connection are chunked to argsPerSubscribe products, still one channel each", () => {
    const subs: Subscription[] = Array.from({ length: 250 }, (_, i) => ({
      channel: "trade",
      market: `T${i}-USD`,
    }));
    const frames = parse(ws.subscribeFrames(subs, noIds));
    expect(frames.map((f) => [f.channel, f.product_ids.length])).toEqual([
      ["heartbeats", 100],
      ["heartbeats", 100],
      ["heartbeats", 50],
      ["market_trades", 100],
      ["market_trades", 100],
      ["market_trades", 50],
    ]);
    // the plan never builds such a connection: 250 single-channel markets need three
    expect(ws.plan(subs, "wss://x").map((p) => p.subscriptions.length)).toEqual([100, 100, 50]);
  });

  test("resubscribe (book resync): just that channel, off then on, heartbeats untouched", () => {
    const all: Subscription[] = [
      { channel: "book", market: "BTC-USD" },
      { channel: "trade", market: "BTC-USD" },
      { channel: "ticker", market: "BTC-USD" },
      { channel: "bbo", market: "BTC-USD" },
      { channel: "book", market: "ETH-USD" },
      { channel: "ticker", market: "ETH-USD" },
    ];
    expect(ws.resubscribeFrames!([all[0]!, all[4]!], all, noIds)).toEqual([
      '{"type":"unsubscribe","product_ids":["BTC-USD","ETH-USD"],"channel":"level2"}',
      '{"type":"subscribe","product_ids":["BTC-USD","ETH-USD"],"channel":"level2"}',
    ]);
    // a ticker rides on "ticker" when its market also has bbo, on "ticker_batch" otherwise
    expect(ws.resubscribeFrames!([all[2]!, all[5]!], all, noIds)).toEqual([
      '{"type":"unsubscribe","product_ids":["BTC-USD"],"channel":"ticker"}',
      '{"type":"unsubscribe","product_ids":["ETH-USD"],"channel":"ticker_batch"}',
      '{"type":"subscribe","product_ids":["BTC-USD"],"channel":"ticker"}',
      '{"type":"subscribe","product_ids":["ETH-USD"],"channel":"ticker_batch"}',
    ]);
  });

  test("plan validates: unknown channel, other candle intervals, perp markets", () => {
    expect(ws.plan([], "wss://x")).toEqual([]);
    expect(() => ws.plan([{ channel: "deriv", market: "BTC-USD" }], "wss://x")).toThrow();
    expect(() => ws.plan([{ channel: "candle", market: "BTC-USD", interval: "1m" }], "wss://x")).toThrow(
      /5-minute/,
    );
    expect(() => ws.plan([{ channel: "trade", market: "BTC-USD-PERP" }], "wss://x")).toThrow(/perp/);
  });
});
