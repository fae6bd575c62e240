import type { Level, SimBook } from "../../market/book.ts";
import type { Depth } from "./topics.ts";

/** Changed levels of one push; size 0 removes a level. */
export interface BookDelta {
  bids: Level[];
  asks: Level[];
}

function toMap(levels: readonly Level[]): Map<number, number> {
  return new Map(levels.map((l): [number, number] => [l[0], l[1]]));
}

/** Levels whose size changed from `prev` to `next`, plus removed levels with size 0. */
function diffSide(prev: Map<number, number>, next: Map<number, number>, desc: boolean): Level[] {
  const out: Level[] = [];
  for (const [p, q] of next) if (prev.get(p) !== q) out.push([p, q]);
  for (const p of prev.keys()) if (!next.has(p)) out.push([p, 0]);
  return out.sort((a, b) => (desc ? b[0] - a[0] : a[0] - b[0]));
}

/**
 * One `orderbook.<depth>.<S>` topic as Bybit runs it: the top `depth` levels last published and the
 * topic's update id `u`, +1 per push that changed something. All subscribers of the topic share it;
 * a new subscriber gets a snapshot of the published state at the current `u`. Starts at u = 1
 * (a delta with u = 1 would tell clients the service restarted).
 */
export class BookView {
  u = 1;
  /** When the last push went out (level 1 re-sends an unchanged book every 3 s). */
  lastPushAt = 0;
  private bids: Map<number, number>;
  private asks: Map<number, number>;
  private engineId: number;

  constructor(
    readonly depth: Depth,
    private readonly book: SimBook,
  ) {
    const s = book.snapshot(depth);
    this.bids = toMap(s.bids);
    this.asks = toMap(s.asks);
    this.engineId = s.lastUpdateId;
  }

  /** The matching engine's update id the view reflects (Bybit's cross sequence `seq`). */
  get seq(): number {
    return this.engineId;
  }

  /** Brings the view up to the book; the changed levels, or null when the top `depth` did not change. */
  refresh(): BookDelta | null {
    if (this.book.lastUpdateId === this.engineId) return null;
    const s = this.book.snapshot(this.depth);
    this.engineId = s.lastUpdateId;
    const bids = toMap(s.bids);
    const asks = toMap(s.asks);
    const delta = { bids: diffSide(this.bids, bids, true), asks: diffSide(this.asks, asks, false) };
    this.bids = bids;
    this.asks = asks;
    if (delta.bids.length === 0 && delta.asks.length === 0) return null;
    this.u++;
    return delta;
  }

  /** The published levels, best first. */
  snapshot(): BookDelta {
    return {
      bids: [...this.bids].sort((a, b) => b[0] - a[0]),
      asks: [...this.asks].sort((a, b) => a[0] - b[0]),
    };
  }
}
