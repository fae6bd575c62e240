import type { BookSyncRules } from "../../../book/sync.ts";

/**
 * Binance USD-M's documented local-book procedure: buffer diffs, fetch the REST snapshot, drop diffs
 * with u < lastUpdateId, the first applied diff must span lastUpdateId (U <= lastUpdateId <= u),
 * then each diff's pu must be the previous diff's u. A diff carries seq = u and prevSeq = pu.
 *
 * The bridge uses pu in place of U: update ids are shared by all symbols, so U is never pu + 1, but
 * pu (this symbol's previous u) < lastUpdateId means no diff of this symbol lies between the
 * snapshot and this diff. That accepts exactly the diffs U <= lastUpdateId accepts, plus one whose
 * U lies past a lastUpdateId that belongs to another symbol, where the snapshot still equals the
 * book before this diff. pu >= lastUpdateId means a diff after the snapshot is missing: refetch.
 */
export const usdmBookSync: BookSyncRules = {
  snapshotFrom: "rest",
  bridge(snapshotSeq, d) {
    if (d.seq < snapshotSeq) return "drop";
    return (d.prevSeq ?? d.seq) < snapshotSeq ? "apply" : "refetch";
  },
  follows: (lastSeq, d) => d.prevSeq === lastSeq,
  stale: (lastSeq, d) => d.seq <= lastSeq,
};
