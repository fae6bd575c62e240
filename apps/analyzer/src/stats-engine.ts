import type { Stats, Trade } from "@tickerplant/core";
import { RollingWindow } from "./rolling-window.ts";

interface MarketState {
  exchange: string;
  market: string;
  window: RollingWindow;
  /** Stats changed since they were last handed out. */
  dirty: boolean;
  lastEmittedAt: number;
}

export interface EngineOptions {
  intervalMs: number;
  windowBuckets?: number;
  bucketMs?: number;
}

/**
 * Per-market rolling windows and the rule for when a market's stats go out: at most once per
 * `intervalMs`, and only when they changed (a trade was added or old trades expired).
 */
export class StatsEngine {
  private readonly markets = new Map<string, MarketState>();

  constructor(private readonly o: EngineOptions) {}

  get size(): number {
    return this.markets.size;
  }

  /** Adds a trade to its market's window; returns the market key, or undefined when too old. */
  apply(t: Trade, now: number): string | undefined {
    const key = `${t.exchange}:${t.market}`;
    let s = this.markets.get(key);
    if (s === undefined) {
      s = {
        exchange: t.exchange,
        market: t.market,
        window: new RollingWindow(this.o.windowBuckets, this.o.bucketMs),
        dirty: false,
        lastEmittedAt: Number.NEGATIVE_INFINITY,
      };
      this.markets.set(key, s);
    }
    s.window.advance(now);
    if (!s.window.add(t)) {
      if (s.window.empty) this.markets.delete(key);
      return undefined;
    }
    s.dirty = true;
    return key;
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
      if (s.window.empty) {
        this.markets.delete(key);
        emptied.push({ exchange: s.exchange, market: s.market });
        continue;
      }
      if (!s.dirty || now - s.lastEmittedAt < this.o.intervalMs) continue;
      const w = s.window.stats()!;
      s.dirty = false;
      s.lastEmittedAt = now;
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
}
