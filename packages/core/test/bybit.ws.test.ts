import { describe, expect, test } from "bun:test";
import type { Subscription } from "../src/adapter.ts";
import {
  BYBIT_INTERVALS,
  bybitLinear,
  bybitSpot,
  candleCloseTime,
  connectionUrl,
  guessLinearMarket,
  guessSpotMarket,
  MAX_ARGS_CHARS,
  parseTopic,
  topicOf,
} from "../src/exchanges/bybit/index.ts";
import { adapterForMarket, getAdapter, getExchange } from "../src/exchanges/registry.ts";
import { CANDLE_INTERVALS } from "../src/schemas/messages.ts";

function counter(start = 1): () => number {
  let n = start;
  return () => n++;
}

interface SubFrame {
  req_id: string;
  op: string;
  args: string[];
}

describe("adapter identity", () => {
  test("registered as bybit spot + perp; channels; 13 of the 16 normalized intervals", () => {
    expect(getExchange("bybit")?.adapters).toEqual([bybitSpot, bybitLinear]);
    expect(getAdapter("bybit", "spot")).toBe(bybitSpot);
    expect(getAdapter("bybit", "perp")).toBe(bybitLinear);
    expect(adapterForMarket("bybit", "BTC-USDT-PERP")).toBe(bybitLinear);
    expect([bybitSpot.id, bybitSpot.name, bybitSpot.marketType]).toEqual(["bybit", "Bybit", "spot"]);
    expect([bybitLinear.id, bybitLinear.name, bybitLinear.marketType]).toEqual(["bybit", "Bybit", "perp"]);
    expect([...bybitSpot.channels]).toEqual(["trade", "bbo", "ticker", "candle", "book"]);
    expect([...bybitLinear.channels]).toEqual([
      "trade",
      "bbo",
      "ticker",
      "candle",
      "book",
      "deriv",
      "liquidation",
    ]);
    expect([...bybitSpot.intervals]).toEqual(CANDLE_INTERVALS.filter((i) => !["1s", "8h", "3d"].includes(i)));
    expect(bybitLinear.intervals).toBe(BYBIT_INTERVALS);
  });
});

describe("symbols", () => {
  test("market ↔ symbol, both categories", () => {
    expect(bybitSpot.symbolOf("BTC-USDT")).toBe("BTCUSDT");
    expect(bybitSpot.symbolOf("1000PEPE-USDC")).toBe("1000PEPEUSDC");
    expect(() => bybitSpot.symbolOf("BTC-USDT-PERP")).toThrow(/perp/);
    expect(bybitLinear.symbolOf("BTC-USDT-PERP")).toBe("BTCUSDT");
    expect(bybitLinear.symbolOf("BTC-USDC-PERP")).toBe("BTCPERP");
    expect(bybitLinear.symbolOf("BTC-USDT-251226")).toBe("BTCUSDT-26DEC25");
    expect(bybitLinear.symbolOf("ETH-USDC-260327")).toBe("ETH-27MAR26");
    expect(() => bybitLinear.symbolOf("BTC-USDT")).toThrow(/spot/);
    expect(() => bybitLinear.symbolOf("BTC-USDT-251326")).toThrow(/expiry/);
  });

  test("marketOfSymbol guesses by category", () => {
    expect(guessSpotMarket("BTCUSDT")).toBe("BTC-USDT");
    expect(guessSpotMarket("ETHBTC")).toBe("ETH-BTC");
    expect(guessSpotMarket("USDCUSDT")).toBe("USDC-USDT");
    expect(guessSpotMarket("NOPE")).toBeUndefined();
    expect(guessLinearMarket("BTCUSDT")).toBe("BTC-USDT-PERP");
    expect(guessLinearMarket("BTCPERP")).toBe("BTC-USDC-PERP");
    expect(guessLinearMarket("BTCUSDT-26DEC25")).toBe("BTC-USDT-251226");
    expect(guessLinearMarket("ETH-27MAR26")).toBe("ETH-USDC-260327");
    expect(guessLinearMarket("ETH-27XYZ26")).toBeUndefined();
    expect(bybitLinear.marketOfSymbol("SOLUSDT")).toBe("SOL-USDT-PERP");
    expect(bybitSpot.marketOfSymbol("SOLUSDT")).toBe("SOL-USDT");
    for (const m of ["BTC-USDT-PERP", "BTC-USDC-PERP", "BTC-USDT-251226", "ETH-USDC-260327"]) {
      expect(guessLinearMarket(bybitLinear.symbolOf(m))).toBe(m);
    }
  });
});

