import type { BookUpdate } from "@tickerplant/core";

/**
 * The naive reference for the book benchmark: one Map of price → amount per side (O(1) updates)
 * and a full sort on every top-N read. What a first implementation usually looks like.
 */
export class NaiveBook {
  bids = new Map<number, number>();
  asks = new Map<number, number>();

  reset(snapshot: BookUpdate): void {
    this.bids = new Map();
    this.asks = new Map();
    this.apply(snapshot);
  }

  apply(update: BookUpdate): void {
    for (const [p, a] of update.bids) {
      if (a === 0) this.bids.delete(p);
      else this.bids.set(p, a);
    }
    for (const [p, a] of update.asks) {
      if (a === 0) this.asks.delete(p);
      else this.asks.set(p, a);
    }
  }

  top(n: number): { bids: Array<[number, number]>; asks: Array<[number, number]> } {
    return { bids: topOf(this.bids, n, true), asks: topOf(this.asks, n, false) };
  }
}

function topOf(side: Map<number, number>, n: number, desc: boolean): Array<[number, number]> {
  const prices = [...side.keys()].sort(desc ? (a, b) => b - a : (a, b) => a - b);
  const len = Math.min(n, prices.length);
  const out = new Array<[number, number]>(len);
  for (let i = 0; i < len; i++) out[i] = [prices[i]!, side.get(prices[i]!)!];
  return out;
}
