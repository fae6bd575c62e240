import type { Book } from "../schemas/messages.ts";
import { OrderBook } from "./order-book.ts";

/**
 * A consumer's copy of one market's book built from the published `md.book` stream, where every
 * delta's prevSeq is the previous message's seq. A hole (a lost message) makes the copy unusable
 * until the next snapshot, never silently wrong.
 */
export class BookReplica {
  readonly book = new OrderBook();
  private seqValue: number | null = null;
  private tsValue = 0;
  private holes = 0;

  /** Applies a published message; false when it could not be applied (waiting for a snapshot). */
  apply(msg: Book): boolean {
    if (msg.kind === "snapshot") {
      this.book.reset(msg);
      this.seqValue = msg.seq;
      this.tsValue = msg.ts;
      return true;
    }
    if (this.seqValue === null) return false;
    if (msg.seq <= this.seqValue && msg.prevSeq !== this.seqValue) return false; // a replay of old data
    if (msg.prevSeq !== this.seqValue) {
      this.holes++;
      this.seqValue = null;
      this.book.reset({ bids: [], asks: [] });
      return false;
    }
    this.book.apply(msg);
    this.seqValue = msg.seq;
    this.tsValue = msg.ts;
    return true;
  }

  get synced(): boolean {
    return this.seqValue !== null;
  }

  get seq(): number | null {
    return this.seqValue;
  }

  /** Exchange time of the last applied message. */
  get ts(): number {
    return this.tsValue;
  }

  /** Holes seen in the stream (each one waited for the next snapshot). */
  get holeCount(): number {
    return this.holes;
  }

  /** The top `depth` levels as a snapshot message, or undefined when not synced. */
  snapshot(
    template: Omit<Book, "kind" | "seq" | "prevSeq" | "bids" | "asks" | "ts">,
    depth: number,
  ): Book | undefined {
    if (this.seqValue === null) return undefined;
    const top = this.book.top(depth);
    return { ...template, ts: this.tsValue, kind: "snapshot", seq: this.seqValue, prevSeq: null, ...top };
  }
}
