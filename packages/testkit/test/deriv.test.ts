import { describe, expect, test } from "bun:test";
import {
  buildMarketSpec,
  GroundTruth,
  MarketGenerator,
  nextFundingTime,
  parseMarketName,
  type SimLiquidation,
} from "../src/index.ts";

const strip = (t: { id: number; price: number; amount: number; side: string }) => [
  t.id,
  t.price,
  t.amount,
  t.side,
];

describe("perpetual markets", () => {
  test("BASE-QUOTE-PERP names parse to perp specs with the spot market's filters", () => {
    expect(parseMarketName("BTC-USDT-PERP")).toEqual({ base: "BTC", quote: "USDT", kind: "perp" });
    expect(parseMarketName("BTC-USDT")).toEqual({ base: "BTC", quote: "USDT", kind: "spot" });
    expect(() => parseMarketName("BTC-USDT-240927")).toThrow();
    expect(() => parseMarketName("btc-usdt")).toThrow();
    const perp = buildMarketSpec("BTC-USDT-PERP");
    const { market: _a, kind: _b, ...spotRest } = buildMarketSpec("BTC-USDT");
    expect(perp).toMatchObject({ market: "BTC-USDT-PERP", kind: "perp", ...spotRest });
  });

  test("next funding at 00/08/16 UTC, strictly after the time", () => {
    const day = Date.UTC(2030, 0, 1);
    expect(nextFundingTime(day)).toBe(day + 8 * 3_600_000);
    expect(nextFundingTime(day - 1)).toBe(day);
    expect(nextFundingTime(day + 9 * 3_600_000)).toBe(day + 16 * 3_600_000);
    expect(nextFundingTime(day + 23 * 3_600_000)).toBe(day + 24 * 3_600_000);
  });

  test("deriv state follows the price path, stays plausible and is deterministic", () => {
    const start = Date.UTC(2030, 0, 1, 7, 59, 0);
    const run = (markets: string[]) => {
      const g = new MarketGenerator({ seed: 11, markets, startTime: start });
      const states = [];
      for (let i = 0; i < 100; i++) {
        g.generate("BTC-USDT-PERP", 50, start + i * 1000);
        states.push(g.deriv("BTC-USDT-PERP"));
      }
      return { g, states };
    };
    const { g, states } = run(["BTC-USDT-PERP"]);
    expect(run(["ETH-USDT", "BTC-USDT-PERP", "BTC-USDT"]).states).toEqual(states);

    const spec = g.spec("BTC-USDT-PERP");
    const last = g.ticker("BTC-USDT-PERP").last;
    const d = states.at(-1)!;
    expect(Math.abs(d.markPrice / last - 1)).toBeLessThan(1e-3);
    expect(Math.abs(d.markPrice / spec.tickSize - Math.round(d.markPrice / spec.tickSize))).toBeLessThan(
      1e-6,
    );
    for (const s of states) {
      expect(Math.abs(s.indexPrice / s.markPrice - 1)).toBeLessThanOrEqual(3.01e-4);
      expect(Math.abs(s.fundingRate)).toBeLessThan(3e-4);
      expect(s.openInterest).toBeGreaterThan(0);
    }
    // Oscillating funding (both signs over 5000 trades), varying OI, mark moving with the trades.
    const rates = states.map((s) => s.fundingRate);
    expect(Math.min(...rates)).toBeLessThan(0);
    expect(Math.max(...rates)).toBeGreaterThan(1e-4);
    expect(new Set(states.map((s) => s.openInterest)).size).toBeGreaterThan(50);
    const oi = states.map((s) => s.openInterest);
    expect(Math.max(...oi) / Math.min(...oi)).toBeLessThan(1.5);
    expect(new Set(states.map((s) => s.markPrice)).size).toBeGreaterThan(10);
    // The clock crossed 08:00 UTC at the second call.
    expect(states[0]!.nextFundingTime).toBe(Date.UTC(2030, 0, 1, 8));
    expect(states[0]!.ts).toBe(start);
    expect(d.nextFundingTime).toBe(Date.UTC(2030, 0, 1, 16));
    g.tick(Date.UTC(2030, 0, 1, 16, 0, 1));
    expect(g.deriv("BTC-USDT-PERP").nextFundingTime).toBe(Date.UTC(2030, 0, 2));
  });

  test("perp trades are generated like spot trades; spot markets have no deriv state", () => {
    const g = new MarketGenerator({ seed: 3, markets: ["BTC-USDT", "BTC-USDT-PERP"] });
    const spot = g.generate("BTC-USDT", 100, 1_000);
    const perp = g.generate("BTC-USDT-PERP", 100, 1_000);
    expect(perp[0]!.id).toBe(1);
    expect(perp.map(strip)).not.toEqual(spot.map(strip));
    expect(g.isPerp("BTC-USDT-PERP")).toBe(true);
    expect(g.isPerp("BTC-USDT")).toBe(false);
    expect(() => g.deriv("BTC-USDT")).toThrow(/not a perpetual/);
    expect(g.liquidationCount("BTC-USDT")).toBe(0);
    // The spot sequence is the same as without any perp market beside it.
    const alone = new MarketGenerator({ seed: 3, markets: ["BTC-USDT"] }).generate("BTC-USDT", 100, 1_000);
    expect(alone.map(strip)).toEqual(spot.map(strip));
  });

  test("about 1 % of perp trades are liquidations: deterministic, told to listeners, in the ground truth", () => {
    const make = () => {
      const g = new MarketGenerator({ seed: 9, markets: ["ETH-USDT-PERP", "ETH-USDT"], startTime: 1_000 });
      const truth = new GroundTruth(g);
      const heard: Array<[string, SimLiquidation]> = [];
      const order: string[] = [];
      g.addListener({
        onTrades: (b) => order.push(`trades:${b.trades.length}`),
        onLiquidation: (m, l) => {
          heard.push([m, l]);
          order.push("liq");
        },
      });
      const trades = [];
      for (let i = 0; i < 40; i++) trades.push(...g.generate("ETH-USDT-PERP", 250, 10_000 + i));
      g.generate("ETH-USDT", 2000, 20_000);
      return { g, truth, heard, order, trades };
    };
    const { g, truth, heard, order, trades } = make();
    const liqs = truth.liquidations("ETH-USDT-PERP");
    expect(liqs.length).toBeGreaterThan(50);
    expect(liqs.length).toBeLessThan(150);
    expect(g.liquidationCount("ETH-USDT-PERP")).toBe(liqs.length);
    expect(truth.liquidations("ETH-USDT")).toEqual([]);
    expect(heard.map(([m]) => m).every((m) => m === "ETH-USDT-PERP")).toBe(true);
    expect(heard.map(([, l]) => l)).toEqual(liqs);
    expect(liqs.map((l) => l.id)).toEqual(liqs.map((_, i) => i + 1));
    expect(order[0]).toBe("trades:250");
    for (const l of liqs) {
      const t = trades[l.tradeId - 1]!;
      expect([l.price, l.amount, l.side, l.ts]).toEqual([t.price, t.amount, t.side, t.ts]);
    }
    expect(make().truth.liquidations("ETH-USDT-PERP")).toEqual(liqs);
    const mid = liqs[10]!;
    expect(
      truth.liquidations("ETH-USDT-PERP", { from: mid.ts, to: mid.ts }).every((l) => l.ts === mid.ts),
    ).toBe(true);
    expect(truth.liquidations("ETH-USDT-PERP", { fromId: 5, limit: 3 }).map((l) => l.id)).toEqual([5, 6, 7]);
    expect(truth.deriv("ETH-USDT-PERP")).toEqual(g.deriv("ETH-USDT-PERP"));
  });
});
