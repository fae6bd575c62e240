import { describe, expect, test } from "bun:test";
import type { Subscription } from "../src/adapter.ts";
import {
  BINANCE_INTERVALS,
  binance,
  guessMarket,
  parseStreamName,
  streamName,
  streamSymbol,
} from "../src/exchanges/binance/index.ts";
import { getAdapter } from "../src/exchanges/registry.ts";
import { CANDLE_INTERVALS } from "../src/schemas/messages.ts";

function counter(start = 1): () => number {
  let n = start;
  return () => n++;
}

describe("adapter identity", () => {
  test("registered as binance spot with five channels and all 16 intervals", () => {
    expect(getAdapter("binance")).toBe(binance);
    expect([binance.id, binance.name, binance.marketType]).toEqual(["binance", "Binance", "spot"]);
    expect([...binance.channels]).toEqual(["trade", "bbo", "ticker", "candle", "book"]);
    expect([...binance.intervals]).toEqual([...CANDLE_INTERVALS]);
    expect(BINANCE_INTERVALS).toHaveLength(16);
  });
});

describe("symbols", () => {
  test("market ↔ symbol", () => {
    expect(binance.symbolOf("BTC-USDT")).toBe("BTCUSDT");
    expect(binance.symbolOf("1000SATS-FDUSD")).toBe("1000SATSFDUSD");
    expect(streamSymbol("BTC-USDT")).toBe("btcusdt");
    expect(() => binance.symbolOf("BTC-USDT-PERP")).toThrow(/perp/);
    expect(() => binance.symbolOf("BTC-USDT-250926")).toThrow(/future/);
    expect(() => binance.symbolOf("btcusdt")).toThrow();
  });

  test("guessMarket by quote suffix", () => {
    expect(guessMarket("BTCUSDT")).toBe("BTC-USDT");
    expect(guessMarket("btcusdc")).toBe("BTC-USDC");
    expect(guessMarket("ETHBTC")).toBe("ETH-BTC");
    expect(guessMarket("DOGEBNB")).toBe("DOGE-BNB");
    expect(guessMarket("OMGBUSD")).toBe("OMG-BUSD");
    expect(guessMarket("BTCFDUSD")).toBe("BTC-FDUSD");
    expect(guessMarket("BTCTUSD")).toBe("BTC-TUSD");
    expect(guessMarket("USDT")).toBeUndefined();
    expect(guessMarket("ABCXYZ")).toBeUndefined();
    expect(guessMarket("币安人生USDT")).toBeUndefined();
  });
});

describe("stream names", () => {
  test("one per channel, lowercase symbol", () => {
    expect(streamName({ channel: "trade", market: "BTC-USDT" })).toBe("btcusdt@trade");
    expect(streamName({ channel: "bbo", market: "BTC-USDT" })).toBe("btcusdt@bookTicker");
    expect(streamName({ channel: "ticker", market: "BTC-USDT" })).toBe("btcusdt@ticker");
    expect(streamName({ channel: "book", market: "BTC-USDT" })).toBe("btcusdt@depth@100ms");
    expect(streamName({ channel: "candle", market: "BTC-USDT", interval: "1s" })).toBe("btcusdt@kline_1s");
    expect(streamName({ channel: "candle", market: "BTC-USDT", interval: "1M" })).toBe("btcusdt@kline_1M");
    expect(() => streamName({ channel: "candle", market: "BTC-USDT" })).toThrow(/interval/);
    expect(() => streamName({ channel: "deriv", market: "BTC-USDT" })).toThrow(/deriv/);
    expect(() => streamName({ channel: "liquidation", market: "BTC-USDT" })).toThrow();
  });

  test("parseStreamName reverses streamName for every channel and interval", () => {
    const subs: Subscription[] = [
      { channel: "trade", market: "ETH-BTC" },
      { channel: "bbo", market: "ETH-BTC" },
      { channel: "ticker", market: "ETH-BTC" },
      { channel: "book", market: "ETH-BTC" },
      ...BINANCE_INTERVALS.map(
        (interval): Subscription => ({ channel: "candle", market: "ETH-BTC", interval }),
      ),
    ];
    for (const sub of subs) {
      const ref = parseStreamName(streamName(sub));
      expect(ref).toEqual({
        symbol: "ETHBTC",
        channel: sub.channel as "trade",
        ...(sub.interval ? { interval: sub.interval } : {}),
      });
    }
    expect(parseStreamName("btcusdt@aggTrade")).toBeUndefined();
    expect(parseStreamName("btcusdt@kline_2m")).toBeUndefined();
    expect(parseStreamName("!miniTicker@arr")).toEqual(undefined);
    expect(parseStreamName("nocategory")).toBeUndefined();
  });
});

