import type { Book } from "../schemas/messages.ts";
import { BookReplica } from "./replica.ts";

/**
 * What one md.book event did to its market's replica: applied; a hole (the replica was in sync and
 * lost continuity: it waits for the next snapshot); or ignored (no snapshot yet, or old data).
 */
export type BookOutcome = "applied" | "hole" | "ignored";

/** One market's replica and where in the stream it stands. */
export interface MarketReplica {
  readonly key: string;
  replica: BookReplica;
  /** The fields of the last applied event that a snapshot repeats. */
  base: Pick<Book, "type" | "exchange" | "market" | "symbol" | "recvTs" | "simulated">;
  /** Stream sequence of the last event that changed the state (applied, or a hole). */
  streamSeq: number;
  /** Stream position of that event (orders the events of one message). */
  pos: number;
  /** Local time of the last applied event (ms). */
  updatedAt: number;
  /** Local time of the last event of any outcome (ms). */
  heardAt: number;
}

/** A replica's book at a point of the stream. */
export interface ReplicaBook {
  book: Book;
  streamSeq: number;
  pos: number;
  updatedAt: number;
}

/**
 * The book replica feed's state: a BookReplica per market built from md.book events in stream
 * order (snapshots reset; a hole waits for the next snapshot). The storage-writer and the gateway
 * both keep their books here; they differ only in what they do with the outcome.
 */
export class BookReplicas {
  private readonly markets = new Map<string, MarketReplica>();

  /** Applies one event to the replica under `key` (created on first sight). */
  apply(key: string, book: Book, at: { streamSeq: number; pos: number; now: number }): BookOutcome {
    let m = this.markets.get(key);
    if (!m) {
      m = {
        key,
        replica: new BookReplica(),
        base: baseOf(book),
        streamSeq: 0,
        pos: 0,
        updatedAt: 0,
        heardAt: at.now,
      };
      this.markets.set(key, m);
    }
    m.heardAt = at.now;
    const wasSynced = m.replica.synced;
    if (m.replica.apply(book)) {
      m.base = baseOf(book);
      m.streamSeq = at.streamSeq;
      m.pos = at.pos;
      m.updatedAt = at.now;
      return "applied";
    }
    if (wasSynced && !m.replica.synced) {
      m.streamSeq = at.streamSeq;
      m.pos = at.pos;
      return "hole";
    }
    return "ignored";
  }

  isSynced(key: string): boolean {
    return this.markets.get(key)?.replica.synced === true;
  }

  /** The market's top `depth` levels (the whole book by default), or undefined when not in sync. */
  snapshot(key: string, depth = Number.MAX_SAFE_INTEGER): ReplicaBook | undefined {
    const m = this.markets.get(key);
    return m && snapshotOf(m, depth);
  }

  values(): IterableIterator<MarketReplica> {
    return this.markets.values();
  }

  clear(): void {
    this.markets.clear();
  }
}

/** A market replica's top `depth` levels as a snapshot event, or undefined when not in sync. */
export function snapshotOf(m: MarketReplica, depth: number): ReplicaBook | undefined {
  const book = m.replica.snapshot(m.base, depth);
  if (!book) return undefined;
  return { book, streamSeq: m.streamSeq, pos: m.pos, updatedAt: m.updatedAt };
}

function baseOf(book: Book): MarketReplica["base"] {
  return {
    type: "book",
    exchange: book.exchange,
    market: book.market,
    symbol: book.symbol,
    recvTs: book.recvTs,
    ...(book.simulated !== undefined ? { simulated: book.simulated } : {}),
  };
}

/**
 * The md.book contract: a publisher republishes every book in full at least this often (and after
 * every resync), so a consumer that reads this far back (see `bookCatchupStart`) finds a snapshot
 * of every live market. Consumers rely on the contract, not on a setting they must agree on.
 */
export const BOOK_REPUBLISH_MS = 10_000;

/**
 * Where a replica feed starts reading md.book: far enough back that the publisher's periodic full
 * snapshot (every `republishMs`, by contract at most `BOOK_REPUBLISH_MS`) is in the window.
 */
export function bookCatchupStart(now = Date.now(), republishMs = BOOK_REPUBLISH_MS): number {
  return now - republishMs - Math.max(2_000, republishMs / 2);
}
