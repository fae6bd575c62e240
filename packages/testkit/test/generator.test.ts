import { describe, expect, test } from "bun:test";
import { buildMarketSpec, GroundTruth, MarketGenerator } from "../src/index.ts";

const strip = (t: { id: number; price: number; amount: number; side: string }) => ({
  id: t.id,
  price: t.price,
  amount: t.amount,
  side: t.side,
});

describe("MarketGenerator", () => {
  test("same seed gives the same trades, whatever the timing and the other markets", () => {
    const a = new MarketGenerator({ seed: 7, markets: ["BTC-USDT", "ETH-USDT"], startTime: 1_000 });
    const b = new MarketGenerator({
      seed: 7,
      markets: ["ETH-USDT", "SOL-USDT", "BTC-USDT"],
      startTime: 5_000,
    });
    const ta = [...a.generate("BTC-USDT", 300, 2_000), ...a.generate("BTC-USDT", 200, 3_000)];
    const tb: ReturnType<typeof b.generate> = [];
    for (let i = 0; i < 500; i += 50) tb.push(...b.generate("BTC-USDT", 50, 6_000 + i));
    expect(tb.map(strip)).toEqual(ta.map(strip));
    const c = new MarketGenerator({ seed: 8, markets: ["BTC-USDT"] });
    expect(c.generate("BTC-USDT", 50).map(strip)).not.toEqual(ta.slice(0, 50).map(strip));
  });

  test("ids start at 1 per market and are contiguous; prices sit on the tick and at the touch", () => {
    const g = new MarketGenerator({ seed: 1, markets: ["BTC-USDT", "ETH-USDT"] });
    const spec = g.spec("BTC-USDT");
    let prev = g.bbo("BTC-USDT");
    let id = 0;
    for (let i = 0; i < 2000; i++) {
      const [t] = g.generate("BTC-USDT", 1, 1_000 + i);
      expect(t!.id).toBe(++id);
      expect(t!.price).toBe(t!.side === "buy" ? prev.askPrice : prev.bidPrice);
      expect(Math.abs(t!.price / spec.tickSize - Math.round(t!.price / spec.tickSize))).toBeLessThan(1e-6);
      expect(t!.amount).toBeGreaterThan(0);
      prev = g.bbo("BTC-USDT");
      expect(prev.bidPrice).toBeLessThan(prev.askPrice);
    }
    expect(g.generate("ETH-USDT", 1)[0]!.id).toBe(1);
    const last = g.ticker("BTC-USDT").last;
    expect(last).toBeGreaterThan(55_000);
    expect(last).toBeLessThan(65_000);
  });

  test("plausible start prices and filters", () => {
    expect(buildMarketSpec("BTC-USDT")).toMatchObject({
      startPrice: 60000,
      tickSize: 0.01,
      stepSize: 0.00001,
    });
    expect(buildMarketSpec("ETH-USDT").startPrice).toBe(3000);
    expect(buildMarketSpec("ETH-BTC").startPrice).toBeCloseTo(0.05, 6);
    const unknown = buildMarketSpec("FOO-USDT");
    expect(unknown.startPrice).toBeGreaterThan(0);
    expect(buildMarketSpec({ market: "BTC-USDT", startPrice: 70000 }).startPrice).toBe(70000);
  });

  test("top of book equals the best levels of the book", () => {
    const g = new MarketGenerator({ seed: 3, markets: ["SOL-USDT"] });
    g.generate("SOL-USDT", 500, 1_000);
    const snap = g.book("SOL-USDT").snapshot(1);
    const bbo = g.bbo("SOL-USDT");
    expect(snap.bids[0]).toEqual([bbo.bidPrice, bbo.bidAmount]);
    expect(snap.asks[0]).toEqual([bbo.askPrice, bbo.askAmount]);
    expect(snap.lastUpdateId).toBe(bbo.updateId);
    expect(g.book("SOL-USDT").snapshot(1000).bids.length).toBe(100);
  });

  test("ticker and candles are built from the trades; closed candles match the ground truth", () => {
    const start = Date.UTC(2030, 0, 1, 0, 0, 0);
    const g = new MarketGenerator({ seed: 5, markets: ["BTC-USDT"], startTime: start });
    const truth = new GroundTruth(g);
    const closed: Array<{
      openTime: number;
      interval: string;
      trades: number;
      close: number;
      volume: number;
    }> = [];
    g.addListener({ onCandleClosed: (_m, c) => closed.push(c) });
    for (let s = 0; s < 130; s++) g.generate("BTC-USDT", 3, start + s * 1000 + 10);
    g.tick(start + 200_000);
    const ticker = g.ticker("BTC-USDT");
    expect(ticker.count).toBe(390);
    expect(ticker.firstId).toBe(1);
    expect(ticker.lastId).toBe(390);
    const trades = truth.trades("BTC-USDT");
    expect(ticker.volume).toBeCloseTo(
      trades.reduce((a, t) => a + t.amount, 0),
      8,
    );
    expect(ticker.high).toBe(Math.max(...trades.map((t) => t.price)));

    const minutes = closed.filter((c) => c.interval === "1m");
    expect(minutes.map((c) => c.openTime)).toEqual([start, start + 60_000, start + 120_000]);
    const truthMinutes = truth.candles("BTC-USDT", "1m", {}, start + 200_000);
    expect(truthMinutes.slice(0, 3)).toEqual(minutes as never);
    expect(minutes[0]!.trades).toBe(180);
    expect(truth.trades("BTC-USDT", { from: start + 60_000, to: start + 119_999 }).length).toBe(180);
    expect(truth.trades("BTC-USDT", { fromId: 100, limit: 5 }).map((t) => t.id)).toEqual([
      100, 101, 102, 103, 104,
    ]);
  });
});
