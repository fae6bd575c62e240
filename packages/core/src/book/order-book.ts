import type { Level } from "../schemas/messages.ts";
import { BookSide } from "./book-side.ts";

export type ExactLevel = [string, string];

export interface BookUpdate {
  bids: readonly Level[];
  asks: readonly Level[];
  /** The exchange's strings for the same levels, in the same order (checksummed exchanges). */
  exact?: { bids: readonly ExactLevel[]; asks: readonly ExactLevel[] };
}

export interface OrderBookOptions {
  /** Keep only the best `depth` levels per side after every update (0 = unbounded). */
  depth?: number;
  /** Keep the exchange's price/amount strings (needed to verify a checksum). */
  keepExact?: boolean;
}

/**
 * An L2 order book: absolute amounts per price level, amount 0 deletes, optional truncation to
 * the subscribed depth, and the crossed-book check a sync procedure uses to detect a broken book.
 * Sequencing rules are not here: they differ per exchange and live in the sync procedures.
 */
export class OrderBook {
  readonly bids: BookSide;
  readonly asks: BookSide;
  private readonly depth: number;

  constructor(options: OrderBookOptions = {}) {
    this.depth = options.depth ?? 0;
    this.bids = new BookSide("bid", options.keepExact ?? false);
    this.asks = new BookSide("ask", options.keepExact ?? false);
  }

  /** Replaces the whole book. */
  reset(snapshot: BookUpdate): void {
    this.bids.clear();
    this.asks.clear();
    this.apply(snapshot);
  }

  /** Applies levels in order (an exchange may update the same level twice in one message). */
  apply(update: BookUpdate): void {
    const eb = update.exact?.bids;
    const ea = update.exact?.asks;
    for (let i = 0; i < update.bids.length; i++) {
      const [p, a] = update.bids[i]!;
      this.bids.set(p, a, eb?.[i]?.[0], eb?.[i]?.[1]);
    }
    for (let i = 0; i < update.asks.length; i++) {
      const [p, a] = update.asks[i]!;
      this.asks.set(p, a, ea?.[i]?.[0], ea?.[i]?.[1]);
    }
    if (this.depth > 0) {
      this.bids.truncate(this.depth);
      this.asks.truncate(this.depth);
    }
  }

  /** Best bid at or above best ask: the book is wrong (a missed delete or a missed message). */
  get crossed(): boolean {
    const b = this.bids.best;
    const a = this.asks.best;
    return b !== undefined && a !== undefined && b >= a;
  }

  get empty(): boolean {
    return this.bids.size === 0 && this.asks.size === 0;
  }

  top(n: number): { bids: Array<[number, number]>; asks: Array<[number, number]> } {
    return { bids: this.bids.top(n), asks: this.asks.top(n) };
  }
}