describe("topics", () => {
  test("one per channel; linear ticker and deriv share tickers.<S>", () => {
    const t = (channel: Subscription["channel"], market = "BTC-USDT-PERP", interval?: "1m") =>
      topicOf("linear", { channel, market, ...(interval ? { interval } : {}) });
    expect(t("trade")).toBe("publicTrade.BTCUSDT");
    expect(t("bbo")).toBe("orderbook.1.BTCUSDT");
    expect(t("book")).toBe("orderbook.1000.BTCUSDT");
    expect(t("ticker")).toBe("tickers.BTCUSDT");
    expect(t("deriv")).toBe("tickers.BTCUSDT");
    expect(t("liquidation")).toBe("allLiquidation.BTCUSDT");
    expect(t("candle", "BTC-USDT-PERP", "1m")).toBe("kline.1.BTCUSDT");
    expect(() => t("candle")).toThrow(/interval/);
    expect(() => topicOf("spot", { channel: "deriv", market: "BTC-USDT" })).toThrow(/deriv/);
    expect(() => topicOf("spot", { channel: "liquidation", market: "BTC-USDT" })).toThrow(/liquidation/);
    expect(() => topicOf("spot", { channel: "candle", market: "BTC-USDT", interval: "8h" })).toThrow(
      /interval/,
    );
  });

  test("interval names and parseTopic reverse every topic", () => {
    const names = BYBIT_INTERVALS.map((interval) =>
      topicOf("spot", { channel: "candle", market: "ETH-BTC", interval }),
    );
    expect(names.map((n) => n.split(".")[1])).toEqual([
      "1",
      "3",
      "5",
      "15",
      "30",
      "60",
      "120",
      "240",
      "360",
      "720",
      "D",
      "W",
      "M",
    ]);
    BYBIT_INTERVALS.forEach((interval, i) => {
      expect(parseTopic(names[i]!)).toEqual({ kind: "candle", symbol: "ETHBTC", interval });
    });
    expect(parseTopic("publicTrade.ETHBTC")).toEqual({ kind: "trade", symbol: "ETHBTC" });
    expect(parseTopic("orderbook.50.ETHBTC")).toEqual({ kind: "book", symbol: "ETHBTC", depth: 50 });
    expect(parseTopic("allLiquidation.BTCUSDT")).toEqual({ kind: "liquidation", symbol: "BTCUSDT" });
    expect(parseTopic("tickers.BTCUSDT-26DEC25")).toEqual({ kind: "ticker", symbol: "BTCUSDT-26DEC25" });
    expect(parseTopic("orderbook.7.BTCUSDT")).toBeUndefined();
    expect(parseTopic("kline.2.BTCUSDT")).toBeUndefined();
    expect(parseTopic("publicTrade.btcusdt")).toBeUndefined();
    expect(parseTopic("nothing")).toBeUndefined();
  });

  test("candle close times: minutes, weeks (Monday), months (calendar)", () => {
    expect(candleCloseTime("1m", 1672324800000)).toBe(1672324859999);
    expect(candleCloseTime("12h", 1672272000000)).toBe(1672315199999);
    expect(candleCloseTime("1d", 1672272000000)).toBe(1672358399999);
    expect(candleCloseTime("1w", Date.UTC(2026, 0, 5))).toBe(Date.UTC(2026, 0, 12) - 1);
    expect(candleCloseTime("1M", Date.UTC(2026, 1, 1))).toBe(Date.UTC(2026, 2, 1) - 1);
    expect(candleCloseTime("1M", Date.UTC(2026, 11, 1))).toBe(Date.UTC(2027, 0, 1) - 1);
  });
});

