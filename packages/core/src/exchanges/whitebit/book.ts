import type { BookSyncRules } from "../../book/sync.ts";
import { DEPTH_LIMIT } from "./ws.ts";

/**
 * WhiteBIT's order-book rule (`depth_subscribe`): the stream sends the full book first (a resync
 * resubscribes), then increments chained by past_update_id == the previous update_id (seq =
 * update_id, prevSeq = past_update_id); the book is truncated to the subscribed limit after every
 * update, as WhiteBIT's docs prescribe. After 10 s without a change WhiteBIT re-sends the full book
 * as a keepalive: that snapshot is compared with the book (equal: nothing to publish; different:
 * the book had drifted, reported before the snapshot replaces it).
 */
export const bookSync: BookSyncRules = {
  snapshotFrom: "stream",
  follows: (lastSeq, d) => d.prevSeq === lastSeq,
  stale: (lastSeq, d) => d.seq <= lastSeq,
  depth: DEPTH_LIMIT,
  compareSnapshots: true,
};
