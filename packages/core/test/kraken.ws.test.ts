import { describe, expect, test } from "bun:test";
import type { Subscription } from "../src/adapter.ts";
import {
  intervalMinutes,
  intervalOfMinutes,
  KRAKEN_BOOK_DEPTH,
  KRAKEN_INTERVALS,
  kraken,
  krakenStreams,
  marketOfSymbol,
  restPair,
  v2Symbol,
} from "../src/exchanges/kraken/index.ts";

function counter(start = 1): () => number {
  let n = start;
  return () => n++;
}

type Frame = {
  method: string;
  params: Record<string, unknown> & { channel: string; symbol: string[] };
  req_id: number;
};
const parseFrames = (frames: string[]) => frames.map((f) => JSON.parse(f) as Frame);

describe("adapter identity", () => {
  test("kraken spot: five channels, Kraken's eight normalizable intervals", () => {
    expect([kraken.id, kraken.name, kraken.marketType]).toEqual(["kraken", "Kraken", "spot"]);
    expect([...kraken.channels]).toEqual(["trade", "bbo", "ticker", "candle", "book"]);
    expect([...kraken.intervals]).toEqual(["1m", "5m", "15m", "30m", "1h", "4h", "1d", "1w"]);
    expect(KRAKEN_INTERVALS.map(intervalMinutes)).toEqual([1, 5, 15, 30, 60, 240, 1440, 10080]);
    expect([1, 5, 15, 30, 60, 240, 1440, 10080].map(intervalOfMinutes)).toEqual([...KRAKEN_INTERVALS]);
    expect(intervalOfMinutes(21600)).toBeUndefined();
    expect(() => intervalMinutes("3m")).toThrow(/interval/);
    expect(() => intervalMinutes(undefined)).toThrow(/interval/);
  });
});

describe("symbols", () => {
  test("market ↔ v2 symbol; XBT/XDG are BTC/DOGE; REST altnames keep the legacy codes", () => {
    expect(kraken.symbolOf("BTC-USD")).toBe("BTC/USD");
    expect(kraken.symbolOf("DOGE-EUR")).toBe("DOGE/EUR");
    expect(restPair("BTC-USD")).toBe("XBTUSD");
    expect(restPair("DOGE-BTC")).toBe("XDGXBT");
    expect(restPair("ETH-USDT")).toBe("ETHUSDT");
    expect(v2Symbol("XBT/USD")).toBe("BTC/USD");
    expect(v2Symbol("XDG/XBT")).toBe("DOGE/BTC");
    expect(v2Symbol("ETH/USD")).toBe("ETH/USD");
    expect(() => kraken.symbolOf("BTC-USD-PERP")).toThrow(/perp/);
    expect(() => kraken.symbolOf("btc/usd")).toThrow();
  });

  test("marketOfSymbol without a market list", () => {
    expect(kraken.marketOfSymbol("BTC/USD")).toBe("BTC-USD");
    expect(kraken.marketOfSymbol("XBT/USD")).toBe("BTC-USD");
    expect(kraken.marketOfSymbol("XDG/USD")).toBe("DOGE-USD");
    expect(kraken.marketOfSymbol("waves/eur")).toBe("WAVES-EUR");
    expect(marketOfSymbol("ETH2.S/ETH")).toBeUndefined();
    expect(marketOfSymbol("BTCUSD")).toBeUndefined();
    expect(marketOfSymbol("A/B/C")).toBeUndefined();
    expect(marketOfSymbol("/USD")).toBeUndefined();
  });
});

