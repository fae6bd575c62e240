import { roundTo } from "../core/decimal.ts";
import type { Prng } from "../core/prng.ts";
import type { MarketSpec } from "./spec.ts";

/**
 * A small simulated order book. Prices are integer ticks, sizes integer lots (multiples of the
 * step size) so that nothing drifts. Every mutation belongs to one update id; trackers collect the
 * changed levels between two drains, which is what diff-depth streams send.
 */

export type BookSide = "bid" | "ask";
export type Level = [price: number, amount: number];

export interface DepthDiff {
  /** First update id in this diff (Binance `U`). */
  firstUpdateId: number;
  /** Last update id in this diff (Binance `u`). */
  lastUpdateId: number;
  /** Changed levels; amount 0 deletes the level. */
  bids: Level[];
  asks: Level[];
}

export interface BookSnapshot {
  lastUpdateId: number;
  bids: Level[];
  asks: Level[];
}

export interface TopOfBook {
  bidPrice: number;
  bidAmount: number;
  askPrice: number;
  askAmount: number;
  updateId: number;
}

/** Collects changed levels between drains. */
export class DepthDiffTracker {
  private firstId = 0;
  private lastId = 0;
  private readonly bids = new Map<number, number>();
  private readonly asks = new Map<number, number>();

  constructor(private readonly spec: MarketSpec) {}

  record(side: BookSide, ticks: number, lots: number, updateId: number): void {
    if (this.firstId === 0) this.firstId = updateId;
    this.lastId = updateId;
    (side === "bid" ? this.bids : this.asks).set(ticks, lots);
  }

  /** Changes since the last drain, or null when nothing changed. */
  drain(): DepthDiff | null {
    if (this.firstId === 0) return null;
    const toLevels = (m: Map<number, number>, desc: boolean): Level[] =>
      [...m.entries()]
        .sort((a, b) => (desc ? b[0] - a[0] : a[0] - b[0]))
        .map(([t, l]) => [priceOf(this.spec, t), amountOf(this.spec, l)]);
    const diff: DepthDiff = {
      firstUpdateId: this.firstId,
      lastUpdateId: this.lastId,
      bids: toLevels(this.bids, true),
      asks: toLevels(this.asks, false),
    };
    this.firstId = 0;
    this.lastId = 0;
    this.bids.clear();
    this.asks.clear();
    return diff;
  }
}

export function priceOf(spec: MarketSpec, ticks: number): number {
  return roundTo(ticks * spec.tickSize, spec.priceDecimals);
}

export function amountOf(spec: MarketSpec, lots: number): number {
  return roundTo(lots * spec.stepSize, spec.qtyDecimals);
}

export class SimBook {
  lastUpdateId = 0;
  /** Bid ticks, best (highest) first. */
  private readonly bidTicks: number[] = [];
  /** Ask ticks, best (lowest) first. */
  private readonly askTicks: number[] = [];
  private readonly bidLots = new Map<number, number>();
  private readonly askLots = new Map<number, number>();
  private readonly trackers = new Set<DepthDiffTracker>();
  private readonly levelLots: number;
  private readonly gapMax: number;
  private updateId = 0;

  constructor(
    private readonly spec: MarketSpec,
    private readonly prng: Prng,
    private readonly depth: number,
    bidTicks: number,
    askTicks: number,
    volatilityTicks: number,
  ) {
    this.levelLots = Math.max(1, Math.round(20000 / (spec.baseUsd * spec.stepSize)));
    this.gapMax = Math.max(1, Math.round(volatilityTicks / 4));
    // The initial book is the state at update id 0; nothing is reported for it.
    this.place(bidTicks, askTicks);
  }

  /** A tracker that receives every change from now on. */
  createTracker(): DepthDiffTracker {
    const t = new DepthDiffTracker(this.spec);
    this.trackers.add(t);
    return t;
  }

  removeTracker(t: DepthDiffTracker): void {
    this.trackers.delete(t);
  }

