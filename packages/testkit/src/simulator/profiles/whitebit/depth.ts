import type { BookSnapshot, Level, SimBook } from "../../market/book.ts";

/**
 * One `depth_subscribe` of one connection: WhiteBIT sends the top `limit` levels per side — a full
 * snapshot first, then every 100 ms the levels of that window that changed (amount 0 = the level
 * left the window), chained by past_update_id = the update_id of the previous push; after 10 s
 * without a push, a full snapshot again. update_id is the book's own counter, which also moves for
 * changes outside the window.
 */

export const DEPTH_LIMITS = [1, 5, 10, 20, 30, 50, 100] as const;
export const DEPTH_PUSH_MS = 100;
export const DEPTH_KEEPALIVE_MS = 10_000;

export interface DepthSubscription {
  market: string;
  limit: number;
  /** The window as last pushed (or skipped): price → amount. */
  bids: Map<number, number>;
  asks: Map<number, number>;
  /** update_id of the last push: the next delta's past_update_id. */
  lastUpdateId: number;
  /** The book's update id when last looked at (nothing to do while it stays). */
  seenUpdateId: number;
  lastPushAt: number;
}

export type DepthPush =
  | { kind: "snapshot"; snapshot: BookSnapshot }
  | { kind: "delta"; updateId: number; pastUpdateId: number; asks: Level[]; bids: Level[] };

function view(levels: readonly Level[]): Map<number, number> {
  return new Map(levels.map(([p, a]) => [p, a]));
}

/** Levels of `next` that differ from `prev`, and prev's levels that left the window (amount 0). */
function changes(prev: Map<number, number>, next: readonly Level[], descending: boolean): Level[] {
  const out: Level[] = [];
  const seen = new Set<number>();
  for (const [p, a] of next) {
    seen.add(p);
    if (prev.get(p) !== a) out.push([p, a]);
  }
  for (const p of prev.keys()) if (!seen.has(p)) out.push([p, 0]);
  return out.sort((x, y) => (descending ? y[0] - x[0] : x[0] - y[0]));
}

function reset(sub: DepthSubscription, snapshot: BookSnapshot, now: number): DepthPush {
  sub.bids = view(snapshot.bids);
  sub.asks = view(snapshot.asks);
  sub.lastUpdateId = snapshot.lastUpdateId;
  sub.seenUpdateId = snapshot.lastUpdateId;
  sub.lastPushAt = now;
  return { kind: "snapshot", snapshot };
}

/** A new subscription and the snapshot to push right away. */
export function subscribeDepth(
  market: string,
  limit: number,
  book: SimBook,
  now: number,
): { sub: DepthSubscription; push: DepthPush } {
  const sub: DepthSubscription = {
    market,
    limit,
    bids: new Map(),
    asks: new Map(),
    lastUpdateId: 0,
    seenUpdateId: 0,
    lastPushAt: now,
  };
  return { sub, push: reset(sub, book.snapshot(limit), now) };
}

/**
 * What to push now, if anything; the subscription's state moves as if it was pushed (a push the
 * caller drops is lost, as on the exchange).
 */
export function nextDepthPush(sub: DepthSubscription, book: SimBook, now: number): DepthPush | undefined {
  if (now - sub.lastPushAt >= DEPTH_KEEPALIVE_MS) return reset(sub, book.snapshot(sub.limit), now);
  if (book.lastUpdateId === sub.seenUpdateId) return undefined;
  const snap = book.snapshot(sub.limit);
  sub.seenUpdateId = snap.lastUpdateId;
  const bids = changes(sub.bids, snap.bids, true);
  const asks = changes(sub.asks, snap.asks, false);
  if (bids.length === 0 && asks.length === 0) return undefined;
  const push: DepthPush = {
    kind: "delta",
    updateId: snap.lastUpdateId,
    pastUpdateId: sub.lastUpdateId,
    asks,
    bids,
  };
  sub.bids = view(snap.bids);
  sub.asks = view(snap.asks);
  sub.lastUpdateId = snap.lastUpdateId;
  sub.lastPushAt = now;
  return push;
}
