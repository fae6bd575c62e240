import { describe, expect, test } from "bun:test";
import type { Trade } from "@tickerplant/core";
import type { AlertRule } from "@tickerplant/db";
import { observe } from "../src/alerts/conditions.ts";
import { Venues } from "../src/assets/venues.ts";
import { StatsEngine } from "../src/stats-engine.ts";

const T0 = Date.UTC(2026, 0, 1, 12);

function rule(kind: AlertRule["kind"], threshold: number | null, window: string | null = null): AlertRule {
  return {
    id: "r",
    exchange: "binance",
    market: "BTC-USDT",
    kind,
    threshold,
    window,
    cooldown: 0,
    webhook: null,
    armed: true,
    createdAt: T0,
    lastFiredAt: null,
    secret: null,
  };
}

function trade(ts: number, price: number, amount = 1): Trade {
  return {
    type: "trade",
    exchange: "binance",
    market: "BTC-USDT",
    symbol: "BTCUSDT",
    ts,
    recvTs: ts,
    id: String(ts),
    price,
    amount,
    side: "buy",
  };
}

/** Replays prices through the fire/re-arm rule the evaluator applies; returns the firing prices. */
function crossings(kind: "price_above" | "price_below", threshold: number, prices: number[]): number[] {
  const r = rule(kind, threshold);
  const fired: number[] = [];
  prices.forEach((p, i) => {
    const o = observe(r, undefined, undefined, T0, trade(T0 + i, p));
    if (r.armed && o.met) {
      fired.push(p);
      r.armed = false;
    } else if (!r.armed && o.cleared) r.armed = true;
  });
  return fired;
}

describe("alert conditions", () => {
  test("a price rule fires once per crossing, re-arming only past the hysteresis band", () => {
    // 100 → 100.05 crosses; jitter around the threshold (within 0.1 %) does not fire again;
    // a fall below 99.9 re-arms, the next rise fires.
    expect(crossings("price_above", 100, [99, 100.05, 99.95, 100.01, 99.95, 100.2, 99.8, 100.1])).toEqual([
      100.05, 100.1,
    ]);
    expect(crossings("price_below", 100, [101, 99.9, 100.05, 99.99, 100.2, 99])).toEqual([99.9, 99]);
  });

  test("change, spread, volume spike and stale read the windows and the venue", () => {
    const stats = new StatsEngine({ intervalMs: 1000 });
    const venues = new Venues(new Set(["USDT"]));
    for (let i = 0; i < 50; i++) stats.apply(trade(T0 + i * 60_000, 100, 1), T0 + i * 60_000); // 50 min flat
    const now = T0 + 50 * 60_000;
    stats.apply(trade(now, 106, 30), now);
    const t = trade(now, 106, 30);
    venues.onTrade(t);
    const view = stats.view("binance", "BTC-USDT");
    expect(observe(rule("change_pct", 5, "5m"), venues.get("binance", "BTC-USDT"), view, now).met).toBe(true);
    expect(observe(rule("change_pct", -5, "5m"), venues.get("binance", "BTC-USDT"), view, now).met).toBe(
      false,
    );
    const spike = observe(rule("volume_spike", 5, "1m"), undefined, view, now);
    expect(spike.met).toBe(true); // 30 in the last minute vs 80/60 per minute over the hour
    venues.onBbo({ ...t, type: "bbo", bidPrice: 99, bidAmount: 1, askPrice: 101, askAmount: 1 });
    const spread = observe(rule("spread_above", 1.5), venues.get("binance", "BTC-USDT"), view, now);
    expect(spread.value).toBeCloseTo(2, 10);
    expect(spread.met).toBe(true);
    const stale = rule("stale", null, "30s");
    expect(observe(stale, venues.get("binance", "BTC-USDT"), view, now + 10_000).met).toBe(false);
    expect(observe(stale, venues.get("binance", "BTC-USDT"), view, now + 31_000).met).toBe(true);
    venues.onStatus({
      type: "status",
      exchange: "binance",
      market: "*",
      symbol: "",
      ts: now + 1,
      recvTs: now + 1,
      event: "gap",
      detail: "reconnect",
    });
    expect(observe(stale, venues.get("binance", "BTC-USDT"), view, now + 2).met).toBe(true);
  });
});