describe("ws spec", () => {
  const { ws } = kraken;

  test("endpoint, limits, keepalive", () => {
    expect(ws.defaultUrl).toBe("wss://ws.kraken.com");
    expect(ws.limits).toEqual({
      streamsPerConnection: 200,
      argsPerSubscribe: 50,
      messagesPerSecond: 5,
      connectionAttempts: { count: 150, windowMs: 600_000 },
    });
    expect(ws.keepalive).toEqual({ kind: "heartbeat-channel" });
    expect(ws.staleAfterMs).toBe(10_000);
    expect(ws.maxConnectionAgeMs).toBe(24 * 3_600_000);
  });

  test("exact subscribe frames per channel (the brief's book example shape)", () => {
    const subs: Subscription[] = [
      { channel: "book", market: "BTC-USD" },
      { channel: "trade", market: "BTC-USD" },
      { channel: "ticker", market: "BTC-USD" },
      { channel: "candle", market: "BTC-USD", interval: "1h" },
      { channel: "candle", market: "ETH-USD", interval: "1h" },
      { channel: "candle", market: "BTC-USD", interval: "1m" },
      { channel: "trade", market: "BTC-USD" },
    ];
    expect(ws.subscribeFrames(subs, counter())).toEqual([
      `{"method":"subscribe","params":{"channel":"book","symbol":["BTC/USD"],"depth":${KRAKEN_BOOK_DEPTH},"snapshot":true},"req_id":1}`,
      '{"method":"subscribe","params":{"channel":"trade","symbol":["BTC/USD"],"snapshot":true},"req_id":2}',
      '{"method":"subscribe","params":{"channel":"ticker","symbol":["BTC/USD"],"snapshot":true},"req_id":3}',
      '{"method":"subscribe","params":{"channel":"ohlc","symbol":["BTC/USD","ETH/USD"],"interval":60,"snapshot":true},"req_id":4}',
      '{"method":"subscribe","params":{"channel":"ohlc","symbol":["BTC/USD"],"interval":1,"snapshot":true},"req_id":5}',
    ]);
    expect(ws.unsubscribeFrames([{ channel: "book", market: "ETH-BTC" }], counter(9))).toEqual([
      `{"method":"unsubscribe","params":{"channel":"book","symbol":["ETH/BTC"],"depth":${KRAKEN_BOOK_DEPTH}},"req_id":9}`,
    ]);
    expect(ws.subscribeFrames([], counter())).toEqual([]);
    expect(() => ws.subscribeFrames([{ channel: "deriv", market: "BTC-USD" }], counter())).toThrow(/deriv/);
    expect(() =>
      ws.subscribeFrames([{ channel: "candle", market: "BTC-USD", interval: "3m" }], counter()),
    ).toThrow(/interval/);
  });

  test("bbo and ticker share Kraken's ticker channel: one subscription, event_trigger bbo", () => {
    const both: Subscription[] = [
      { channel: "ticker", market: "BTC-USD" },
      { channel: "bbo", market: "BTC-USD" },
      { channel: "ticker", market: "ETH-USD" },
      { channel: "bbo", market: "SOL-USD" },
    ];
    expect(krakenStreams(both).map((s) => [s.symbol, s.params])).toEqual([
      ["BTC/USD", { channel: "ticker", event_trigger: "bbo", snapshot: true }],
      ["ETH/USD", { channel: "ticker", snapshot: true }],
      ["SOL/USD", { channel: "ticker", event_trigger: "bbo", snapshot: true }],
    ]);
    expect(ws.subscribeFrames(both, counter())).toEqual([
      '{"method":"subscribe","params":{"channel":"ticker","symbol":["BTC/USD","SOL/USD"],"event_trigger":"bbo","snapshot":true},"req_id":1}',
      '{"method":"subscribe","params":{"channel":"ticker","symbol":["ETH/USD"],"snapshot":true},"req_id":2}',
    ]);
  });

  test("hundreds of markets: ≤200 subscriptions per connection, ≤50 symbols per request, a market on one connection", () => {
    const markets = Array.from({ length: 300 }, (_, i) => `C${i}-USD`);
    const subs: Subscription[] = markets.flatMap((market): Subscription[] => [
      { channel: "trade", market },
      { channel: "bbo", market },
      { channel: "ticker", market },
      { channel: "book", market },
      { channel: "candle", market, interval: "1m" },
    ]);
    const plans = ws.plan(subs, "wss://ws.kraken.com/");
    // bbo + ticker are one Kraken subscription: 4 per market, 50 markets per connection
    expect(plans).toHaveLength(6);
    expect(plans.every((p) => p.url === "wss://ws.kraken.com/v2")).toBe(true);
    expect(plans.map((p) => krakenStreams(p.subscriptions).length)).toEqual([200, 200, 200, 200, 200, 200]);
    const seen = new Map<string, number>();
    plans.forEach((p, i) => {
      for (const s of p.subscriptions) {
        const prev = seen.get(s.market);
        if (prev !== undefined) expect(prev).toBe(i);
        seen.set(s.market, i);
      }
    });
    expect(plans.flatMap((p) => p.subscriptions)).toEqual(subs);
    for (const p of plans) {
      const frames = parseFrames(ws.subscribeFrames(p.subscriptions, counter()));
      expect(frames.every((f) => f.method === "subscribe" && f.params.symbol.length <= 50)).toBe(true);
      expect(frames.map((f) => f.params.symbol.length)).toEqual([50, 50, 50, 50]);
      expect(frames.flatMap((f) => f.params.symbol).length).toBe(krakenStreams(p.subscriptions).length);
    }
    // one big request splits into frames of 50 symbols, ids from nextId
    const trades: Subscription[] = markets.map((market) => ({ channel: "trade", market }));
    const frames = parseFrames(ws.subscribeFrames(trades, counter(11)));
    expect(frames.map((f) => f.params.symbol.length)).toEqual([50, 50, 50, 50, 50, 50]);
    expect(frames.map((f) => f.req_id)).toEqual([11, 12, 13, 14, 15, 16]);
    expect(frames[0]!.params.symbol[0]).toBe("C0/USD");
  });

  test("plan: duplicates dropped, a market that does not fit moves whole to the next connection", () => {
    const subs: Subscription[] = Array.from({ length: 199 }, (_, i) => ({
      channel: "trade" as const,
      market: `T${i}-USD`,
    }));
    subs.push({ channel: "trade", market: "BTC-USD" }, { channel: "book", market: "BTC-USD" });
    subs.push({ channel: "trade", market: "T0-USD" });
    const plans = kraken.ws.plan(subs, "ws://127.0.0.1:9500");
    expect(plans.map((p) => p.subscriptions.length)).toEqual([199, 2]);
    expect(plans[1]!.url).toBe("ws://127.0.0.1:9500/v2");
    expect(kraken.ws.plan([], "wss://x")).toEqual([]);
    expect(() => kraken.ws.plan([{ channel: "liquidation", market: "BTC-USD" }], "wss://x")).toThrow();
  });

  test("an ack of a subscribe frame parses as an ack with its req_id", () => {
    const [frame] = kraken.ws.subscribeFrames([{ channel: "trade", market: "BTC-USD" }], counter(5));
    const { req_id } = JSON.parse(frame!) as { req_id: number };
    const ack = JSON.stringify({
      method: "subscribe",
      result: { channel: "trade", snapshot: true, symbol: "BTC/USD" },
      success: true,
      time_in: "2023-09-25T09:04:31.742599Z",
      time_out: "2023-09-25T09:04:31.742648Z",
      req_id,
    });
    expect(kraken.parseFrame(ack, { recvTs: 1, marketOf: () => undefined, state: new Map() })).toEqual({
      kind: "ack",
      id: 5,
    });
  });
});
