import { describe, expect, test } from "bun:test";
import type { ConnectionPlan, Subscription } from "../src/adapter.ts";
import { MAX_ARGS_BYTES, OKX_INTERVALS, okxSpot, okxSwap, WS_LIMITS } from "../src/exchanges/okx/index.ts";
import { getAdapter, getExchange } from "../src/exchanges/registry.ts";
import { CANDLE_INTERVALS } from "../src/schemas/messages.ts";

const BASE = "wss://ws.okx.com:8443";
let id = 0;
const nextId = () => ++id;

interface Arg {
  channel: string;
  instId?: string;
  instType?: string;
}

function argsOf(frames: string[]): Arg[] {
  return frames.flatMap((f) => {
    const m = JSON.parse(f) as { op: string; args: Arg[] };
    return m.args;
  });
}

const key = (a: Arg) => `${a.channel}:${a.instId ?? a.instType}`;

describe("symbols", () => {
  test("spot BTC-USDT ↔ BTC-USDT; swap BTC-USDT-PERP ↔ BTC-USDT-SWAP", () => {
    expect(okxSpot.symbolOf("BTC-USDT")).toBe("BTC-USDT");
    expect(okxSwap.symbolOf("BTC-USDT-PERP")).toBe("BTC-USDT-SWAP");
    expect(okxSwap.symbolOf("BTC-USD-PERP")).toBe("BTC-USD-SWAP");
    expect(() => okxSpot.symbolOf("BTC-USDT-PERP")).toThrow();
    expect(() => okxSwap.symbolOf("BTC-USDT")).toThrow();
    expect(okxSpot.marketOfSymbol("ETH-BTC")).toBe("ETH-BTC");
    expect(okxSpot.marketOfSymbol("BTC-USDT-SWAP")).toBeUndefined();
    expect(okxSwap.marketOfSymbol("ETH-USDT-SWAP")).toBe("ETH-USDT-PERP");
    expect(okxSwap.marketOfSymbol("BTC-USD-220527")).toBe("BTC-USD-220527");
    expect(okxSwap.marketOfSymbol("BTC-USD-220527-30000-C")).toBeUndefined();
    expect(okxSwap.marketOfSymbol("BTC-USDT")).toBeUndefined();
  });

  test("registered as one exchange with a spot and a perp adapter", () => {
    expect(getExchange("okx")?.adapters).toEqual([okxSpot, okxSwap]);
    expect(getAdapter("okx", "perp")).toBe(okxSwap);
  });

  test("every normalized interval but 8h", () => {
    expect(OKX_INTERVALS).toEqual(CANDLE_INTERVALS.filter((i) => i !== "8h"));
    expect(okxSwap.channels).toEqual(["trade", "bbo", "ticker", "candle", "book", "deriv", "liquidation"]);
    expect(okxSpot.channels).toEqual(["trade", "bbo", "ticker", "candle", "book"]);
  });
});