describe("ws spec", () => {
  test("endpoint, paths, limits, client ping every 20 s", () => {
    for (const a of [bybitSpot, bybitLinear]) {
      expect(a.ws.defaultUrl).toBe("wss://stream.bybit.com");
      expect(a.ws.keepalive).toEqual({
        kind: "client-ping",
        intervalMs: 20_000,
        message: '{"req_id":"ping","op":"ping"}',
      });
      expect(a.ws.limits.connectionAttempts).toEqual({ count: 250, windowMs: 300_000 });
      expect(a.ws.staleAfterMs).toBe(60_000);
      expect(a.ws.maxConnectionAgeMs).toBe(24 * 3_600_000);
    }
    expect(bybitSpot.ws.limits.argsPerSubscribe).toBe(10);
    expect(bybitLinear.ws.limits.argsPerSubscribe).toBe(100);
    expect(connectionUrl("spot", "wss://stream.bybit.com/")).toBe("wss://stream.bybit.com/v5/public/spot");
    expect(connectionUrl("linear", "ws://127.0.0.1:9500")).toBe("ws://127.0.0.1:9500/v5/public/linear");
    // a base that already names the path is kept
    expect(connectionUrl("linear", "wss://stream-testnet.bybit.com/v5/public/linear")).toBe(
      "wss://stream-testnet.bybit.com/v5/public/linear",
    );
  });

  test("plan: hundreds of markets split by topic count and args characters, a market on one connection", () => {
    const markets = Array.from({ length: 300 }, (_, i) => `C${i}-USDT-PERP`);
    const subs: Subscription[] = markets.flatMap((market) => [
      { channel: "trade", market },
      { channel: "ticker", market },
      { channel: "deriv", market }, // same topic as ticker
      { channel: "book", market },
      { channel: "candle", market, interval: "1m" },
    ]);
    const plans = bybitLinear.ws.plan(subs, "wss://stream.bybit.com");
    // 4 topics per market, 200 topics per connection: 50 markets each
    expect(plans).toHaveLength(6);
    expect(plans.every((p) => p.url === "wss://stream.bybit.com/v5/public/linear")).toBe(true);
    expect(plans.map((p) => p.subscriptions.length)).toEqual([250, 250, 250, 250, 250, 250]);
    expect(plans.flatMap((p) => p.subscriptions)).toEqual(subs);
    const seen = new Map<string, number>();
    plans.forEach((p, i) => {
      const topics = new Set(p.subscriptions.map((s) => topicOf("linear", s)));
      expect(topics.size).toBeLessThanOrEqual(200);
      expect(JSON.stringify([...topics]).length - 2).toBeLessThanOrEqual(MAX_ARGS_CHARS);
      for (const s of p.subscriptions) {
        expect(seen.get(s.market) ?? i).toBe(i);
        seen.set(s.market, i);
      }
    });
  });

  test("plan: the 21 000-character args budget binds before the topic count for long symbols", () => {
    const long = "X".repeat(100);
    const subs: Subscription[] = Array.from({ length: 300 }, (_, i) => ({
      channel: "trade" as const,
      market: `${long}${i}-USDT`,
    }));
    const plans = bybitSpot.ws.plan(subs, "wss://x");
    for (const p of plans) {
      const args = p.subscriptions.map((s) => topicOf("spot", s));
      expect(JSON.stringify(args).length - 2).toBeLessThanOrEqual(MAX_ARGS_CHARS);
    }
    // 10 topics of 120 characters (with quotes and comma), 90 of 121, then 122 each: 173 fit
    expect(plans.map((p) => p.subscriptions.length)).toEqual([173, 127]);
    expect(bybitSpot.ws.plan([], "wss://x")).toEqual([]);
    expect(() => bybitSpot.ws.plan([{ channel: "deriv", market: "BTC-USDT" }], "wss://x")).toThrow();
  });

  test("plan: duplicates dropped", () => {
    const subs: Subscription[] = [
      { channel: "trade", market: "BTC-USDT" },
      { channel: "trade", market: "BTC-USDT" },
      { channel: "bbo", market: "BTC-USDT" },
    ];
    expect(bybitSpot.ws.plan(subs, "wss://x")).toEqual([
      { url: "wss://x/v5/public/spot", subscriptions: [subs[0]!, subs[2]!] },
    ]);
  });

  test("subscribeFrames: spot ≤ 10 args per request, req_id from nextId; linear ≤ 100", () => {
    const subs: Subscription[] = Array.from({ length: 205 }, (_, i) => ({
      channel: "trade",
      market: `C${i}-USDT`,
    }));
    const spot = bybitSpot.ws.subscribeFrames(subs, counter(7)).map((f) => JSON.parse(f) as SubFrame);
    expect(spot).toHaveLength(21);
    expect(spot.every((f) => f.op === "subscribe" && f.args.length <= 10)).toBe(true);
    expect(spot.map((f) => f.req_id).slice(0, 3)).toEqual(["7", "8", "9"]);
    expect(spot.flatMap((f) => f.args)).toHaveLength(205);
    const perp = subs.map((s) => ({ ...s, market: `${s.market}-PERP` }));
    const linear = bybitLinear.ws.subscribeFrames(perp, counter()).map((f) => JSON.parse(f) as SubFrame);
    expect(linear.map((f) => f.args.length)).toEqual([100, 100, 5]);
  });

  test("exact frames; ticker + deriv subscribe one topic; unsubscribe", () => {
    const subs: Subscription[] = [
      { channel: "trade", market: "BTC-USDT-PERP" },
      { channel: "ticker", market: "BTC-USDT-PERP" },
      { channel: "deriv", market: "BTC-USDT-PERP" },
      { channel: "candle", market: "BTC-USDT-PERP", interval: "1d" },
    ];
    expect(bybitLinear.ws.subscribeFrames(subs, counter())).toEqual([
      '{"req_id":"1","op":"subscribe","args":["publicTrade.BTCUSDT","tickers.BTCUSDT","kline.D.BTCUSDT"]}',
    ]);
    expect(bybitSpot.ws.unsubscribeFrames([{ channel: "book", market: "ETH-BTC" }], counter(42))).toEqual([
      '{"req_id":"42","op":"unsubscribe","args":["orderbook.1000.ETHBTC"]}',
    ]);
    expect(bybitSpot.ws.subscribeFrames([], counter())).toEqual([]);
  });

  test("the answers to our frames parse as ack / pong", () => {
    const c = { recvTs: 1, marketOf: () => undefined, state: new Map() };
    const [frame] = bybitSpot.ws.subscribeFrames([{ channel: "trade", market: "BTC-USDT" }], counter(5));
    const { req_id } = JSON.parse(frame!) as SubFrame;
    expect(
      bybitSpot.parseFrame(
        JSON.stringify({ success: true, ret_msg: "subscribe", conn_id: "c", req_id, op: "subscribe" }),
        c,
      ),
    ).toEqual({ kind: "ack", id: "5" });
    // linear acks carry req_id "" when none was sent
    expect(
      bybitLinear.parseFrame('{"success":true,"ret_msg":"","conn_id":"c","req_id":"","op":"subscribe"}', c),
    ).toEqual({
      kind: "ack",
      id: null,
    });
    expect(
      bybitLinear.parseFrame('{"success":true,"ret_msg":"pong","conn_id":"c","req_id":"","op":"ping"}', c),
    ).toEqual({
      kind: "control",
      event: "pong",
    });
    expect(bybitLinear.parseFrame('{"args":["1672916271846"],"op":"pong"}', c)).toEqual({
      kind: "control",
      event: "pong",
    });
    expect(
      bybitSpot.parseFrame('{"success":false,"ret_msg":"args size >10","conn_id":"c","op":"subscribe"}', c),
    ).toEqual({
      kind: "error",
      id: null,
      message: "subscribe: args size >10",
    });
  });
});