describe("ws spec", () => {
  const { ws } = binance;

  test("endpoint, limits, keepalive, connection age", () => {
    expect(ws.defaultUrl).toBe("wss://stream.binance.com:9443");
    expect(ws.limits.streamsPerConnection).toBe(1024);
    expect(ws.limits.argsPerSubscribe).toBe(200);
    expect(ws.limits.messagesPerSecond).toBeLessThanOrEqual(5);
    expect(ws.limits.messagesPerSecond).toBeGreaterThanOrEqual(1);
    expect(ws.limits.connectionAttempts).toEqual({ count: 300, windowMs: 300_000 });
    expect(ws.keepalive).toEqual({ kind: "server-ping", serverIntervalMs: 20_000 });
    expect(ws.maxConnectionAgeMs).toBeLessThan(24 * 3_600_000);
    expect(ws.maxConnectionAgeMs).toBeGreaterThan(23 * 3_600_000);
    expect(ws.staleAfterMs).toBe(60_000);
  });

  test("plan: URL without streams; ≤1024 streams per connection; a market stays on one connection", () => {
    const markets = Array.from({ length: 300 }, (_, i) => `C${i}-USDT`);
    const subs: Subscription[] = markets.flatMap((market) => [
      { channel: "trade", market },
      { channel: "bbo", market },
      { channel: "book", market },
      { channel: "candle", market, interval: "1m" },
    ]);
    const plans = ws.plan(subs, "wss://stream.binance.com:9443/");
    expect(plans).toHaveLength(2);
    expect(plans.map((p) => p.url)).toEqual([
      "wss://stream.binance.com:9443/stream",
      "wss://stream.binance.com:9443/stream",
    ]);
    expect(plans.map((p) => p.subscriptions.length)).toEqual([1024, 176]);
    const seen = new Map<string, number>();
    plans.forEach((p, i) => {
      for (const s of p.subscriptions) {
        const prev = seen.get(s.market);
        if (prev !== undefined) expect(prev).toBe(i);
        seen.set(s.market, i);
      }
    });
    expect(plans.flatMap((p) => p.subscriptions)).toEqual(subs);
  });

  test("plan: a group that does not fit starts a new connection; duplicates dropped", () => {
    // 1023 trades, then a market with three channels: it moves whole to connection two
    const subs: Subscription[] = Array.from({ length: 1023 }, (_, i) => ({
      channel: "trade" as const,
      market: `T${i}-USDT`,
    }));
    subs.push(
      { channel: "trade", market: "BTC-USDT" },
      { channel: "bbo", market: "BTC-USDT" },
      { channel: "book", market: "BTC-USDT" },
    );
    subs.push({ channel: "trade", market: "BTC-USDT" }); // duplicate
    const plans = ws.plan(subs, "wss://example.test");
    expect(plans.map((p) => p.subscriptions.length)).toEqual([1023, 3]);
    expect(plans[1]!.subscriptions.every((s) => s.market === "BTC-USDT")).toBe(true);
    expect(ws.plan([], "wss://x")).toEqual([]);
    expect(() => ws.plan([{ channel: "deriv", market: "BTC-USDT" }], "wss://x")).toThrow();
  });

  test("subscribeFrames: SUBSCRIBE frames of ≤200 params with ids from nextId", () => {
    const subs: Subscription[] = Array.from({ length: 450 }, (_, i) => ({
      channel: "trade",
      market: `C${i}-USDT`,
    }));
    const frames = ws.subscribeFrames(subs, counter(7));
    expect(frames).toHaveLength(3);
    const parsed = frames.map((f) => JSON.parse(f) as { method: string; params: string[]; id: number });
    expect(parsed.map((f) => f.method)).toEqual(["SUBSCRIBE", "SUBSCRIBE", "SUBSCRIBE"]);
    expect(parsed.map((f) => f.id)).toEqual([7, 8, 9]);
    expect(parsed.map((f) => f.params.length)).toEqual([200, 200, 50]);
    expect(parsed[0]!.params[0]).toBe("c0usdt@trade");
    expect(parsed.flatMap((f) => f.params)).toHaveLength(450);
    expect(frames[2]).toBe(JSON.stringify({ method: "SUBSCRIBE", params: parsed[2]!.params, id: 9 }));
  });

  test("exact frame for a small set, and UNSUBSCRIBE", () => {
    const subs: Subscription[] = [
      { channel: "trade", market: "BTC-USDT" },
      { channel: "bbo", market: "BTC-USDT" },
      { channel: "candle", market: "BTC-USDT", interval: "5m" },
      { channel: "trade", market: "BTC-USDT" },
    ];
    expect(ws.subscribeFrames(subs, counter())).toEqual([
      '{"method":"SUBSCRIBE","params":["btcusdt@trade","btcusdt@bookTicker","btcusdt@kline_5m"],"id":1}',
    ]);
    expect(ws.unsubscribeFrames([{ channel: "book", market: "ETH-BTC" }], counter(42))).toEqual([
      '{"method":"UNSUBSCRIBE","params":["ethbtc@depth@100ms"],"id":42}',
    ]);
    expect(ws.subscribeFrames([], counter())).toEqual([]);
  });

  test("the ack of a subscribe frame parses as an ack with its id", () => {
    const [frame] = ws.subscribeFrames([{ channel: "trade", market: "BTC-USDT" }], counter(5));
    const { id } = JSON.parse(frame!) as { id: number };
    expect(
      binance.parseFrame(JSON.stringify({ result: null, id }), {
        recvTs: 1,
        marketOf: () => undefined,
        state: new Map(),
      }),
    ).toEqual({
      kind: "ack",
      id: 5,
    });
  });
});