  top(): TopOfBook {
    const b = this.bidTicks[0] ?? 0;
    const a = this.askTicks[0] ?? 0;
    return {
      bidPrice: priceOf(this.spec, b),
      bidAmount: amountOf(this.spec, this.bidLots.get(b) ?? 0),
      askPrice: priceOf(this.spec, a),
      askAmount: amountOf(this.spec, this.askLots.get(a) ?? 0),
      updateId: this.lastUpdateId,
    };
  }

  snapshot(limit: number): BookSnapshot {
    const side = (ticks: number[], lots: Map<number, number>): Level[] =>
      ticks.slice(0, limit).map((t) => [priceOf(this.spec, t), amountOf(this.spec, lots.get(t) ?? 0)]);
    return {
      lastUpdateId: this.lastUpdateId,
      bids: side(this.bidTicks, this.bidLots),
      asks: side(this.askTicks, this.askLots),
    };
  }

  /**
   * One book update caused by a trade: the taker consumes `lots` at the touch, then the touch moves
   * to the new best bid/ask, and a random level elsewhere changes size.
   */
  applyTrade(takerBuy: boolean, lots: number, newBid: number, newAsk: number): void {
    this.begin();
    const ticks = takerBuy ? this.askTicks : this.bidTicks;
    const sizes = takerBuy ? this.askLots : this.bidLots;
    const touch = ticks[0];
    if (touch !== undefined) {
      const left = (sizes.get(touch) ?? 0) - lots;
      if (left > 0) this.setLevel(takerBuy ? "ask" : "bid", touch, left);
      else this.removeFront(takerBuy ? "ask" : "bid");
    }
    this.place(newBid, newAsk);
    if (this.prng.chance(0.5)) this.noise();
  }

  private begin(): void {
    this.updateId = ++this.lastUpdateId;
  }

  /** Moves the touch to (bid, ask), removing crossed levels, then keeps `depth` levels per side. */
  private place(bid: number, ask: number): void {
    while (this.bidTicks.length > 0 && this.bidTicks[0]! > bid) this.removeFront("bid");
    while (this.askTicks.length > 0 && this.askTicks[0]! < ask) this.removeFront("ask");
    if (this.bidTicks[0] !== bid && bid > 0) {
      this.bidTicks.unshift(bid);
      this.setLevel("bid", bid, this.randomLots());
    }
    if (this.askTicks[0] !== ask) {
      this.askTicks.unshift(ask);
      this.setLevel("ask", ask, this.randomLots());
    }
    this.trim("bid");
    this.trim("ask");
  }

  private trim(side: BookSide): void {
    const ticks = side === "bid" ? this.bidTicks : this.askTicks;
    while (ticks.length > this.depth) {
      const t = ticks.pop()!;
      this.setLevel(side, t, 0);
    }
    while (ticks.length < this.depth) {
      const last = ticks[ticks.length - 1];
      if (last === undefined) return;
      const gap = this.prng.int(1, this.gapMax);
      const next = side === "bid" ? last - gap : last + gap;
      if (next <= 0) return;
      ticks.push(next);
      this.setLevel(side, next, this.randomLots());
    }
  }

  private removeFront(side: BookSide): void {
    const ticks = side === "bid" ? this.bidTicks : this.askTicks;
    const t = ticks.shift();
    if (t !== undefined) this.setLevel(side, t, 0);
  }

  /** Changes the size of a random level behind the touch. */
  private noise(): void {
    const side: BookSide = this.prng.chance(0.5) ? "bid" : "ask";
    const ticks = side === "bid" ? this.bidTicks : this.askTicks;
    if (ticks.length < 2) return;
    const t = ticks[this.prng.int(1, Math.min(ticks.length - 1, 20))]!;
    this.setLevel(side, t, this.randomLots());
  }

  private randomLots(): number {
    return Math.max(1, Math.round(this.levelLots * Math.exp(this.prng.normal() * 0.8)));
  }

  private setLevel(side: BookSide, ticks: number, lots: number): void {
    const sizes = side === "bid" ? this.bidLots : this.askLots;
    if (lots > 0) sizes.set(ticks, lots);
    else sizes.delete(ticks);
    if (this.updateId > 0) for (const t of this.trackers) t.record(side, ticks, lots, this.updateId);
  }
}
