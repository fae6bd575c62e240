import type { BookSyncRules } from "../../book/sync.ts";
import { BOOK_DEPTH } from "./topics.ts";

/**
 * Bybit's order-book rule (v5 orderbook): the stream sends the snapshot itself on subscribe, any
 * later snapshot (or a delta with u = 1, which the parser marks as a snapshot) replaces the book,
 * and on one topic `u` grows by 1 per delta (seq = u, prevSeq = u − 1). A resync resubscribes.
 * Levels beyond the subscribed depth are dropped.
 */
export const bookSync: BookSyncRules = {
  snapshotFrom: "stream",
  follows: (lastSeq, d) => d.prevSeq === lastSeq,
  stale: (lastSeq, d) => d.seq <= lastSeq,
  depth: BOOK_DEPTH,
};
