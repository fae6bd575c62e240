import { STATS_WINDOW_MS, type StatsWindow } from "@tickerplant/core";
import type { AlertRule } from "@tickerplant/db";
import type { VenueState } from "../assets/venues.ts";
import type { MarketView } from "../stats-engine.ts";

/** Relative band a price must move back past the threshold before a rule re-arms. */
export const PRICE_HYSTERESIS = 0.001;
export const DEFAULT_STALE_MS = 60_000;

export interface Observation {
  /** The condition holds: fire if armed. */
  met: boolean;
  /** The condition is clear past the hysteresis band: re-arm. */
  cleared: boolean;
  value: number | null;
  detail: string;
}

const NOTHING: Observation = { met: false, cleared: false, value: null, detail: "no data" };

/** `30s`, `5m`, `1h` → ms. */
export function durationMs(spec: string): number {
  const n = Number(spec.slice(0, -1));
  const unit = spec.at(-1);
  return n * (unit === "s" ? 1000 : unit === "m" ? 60_000 : 3_600_000);
}

/** Evaluates one rule against a market's state (and, for price rules, the trade at hand). */
export function observe(
  rule: AlertRule,
  venue: VenueState | undefined,
  view: MarketView | undefined,
  now: number,
  /** The trade being evaluated (price rules see every trade, not only a batch's last). */
  trade?: { price: number; id: string },
): Observation {
  const thr = rule.threshold ?? 0;
  switch (rule.kind) {
    case "price_above":
    case "price_below": {
      if (!view && !trade) return NOTHING;
      const last = trade ?? view!.lastTrade;
      const price = last.price;
      const above = rule.kind === "price_above";
      const met = above ? price >= thr : price <= thr;
      const cleared = above ? price < thr * (1 - PRICE_HYSTERESIS) : price > thr * (1 + PRICE_HYSTERESIS);
      return {
        met,
        cleared,
        value: price,
        detail: `last price ${price} ${above ? ">=" : "<="} ${thr} (trade ${last.id})`,
      };
    }
    case "change_pct": {
      const w = view?.window((rule.window ?? "5m") as StatsWindow);
      if (!w) return NOTHING;
      const band = Math.max(Math.abs(thr) * 0.1, 0.01);
      const met = thr >= 0 ? w.changePct >= thr : w.changePct <= thr;
      const cleared = thr >= 0 ? w.changePct < thr - band : w.changePct > thr + band;
      return {
        met,
        cleared,
        value: w.changePct,
        detail: `change over ${rule.window ?? "5m"} ${w.changePct.toFixed(4)} %`,
      };
    }
    case "spread_above": {
      const b = venue?.bbo;
      if (!b || b.bidPrice <= 0 || b.askPrice <= 0) return NOTHING;
      const mid = (b.bidPrice + b.askPrice) / 2;
      const pct = ((b.askPrice - b.bidPrice) / mid) * 100;
      return {
        met: pct >= thr,
        cleared: pct < thr * 0.9,
        value: pct,
        detail: `bid ${b.bidPrice} ask ${b.askPrice}: spread ${pct.toFixed(6)} %`,
      };
    }
    case "volume_spike": {
      const name = (rule.window ?? "1m") as StatsWindow;
      const w = view?.window(name);
      const hour = view?.window("1h");
      if (!w || !hour || hour.volume <= 0) return NOTHING;
      const average = hour.volume * (STATS_WINDOW_MS[name] / STATS_WINDOW_MS["1h"]);
      const ratio = w.volume / average;
      return {
        met: ratio >= thr,
        cleared: ratio < thr * 0.8,
        value: ratio,
        detail: `${name} volume ${w.volume} = ${ratio.toFixed(3)} × its 1h average`,
      };
    }
    case "stale": {
      if (!venue || !Number.isFinite(venue.lastSeen)) return NOTHING;
      const limit = rule.window ? durationMs(rule.window) : DEFAULT_STALE_MS;
      const age = now - venue.lastSeen;
      if (venue.flag)
        return {
          met: true,
          cleared: false,
          value: age,
          detail: `${venue.flag.reason}: ${venue.flag.detail}`,
        };
      return {
        met: age > limit,
        cleared: age <= limit,
        value: age,
        detail: `no update for ${Math.round(age)} ms (limit ${limit} ms)`,
      };
    }
  }
}
