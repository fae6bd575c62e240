import type { BookSyncRules } from "../../book/sync.ts";
import type { Book } from "../../schemas/messages.ts";
import { CHECKSUM_LEVELS, KRAKEN_BOOK_DEPTH } from "./channels.ts";
import { type ExactLevel, krakenChecksum } from "./checksum.ts";

/**
 * A minimal Kraken L2 book for checksum validation (pure data + functions, no I/O): the order-book
 * engine keeps one per market and feeds it the normalized book messages of this adapter.
 * Kraken's rules (book-checksum guides, v1 and v2):
 * - a snapshot replaces the book; updates apply in the order sent, several to the same level may
 *   come in one message;
 * - amount 0 deletes the level; a deletion of a level we do not hold is ignored (Kraken sends
 *   some, cryptofeed notes the same);
 * - after every message the book is truncated to the subscribed depth: Kraken sends no deletion for
 *   a level that an insertion pushes out of scope;
 * - the checksum covers the top 10 levels of each side as the exchange printed them.
 */

export interface KrakenLevel {
  price: number;
  exact: ExactLevel;
}

export interface KrakenBook {
  depth: number;
  /** Best (highest) first. */
  bids: KrakenLevel[];
  /** Best (lowest) first. */
  asks: KrakenLevel[];
}

export function createKrakenBook(depth: number = KRAKEN_BOOK_DEPTH): KrakenBook {
  return { depth, bids: [], asks: [] };
}

/** Index of `price` in a best-first side, or the insertion point as -(index + 1). */
function find(side: KrakenLevel[], price: number, descending: boolean): number {
  let lo = 0;
  let hi = side.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const p = side[mid]!.price;
    if (p === price) return mid;
    if (descending ? p > price : p < price) lo = mid + 1;
    else hi = mid - 1;
  }
  return -(lo + 1);
}

function applySide(
  side: KrakenLevel[],
  levels: Book["bids"],
  exact: readonly ExactLevel[] | undefined,
  descending: boolean,
): void {
  for (let i = 0; i < levels.length; i++) {
    const [price, amount] = levels[i]!;
    const at = find(side, price, descending);
    if (amount === 0) {
      if (at >= 0) side.splice(at, 1);
      continue;
    }
    const level: KrakenLevel = { price, exact: exact?.[i] ?? [String(price), String(amount)] };
    if (at >= 0) side[at] = level;
    else side.splice(-at - 1, 0, level);
  }
}

/**
 * Applies one normalized Kraken book message (snapshot or delta) to `book` in place and returns it.
 * Uses the message's exact strings when it has them.
 */
export function applyKrakenBook(book: KrakenBook, msg: Book): KrakenBook {
  if (msg.kind === "snapshot") {
    book.bids = [];
    book.asks = [];
  }
  applySide(book.bids, msg.bids, msg.exact?.bids, true);
  applySide(book.asks, msg.asks, msg.exact?.asks, false);
  if (book.bids.length > book.depth) book.bids.length = book.depth;
  if (book.asks.length > book.depth) book.asks.length = book.depth;
  return book;
}

/** The checksum Kraken would send for this book. */
export function krakenBookChecksum(book: KrakenBook): number {
  const top = (side: KrakenLevel[]) => side.slice(0, 10).map((l) => l.exact);
  return krakenChecksum(top(book.asks), top(book.bids));
}

/**
 * Whether the book (after applying `msg`) matches the checksum the exchange sent with `msg`;
 * undefined when the message carries none (v1 snapshots).
 */
export function verifyKrakenBook(book: KrakenBook, msg: Book): boolean | undefined {
  return msg.checksum === undefined ? undefined : krakenBookChecksum(book) === msg.checksum;
}

/**
 * Kraken's rules for the order-book engine (BookSync), v2 and v1 alike: the stream sends the
 * snapshot (a resync resubscribes); books have no sequence numbers, so what proves continuity is the
 * checksum sent with every update (and v2 snapshots), checked on the top 10 levels as printed; the
 * book is truncated to the subscribed `depth` after every message. prevSeq only chains a symbol's
 * book messages on one connection (sequence.ts).
 */
export function krakenBookSync(depth: number = KRAKEN_BOOK_DEPTH): BookSyncRules {
  return {
    snapshotFrom: "stream",
    follows: (lastSeq, d) => d.prevSeq === lastSeq,
    depth,
    verify: (book, msg) =>
      msg.checksum === undefined ||
      krakenChecksum(book.asks.topExact(CHECKSUM_LEVELS), book.bids.topExact(CHECKSUM_LEVELS)) ===
        msg.checksum,
  };
}

/** At the depth the adapter subscribes to. */
export const bookSync: BookSyncRules = krakenBookSync();
