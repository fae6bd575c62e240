import type { BookSyncRules } from "../../book/sync.ts";

/**
 * Binance spot's documented local-book procedure: buffer diffs, fetch the REST snapshot, drop diffs
 * with u <= lastUpdateId, the first applied diff must contain lastUpdateId + 1 in [U, u], then each
 * diff's U must be the previous u + 1. A diff carries seq = u and prevSeq = U - 1.
 */
export const bookSync: BookSyncRules = {
  snapshotFrom: "rest",
  bridge(snapshotSeq, d) {
    if (d.seq <= snapshotSeq) return "drop";
    return (d.prevSeq ?? d.seq) <= snapshotSeq ? "apply" : "refetch";
  },
  follows: (lastSeq, d) => d.prevSeq === lastSeq,
  stale: (lastSeq, d) => d.seq <= lastSeq,
};
