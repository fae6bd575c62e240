import { type Book, BookReplica } from "@tickerplant/core";
import type { Logger } from "@tickerplant/runtime";
import { isBookMessage } from "../message-check.ts";
import type { GatewayMetrics } from "../metrics.ts";
import type { Delivery, Sink } from "./delivery.ts";

/**
 * What one md.book message did to the feed's replica of its market: applied; a hole (the replica
 * was in sync and lost continuity: it waits for the next snapshot); or ignored (no snapshot yet,
 * or a replay of older data).
 */
export type BookOutcome = "applied" | "hole" | "ignored";

export interface BookEvent {
  feed: BookFeed;
  /** The concrete channel, e.g. `book:binance:BTC-USDT`. */
  channel: string;
  book: Book;
  /** The JetStream stream sequence (of the message that carried it). */
  streamSeq: number;
  /** The event's stream position (orders the events of one message). */
  pos: number;
  outcome: BookOutcome;
  /** The message's JSON text, as published. */
  payload: string;
}

export type BookListener = (e: BookEvent) => void;

/** A replica's book at a point of the stream. */
export interface LiveBook {
  book: Book;
  streamSeq: number;
  /** Stream position of the last event applied. */
  pos: number;
  /** When the replica last applied a message (ms). */
  updatedAt: number;
}

interface MarketReplica {
  replica: BookReplica;
  /** The fields of the last applied message that a snapshot repeats. */
  base: Pick<Book, "type" | "exchange" | "market" | "symbol" | "recvTs" | "simulated">;
  streamSeq: number;
  pos: number;
  updatedAt: number;
}

/**
 * The gateway's own copy of the books behind one md.book subject filter (one market, or a pattern):
 * a BookReplica per market fed by the shared live feed, and the clients listening to it. Snapshots
 * for clients are taken from these replicas, so they always line up with the deltas that follow.
 */
export class BookFeed {
  readonly listeners = new Set<BookListener>();
  readonly sink: Sink = (d) => this.onDelivery(d);
  ready: Promise<void> = Promise.resolve();
  private readonly markets = new Map<string, MarketReplica>();
  private closed = false;

  constructor(
    readonly filter: string,
    private readonly deps: { metrics: GatewayMetrics; log: Logger; now?: () => number },
  ) {}

  onDelivery(d: Delivery): void {
    if (this.closed) return;
    const book = d.value;
    if (!isBookMessage(book)) {
      this.deps.metrics.invalidRecords.inc({ source: "nats" });
      return;
    }
    const outcome = this.apply(d.channel, book, d.seq, d.pos);
    const event: BookEvent = {
      feed: this,
      channel: d.channel,
      book,
      streamSeq: d.seq,
      pos: d.pos,
      outcome,
      payload: d.payload,
    };
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (err) {
        this.deps.log.error("delivering a book message to a client failed", { channel: d.channel, err });
      }
    }
  }

  private apply(channel: string, book: Book, streamSeq: number, pos: number): BookOutcome {
    const { metrics } = this.deps;
    let m = this.markets.get(channel);
    if (!m) {
      m = { replica: new BookReplica(), base: baseOf(book), streamSeq: 0, pos: 0, updatedAt: 0 };
      this.markets.set(channel, m);
    }
    const wasSynced = m.replica.synced;
    if (m.replica.apply(book)) {
      m.base = baseOf(book);
      m.streamSeq = streamSeq;
      m.pos = pos;
      m.updatedAt = this.deps.now?.() ?? Date.now();
      if (!wasSynced) metrics.bookReplicasSynced.inc();
      return "applied";
    }
    if (wasSynced && !m.replica.synced) {
      m.streamSeq = streamSeq;
      m.pos = pos;
      metrics.bookReplicasSynced.dec();
      metrics.bookHoles.inc({ exchange: book.exchange });
      this.deps.log.warn("hole in md.book; the market waits for the next snapshot", {
        channel,
        prevSeq: book.prevSeq,
        seq: book.seq,
        streamSeq,
      });
      return "hole";
    }
    return "ignored";
  }

  /** The market's book (top `depth` levels; the whole book by default), or undefined when not in sync. */
  snapshot(channel: string, depth = Number.MAX_SAFE_INTEGER): LiveBook | undefined {
    const m = this.markets.get(channel);
    const book = m?.replica.snapshot(m.base, depth);
    if (!m || !book) return undefined;
    return { book, streamSeq: m.streamSeq, pos: m.pos, updatedAt: m.updatedAt };
  }

  /** Channels whose replica is in sync. */
  *syncedChannels(): IterableIterator<string> {
    for (const [channel, m] of this.markets) if (m.replica.synced) yield channel;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const m of this.markets.values()) if (m.replica.synced) this.deps.metrics.bookReplicasSynced.dec();
    this.markets.clear();
    this.listeners.clear();
  }
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