describe("plan and subscribe frames", () => {
  test("candles and trades-all go to /business, the rest to /public", () => {
    const subs: Subscription[] = [
      { channel: "trade", market: "BTC-USDT" },
      { channel: "book", market: "BTC-USDT" },
      { channel: "bbo", market: "BTC-USDT" },
      { channel: "ticker", market: "BTC-USDT" },
      { channel: "candle", market: "BTC-USDT", interval: "1m" },
      { channel: "candle", market: "BTC-USDT", interval: "1d" },
    ];
    const plans = okxSpot.ws.plan(subs, `${BASE}/`);
    expect(plans.map((p) => p.url)).toEqual([`${BASE}/ws/v5/public`, `${BASE}/ws/v5/business`]);
    expect(okxSpot.ws.subscribeFrames(plans[0]!.subscriptions, nextId)).toEqual([
      '{"op":"subscribe","args":[{"channel":"books","instId":"BTC-USDT"},{"channel":"bbo-tbt","instId":"BTC-USDT"},{"channel":"tickers","instId":"BTC-USDT"}]}',
    ]);
    expect(okxSpot.ws.subscribeFrames(plans[1]!.subscriptions, nextId)).toEqual([
      '{"op":"subscribe","args":[{"channel":"trades-all","instId":"BTC-USDT"},{"channel":"candle1m","instId":"BTC-USDT"},{"channel":"candle1Dutc","instId":"BTC-USDT"}]}',
    ]);
    expect(okxSpot.ws.unsubscribeFrames([subs[1]!], nextId)).toEqual([
      '{"op":"unsubscribe","args":[{"channel":"books","instId":"BTC-USDT"}]}',
    ]);
  });

  test("deriv = mark-price, index-tickers (on the index), funding-rate, open-interest; liquidation by instType", () => {
    const subs: Subscription[] = [
      { channel: "deriv", market: "ETH-USDT-PERP" },
      { channel: "liquidation", market: "ETH-USDT-PERP" },
      { channel: "liquidation", market: "BTC-USDT-PERP" },
    ];
    const plans = okxSwap.ws.plan(subs, BASE);
    expect(plans).toHaveLength(1);
    expect(argsOf(okxSwap.ws.subscribeFrames(plans[0]!.subscriptions, nextId))).toEqual([
      { channel: "mark-price", instId: "ETH-USDT-SWAP" },
      { channel: "index-tickers", instId: "ETH-USDT" },
      { channel: "funding-rate", instId: "ETH-USDT-SWAP" },
      { channel: "open-interest", instId: "ETH-USDT-SWAP" },
      { channel: "liquidation-orders", instType: "SWAP" },
    ]);
  });

  test("channels a market type lacks and bad intervals throw", () => {
    expect(() => okxSpot.ws.plan([{ channel: "deriv", market: "BTC-USDT" }], BASE)).toThrow(/deriv/);
    expect(() => okxSpot.ws.plan([{ channel: "liquidation", market: "BTC-USDT" }], BASE)).toThrow();
    expect(() => okxSpot.ws.plan([{ channel: "candle", market: "BTC-USDT" }], BASE)).toThrow(/interval/);
    expect(() =>
      okxSpot.ws.plan([{ channel: "candle", market: "BTC-USDT", interval: "8h" }], BASE),
    ).toThrow();
    expect(() => okxSwap.ws.plan([{ channel: "trade", market: "BTC-USDT" }], BASE)).toThrow();
  });

  test("hundreds of markets: ≤ 500 arguments per connection, ≤ 64 KB per request, nothing lost or doubled", () => {
    const markets = Array.from(
      { length: 700 },
      (_, i) => `C${i.toString(36).toUpperCase()}LONGNAME${i}-USDT-PERP`,
    );
    const subs: Subscription[] = markets.flatMap((market): Subscription[] => [
      { channel: "trade", market },
      { channel: "book", market },
      { channel: "bbo", market },
      { channel: "ticker", market },
      { channel: "deriv", market },
      { channel: "liquidation", market },
      { channel: "candle", market, interval: "1m" },
      { channel: "candle", market, interval: "1w" },
      { channel: "book", market }, // a duplicate
    ]);
    const plans: ConnectionPlan[] = okxSwap.ws.plan(subs, BASE);
    const seen = new Map<string, number>();
    for (const p of plans) {
      const business = p.url.endsWith("/ws/v5/business");
      expect(business || p.url.endsWith("/ws/v5/public")).toBe(true);
      const frames = okxSwap.ws.subscribeFrames(p.subscriptions, nextId);
      const args = argsOf(frames);
      expect(args.length).toBeLessThanOrEqual(WS_LIMITS.streamsPerConnection);
      for (const f of frames) {
        const m = JSON.parse(f) as { args: Arg[] };
        expect(m.args.length).toBeLessThanOrEqual(WS_LIMITS.argsPerSubscribe);
        expect(JSON.stringify(m.args).length).toBeLessThanOrEqual(MAX_ARGS_BYTES);
      }
      for (const a of args) {
        expect(a.channel === "trades-all" || a.channel.startsWith("candle")).toBe(business);
        seen.set(key(a), (seen.get(key(a)) ?? 0) + 1);
      }
      // a market's public channels share a connection
      if (!business) {
        const books = new Set(p.subscriptions.filter((s) => s.channel === "book").map((s) => s.market));
        const derivs = new Set(p.subscriptions.filter((s) => s.channel === "deriv").map((s) => s.market));
        expect(derivs).toEqual(books);
      }
    }
    // 700 × (books, bbo-tbt, tickers, 4 deriv) + 1 liquidation-orders; 700 × (trades-all, 2 candles)
    expect(seen.size).toBe(700 * 7 + 1 + 700 * 3);
    expect([...seen.values()].every((n) => n === 1)).toBe(true);
    expect(seen.get("liquidation-orders:SWAP")).toBe(1);
    expect(plans.length).toBe(Math.ceil((700 * 7 + 1) / 497) + Math.ceil((700 * 3) / 498));
  });

  test("a request is cut at 64 KB even under the argument count", () => {
    const long = "X".repeat(2000);
    const subs: Subscription[] = Array.from({ length: 60 }, (_, i) => ({
      channel: "book",
      market: `${long}${i}-USDT`,
    }));
    const frames = okxSpot.ws.subscribeFrames(subs, nextId);
    expect(frames.length).toBeGreaterThan(1);
    for (const f of frames) expect((JSON.parse(f) as { args: Arg[] }).args.length).toBeGreaterThan(0);
    for (const f of frames)
      expect(JSON.stringify((JSON.parse(f) as { args: Arg[] }).args).length).toBeLessThanOrEqual(
        MAX_ARGS_BYTES,
      );
    expect(argsOf(frames)).toHaveLength(60);
  });
});

describe("limits and keepalive", () => {
  test("text ping every 20 s (OKX cuts after 30 s idle); 1 connection/s per adapter (3/s per IP)", () => {
    for (const a of [okxSpot, okxSwap]) {
      expect(a.ws.defaultUrl).toBe("wss://ws.okx.com:8443");
      expect(a.ws.keepalive).toEqual({ kind: "client-ping", intervalMs: 20_000, message: "ping" });
      expect(a.ws.limits.connectionAttempts).toEqual({ count: 1, windowMs: 1000 });
      expect(a.ws.staleAfterMs).toBeGreaterThan(2 * 20_000);
      expect(a.ws.maxConnectionAgeMs).toBeLessThanOrEqual(2 ** 31 - 1);
    }
  });
});
