import type { BookSyncRules } from "../../book/sync.ts";

/**
 * Coinbase's order-book rule: level2 sends the full book on the stream when a product is
 * subscribed, then absolute updates that Coinbase guarantees to deliver in full, so any loss shows
 * as a hole in the connection's `sequence_num` (reported as a gap; the parser then cuts every
 * product's chain). A delta follows when its prevSeq is the seq of the product's previous book
 * message on the connection (see sequence.ts). The REST product_book has no sequence to bridge
 * with, so a resync resubscribes level2 for the product.
 */
export const bookSync: BookSyncRules = {
  snapshotFrom: "stream",
  follows: (lastSeq, d) => d.prevSeq === lastSeq,
  stale: (lastSeq, d) => d.seq <= lastSeq,
};
