import {
  STATS_WINDOWS,
  type Stats,
  type StatsWindow,
  type Trade,
  type WindowFigures,
} from "@tickerplant/core";
import { type PackedBucket, RollingWindow, type WindowStats } from "./rolling-window.ts";

/** Bucket layout of each window: 60 buckets for the short ones, 1440 one-minute buckets for 24 h. */
const LAYOUT: Record<Exclude<StatsWindow, "24h">, { buckets: number; bucketMs: number }> = {
  "1m": { buckets: 60, bucketMs: 1000 },
  "5m": { buckets: 60, bucketMs: 5000 },
  "1h": { buckets: 60, bucketMs: 60_000 },
};

interface MarketState {
  exchange: string;
  market: string;
  /** The 24 h window decides whether the market is tracked at all. */
  window: RollingWindow;
  short: Record<Exclude<StatsWindow, "24h">, RollingWindow>;
  /** Price of the latest trade applied, for the next log return. */
  lastPrice: number | undefined;
  /** The latest trade (by exchange time) and when the ingestor received it. */
  lastTrade: Trade | undefined;
  /** Stats changed since they were last handed out. */
  dirty: boolean;
  lastEmittedAt: number;
  /** A trade was added since the last checkpoint. */
  unsaved: boolean;
}

/** One market's windows in a checkpoint: each window's head and (changed, or all) buckets. */
export interface MarketCheckpoint {
  exchange: string;
  market: string;
  lastPrice: number | undefined;
  lastTrade: Trade | undefined;
  windows: Record<StatsWindow, { head: number | undefined; buckets: PackedBucket[] }>;
}

/** What a checkpoint writes: changed markets, every market's oldest bucket indices, markets gone. */
export interface EngineChanges {
  changed: MarketCheckpoint[];
  oldest: Array<{ key: string; oldest: Record<StatsWindow, number> }>;
  removed: string[];
}

export interface EngineOptions {
  intervalMs: number;
  windowBuckets?: number;
  bucketMs?: number;
}

/** What other analyses read from a market's windows. */
export interface MarketView {
  exchange: string;
  market: string;
  lastTrade: Trade;
  window(name: StatsWindow): WindowStats | undefined;
}

/**
 * Per-market rolling windows (1m, 5m, 1h, 24h) and the rule for when a market's stats go out: at
 * most once per `intervalMs`, and only when they changed (a trade was added or old trades expired).
 */
export class StatsEngine {
  private readonly markets = new Map<string, MarketState>();
  /** Markets dropped (window emptied) since the last checkpoint. */
  private removed = new Set<string>();

  constructor(private readonly o: EngineOptions) {}

  get size(): number {
    return this.markets.size;
  }

  /** Adds a trade to its market's windows; returns the market key, or undefined when too old. */
  apply(t: Trade, now: number): string | undefined {
    const key = `${t.exchange}:${t.market}`;
    let s = this.markets.get(key);
    if (s === undefined) {
      s = this.newMarket(t.exchange, t.market);
      this.markets.set(key, s);
    }
    s.window.advance(now);
    const logReturn =
      s.lastPrice !== undefined && s.lastPrice > 0 && t.price > 0
        ? Math.log(t.price / s.lastPrice)
        : undefined;
    const wt = { ts: t.ts, price: t.price, amount: t.amount, simulated: t.simulated, logReturn };
    if (!s.window.add(wt)) {
      if (s.window.empty) this.markets.delete(key);
      return undefined;
    }
    s.unsaved = true;
    for (const w of Object.values(s.short)) {
      w.advance(now);
      w.add(wt);
    }
    s.lastPrice = t.price;
    if (s.lastTrade === undefined || t.ts >= s.lastTrade.ts) s.lastTrade = t;
    s.dirty = true;
    return key;
  }

  private newMarket(exchange: string, market: string): MarketState {
    return {
      exchange,
      market,
      window: new RollingWindow(this.o.windowBuckets, this.o.bucketMs),
      short: {
        "1m": new RollingWindow(LAYOUT["1m"].buckets, LAYOUT["1m"].bucketMs),
        "5m": new RollingWindow(LAYOUT["5m"].buckets, LAYOUT["5m"].bucketMs),
        "1h": new RollingWindow(LAYOUT["1h"].buckets, LAYOUT["1h"].bucketMs),
      },
      lastPrice: undefined,
      lastTrade: undefined,
      dirty: false,
      lastEmittedAt: Number.NEGATIVE_INFINITY,
      unsaved: false,
    };
  }

