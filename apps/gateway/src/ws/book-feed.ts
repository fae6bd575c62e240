import { type Book, type BookOutcome, BookReplicas, type ReplicaBook } from "@tickerplant/core";
import type { Logger } from "@tickerplant/runtime";
import { isBookMessage } from "../message-check.ts";
import type { GatewayMetrics } from "../metrics.ts";
import type { Delivery, Sink } from "./delivery.ts";

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

/**
 * The gateway's own copy of the books behind one md.book subject filter (one market, or a pattern):
 * a BookReplica per market fed by the shared live feed, and the clients listening to it. Snapshots
 * for clients are taken from these replicas, so they always line up with the deltas that follow.
 */
export class BookFeed {
  readonly listeners = new Set<BookListener>();
  readonly sink: Sink = (d) => this.onDelivery(d);
  ready: Promise<void> = Promise.resolve();
  private readonly replicas = new BookReplicas();
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
    const wasSynced = this.replicas.isSynced(channel);
    const outcome = this.replicas.apply(channel, book, {
      streamSeq,
      pos,
      now: this.deps.now?.() ?? Date.now(),
    });
    if (outcome === "applied" && !wasSynced) metrics.bookReplicasSynced.inc();
    if (outcome === "hole") {
      metrics.bookReplicasSynced.dec();
      metrics.bookHoles.inc({ exchange: book.exchange });
      this.deps.log.warn("hole in md.book; the market waits for the next snapshot", {
        channel,
        prevSeq: book.prevSeq,
        seq: book.seq,
        streamSeq,
      });
    }
    return outcome;
  }

  /** The market's book (top `depth` levels; the whole book by default), or undefined when not in sync. */
  snapshot(channel: string, depth = Number.MAX_SAFE_INTEGER): ReplicaBook | undefined {
    return this.replicas.snapshot(channel, depth);
  }

  /** Channels whose replica is in sync. */
  *syncedChannels(): IterableIterator<string> {
    for (const m of this.replicas.values()) if (m.replica.synced) yield m.key;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const m of this.replicas.values()) if (m.replica.synced) this.deps.metrics.bookReplicasSynced.dec();
    this.replicas.clear();
    this.listeners.clear();
  }
}
