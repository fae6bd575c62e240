import type { BookSyncRules } from "../../book/sync.ts";

/**
 * BingX's order-book rule (`@incrDepth`, both venues): the stream sends the full depth
 * (`action:"all"`) on subscribe, then updates whose lastUpdateId grows by exactly 1 (parsed as
 * seq = lastUpdateId, prevSeq = lastUpdateId − 1). The REST depth has no update id to bridge with,
 * so a break resubscribes the market, which makes BingX send a new full depth.
 */
export const bookSync: BookSyncRules = {
  snapshotFrom: "stream",
  follows: (lastSeq, d) => d.prevSeq === lastSeq,
  stale: (lastSeq, d) => d.seq <= lastSeq,
};