  /**
   * What changed since the last call, for an incremental checkpoint (`all`: every bucket of every
   * market, for a full one). Buckets only change by trades added, so the changed markets' touched
   * buckets plus every window's oldest index (older buckets are pruned) describe the whole state.
   */
  takeChanges(all = false): EngineChanges {
    const changed: MarketCheckpoint[] = [];
    const oldest: EngineChanges["oldest"] = [];
    for (const [key, s] of this.markets) {
      const windows = { "24h": s.window, ...s.short };
      oldest.push({
        key,
        oldest: {
          "24h": windows["24h"].oldestIndex,
          "1m": windows["1m"].oldestIndex,
          "5m": windows["5m"].oldestIndex,
          "1h": windows["1h"].oldestIndex,
        },
      });
      if (!all && !s.unsaved) continue;
      s.unsaved = false;
      const saved = (w: RollingWindow) => ({ head: w.headIndex, buckets: w.takeChanged(all) });
      changed.push({
        exchange: s.exchange,
        market: s.market,
        lastPrice: s.lastPrice,
        lastTrade: s.lastTrade,
        windows: {
          "24h": saved(windows["24h"]),
          "1m": saved(windows["1m"]),
          "5m": saved(windows["5m"]),
          "1h": saved(windows["1h"]),
        },
      });
    }
    const removed = [...this.removed].filter((k) => !this.markets.has(k));
    this.removed = new Set();
    return { changed, oldest, removed };
  }

  /** Replaces every market with a checkpoint's (then slides the windows to `now`). */
  restore(markets: readonly MarketCheckpoint[], now: number): void {
    this.markets.clear();
    this.removed = new Set();
    for (const m of markets) {
      const s = this.newMarket(m.exchange, m.market);
      s.window.restore(m.windows["24h"].head, m.windows["24h"].buckets);
      for (const name of ["1m", "5m", "1h"] as const) {
        s.short[name].restore(m.windows[name].head, m.windows[name].buckets);
      }
      s.window.advance(now);
      for (const w of Object.values(s.short)) w.advance(now);
      if (s.window.empty) continue;
      s.lastPrice = m.lastPrice;
      s.lastTrade = m.lastTrade;
      s.dirty = true;
      this.markets.set(`${m.exchange}:${m.market}`, s);
    }
  }

  /** A market's latest trade and windows, or undefined when it has no trade in 24 h. */
  view(exchange: string, market: string): MarketView | undefined {
    const s = this.markets.get(`${exchange}:${market}`);
    if (s?.lastTrade === undefined) return undefined;
    return {
      exchange,
      market,
      lastTrade: s.lastTrade,
      window: (name) => (name === "24h" ? s.window.stats() : s.short[name].stats()),
    };
  }

  /** Every tracked market. */
  *views(): Iterable<MarketView> {
    for (const s of this.markets.values()) {
      const v = this.view(s.exchange, s.market);
      if (v) yield v;
    }
  }

  /**
   * Slides every window to `now` and returns the stats due for publishing (changed, and the
   * market's interval has passed) plus the markets whose window emptied (no trade in 24 h).
   * `only` restricts the due check to some markets (those a batch just touched).
   */
  collect(
    now: number,
    only?: Iterable<string>,
  ): { due: Stats[]; emptied: Array<{ exchange: string; market: string }> } {
    const due: Stats[] = [];
    const emptied: Array<{ exchange: string; market: string }> = [];
    const keys = only ?? this.markets.keys();
    for (const key of keys) {
      const s = this.markets.get(key);
      if (s === undefined) continue;
      if (s.window.advance(now)) s.dirty = true;
      for (const w of Object.values(s.short)) if (w.advance(now)) s.dirty = true;
      if (s.window.empty) {
        this.markets.delete(key);
        this.removed.add(key);
        emptied.push({ exchange: s.exchange, market: s.market });
        continue;
      }
      if (!s.dirty || now - s.lastEmittedAt < this.o.intervalMs) continue;
      const w = s.window.stats()!;
      s.dirty = false;
      s.lastEmittedAt = now;
      const windows: NonNullable<Stats["windows"]> = {};
      for (const name of STATS_WINDOWS) {
        const ws = name === "24h" ? w : s.short[name].stats();
        if (ws) windows[name] = figures(ws);
      }
      due.push({
        type: "stats",
        exchange: s.exchange,
        market: s.market,
        window: "24h",
        ts: now,
        last: w.last,
        open: w.open,
        change: w.change,
        changePct: w.changePct,
        high: w.high,
        low: w.low,
        volume: w.volume,
        quoteVolume: w.quoteVolume,
        vwap: w.vwap,
        trades: w.trades,
        volatility: w.volatility,
        windows,
        ...(w.simulated ? { simulated: true } : {}),
      });
    }
    return { due, emptied };
  }

  /** Marks stats as not handed out (their publish failed), so the next collect retries them. */
  retry(stats: Stats[]): void {
    for (const st of stats) {
      const s = this.markets.get(`${st.exchange}:${st.market}`);
      if (s !== undefined) {
        s.dirty = true;
        s.lastEmittedAt = Number.NEGATIVE_INFINITY;
      }
    }
  }

  /** Hands every market out again on the next collect (a standby that just became active). */
  markAllDirty(): void {
    for (const s of this.markets.values()) {
      s.dirty = true;
      s.lastEmittedAt = Number.NEGATIVE_INFINITY;
    }
  }
}

function figures(w: WindowStats): WindowFigures {
  return {
    last: w.last,
    open: w.open,
    change: w.change,
    changePct: w.changePct,
    high: w.high,
    low: w.low,
    volume: w.volume,
    quoteVolume: w.quoteVolume,
    vwap: w.vwap,
    trades: w.trades,
    volatility: w.volatility,
  };
}
