import type { BookSyncRules } from "../../book/sync.ts";
import { CHECKSUM_LEVELS, okxChecksum } from "./checksum.ts";

/**
 * OKX's order-book rule (books, books-l2-tbt, books50-l2-tbt): the stream sends the snapshot on
 * subscribe (a resync resubscribes), then updates chained by identity: an update's prevSeqId must
 * be the seqId last applied (seq = seqId, prevSeq = prevSeqId). Ids are not consecutive, and after
 * an exchange maintenance seqId restarts lower than prevSeqId: the chain still holds, so only the
 * chain decides, never "seq went down". The parser drops OKX's keepalive (no levels,
 * seqId == prevSeqId).
 *
 * The CRC32 checksum (top 25, exact strings) is no longer sent in production (always 0 since
 * 2026-06-23, dropped by the parser); where a message still carries one (recordings, replays) it is
 * verified. Recordings from before seqId existed have no prevSeq: their continuity is that checksum
 * alone, so an update without either cannot be accepted.
 */
export const bookSync: BookSyncRules = {
  snapshotFrom: "stream",
  follows: (lastSeq, d) => (d.prevSeq === null ? d.checksum !== undefined : d.prevSeq === lastSeq),
  // a repeat of an update already applied; a reset (seqId below its prevSeqId) is never stale
  stale: (lastSeq, d) => d.prevSeq !== null && d.prevSeq < lastSeq && d.prevSeq < d.seq && d.seq <= lastSeq,
  verify(book, msg) {
    if (msg.checksum === undefined) return true;
    return (
      okxChecksum(book.bids.topExact(CHECKSUM_LEVELS), book.asks.topExact(CHECKSUM_LEVELS)) === msg.checksum
    );
  },
};
