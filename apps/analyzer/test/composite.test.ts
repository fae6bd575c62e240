import { describe, expect, test } from "bun:test";
import type { Bbo, Status, Trade } from "@tickerplant/core";
import { computeComposite, computeSpread } from "../src/assets/composite.ts";
import { Venues } from "../src/assets/venues.ts";
import { StatsEngine } from "../src/stats-engine.ts";

const T0 = Date.UTC(2026, 0, 1, 12);

function trade(exchange: string, market: string, ts: number, price: number, amount: number): Trade {
  return {
    type: "trade",
    exchange,
    market,
    symbol: market,
    ts,
    recvTs: ts,
    id: `${ts}`,
    price,
    amount,
    side: "buy",
  };
}

function bbo(exchange: string, market: string, ts: number, bid: number, ask: number): Bbo {
  return {
    type: "bbo",
    exchange,
    market,
    symbol: market,
    ts,
    recvTs: ts,
    bidPrice: bid,
    bidAmount: 1,
    askPrice: ask,
    askAmount: 2,
  };
}

function setup() {
  const venues = new Venues(new Set(["USD", "USDT", "USDC"]));
  const stats = new StatsEngine({ intervalMs: 1000 });
  const add = (t: Trade) => {
    stats.apply(t, t.ts);
    venues.onTrade(t);
  };
  const inputs = (asset: string, now: number, method: "volume_weighted" | "median" = "volume_weighted") => ({
    asset,
    venues: venues.ofAsset(asset),
    view: (ex: string, mkt: string) => stats.view(ex, mkt),
    now,
    staleMs: 5000,
    method,
  });
  return { venues, add, inputs };
}

describe("composite price", () => {
  test("weights each venue's last price by its 24 h volume and lists the sources", () => {
    const { add, inputs, venues } = setup();
    add(trade("binance", "BTC-USDT", T0, 100, 1));
    add(trade("binance", "BTC-USDT", T0 + 1, 101, 3)); // volume 4, last 101
    add(trade("okx", "BTC-USDC", T0 + 2, 103, 1)); // volume 1, last 103
    add(trade("okx", "BTC-USDT-PERP", T0 + 2, 999, 50)); // not spot: not a source
    add(trade("kraken", "BTC-EUR", T0 + 2, 999, 50)); // not a dollar quote
    expect(venues.assets()).toEqual(["BTC"]);
    const c = computeComposite(inputs("BTC", T0 + 10));
    expect(c.price).toBeCloseTo((101 * 4 + 103 * 1) / 5, 10);
    expect(c.sources.map((s) => `${s.exchange}:${s.market}:${s.weight}`)).toEqual([
      "binance:BTC-USDT:0.8",
      "okx:BTC-USDC:0.2",
    ]);
    expect(c.excluded).toEqual([]);
    expect(c.open24h).toBeCloseTo((100 * 4 + 103) / 5, 10);
    expect(computeComposite(inputs("BTC", T0 + 10, "median")).price).toBe(102);
  });

  test("a venue silent for longer than the stale window, or flagged by a status, is excluded", () => {
    const { add, inputs, venues } = setup();
    add(trade("binance", "BTC-USDT", T0, 100, 1));
    add(trade("okx", "BTC-USDT", T0 + 4000, 110, 1));
    let c = computeComposite(inputs("BTC", T0 + 6000));
    expect(c.price).toBe(110);
    expect(c.excluded).toMatchObject([{ exchange: "binance", market: "BTC-USDT", reason: "stale" }]);

    const down: Status = {
      type: "status",
      exchange: "okx",
      market: "*",
      symbol: "",
      ts: T0 + 4500,
      recvTs: T0 + 4500,
      event: "disconnected",
      detail: "socket closed",
    };
    venues.onStatus(down);
    c = computeComposite(inputs("BTC", T0 + 4600));
    expect(c.price).toBe(100);
    expect(c.excluded).toMatchObject([{ exchange: "okx", reason: "disconnected" }]);
    // Data received after the event clears the flag.
    add(trade("okx", "BTC-USDT", T0 + 4700, 111, 1));
    c = computeComposite(inputs("BTC", T0 + 4800));
    expect(c.sources.map((s) => s.exchange)).toEqual(["binance", "okx"]);
    // No venue left: no price, every venue listed as excluded.
    c = computeComposite(inputs("BTC", T0 + 60_000));
    expect(c.price).toBeNull();
    expect(c.excluded).toHaveLength(2);
  });
});

describe("cross-venue spread", () => {
  test("best bid and ask across venues, spread and arbitrage gap", () => {
    const { venues, inputs } = setup();
    venues.onBbo(bbo("binance", "ETH-USDT", T0, 100, 101));
    venues.onBbo(bbo("okx", "ETH-USD", T0, 101.5, 102));
    const s = computeSpread(inputs("ETH", T0 + 10));
    expect(s.bestBid).toEqual({ exchange: "okx", market: "ETH-USD", price: 101.5, amount: 1 });
    expect(s.bestAsk).toEqual({ exchange: "binance", market: "ETH-USDT", price: 101, amount: 2 });
    expect(s.spread).toBeCloseTo(-0.5, 10);
    expect(s.arbitrage).toBeCloseTo(0.5, 10);
    expect(s.arbitragePct).toBeCloseTo((0.5 / 101.25) * 100, 10);
  });
});
