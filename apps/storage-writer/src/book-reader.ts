import { type Consumer, type ConsumerMessages, DeliverPolicy, type JsMsg } from "@nats-io/jetstream";
import type { Logger, Nats } from "@tickerplant/runtime";

const RETRY_MS = 1000;

/**
 * Where a book reader starts: far enough back that the ingestor's periodic full-book snapshot
 * (every `snapshotIntervalMs`) is in the window, so every replica can start from one.
 */
export function bookCatchupStart(snapshotIntervalMs: number, now = Date.now()): number {
  return now - snapshotIntervalMs - Math.max(2_000, snapshotIntervalMs / 2);
}

/**
 * This instance's own reader of md.book: an ordered (ephemeral, unacknowledged) consumer, so
 * every writer instance sees every message of every market — a replica cannot be split across
 * instances the way a shared durable work queue splits messages. It starts at a time (see
 * bookCatchupStart) and after that resumes from the next stream sequence if it must be reopened.
 */
export class BookReader {
  private consumer: Consumer | undefined;
  private messages: ConsumerMessages | undefined;
  private nextSeq = 0;
  private stopped = false;
  private done: Promise<void> | undefined;

  constructor(
    private readonly o: {
      nats: Nats;
      stream: string;
      filter: string;
      startTime: number;
      /** Called for every message in stream order. */
      onMessage(msg: JsMsg): void;
      log: Logger;
    },
  ) {}

  async start(): Promise<void> {
    await this.open();
  }

  private async open(): Promise<void> {
    const { nats, stream, filter } = this.o;
    const consumer = await nats.js.consumers.get(stream, {
      filter_subjects: filter, // NATS 2.9: a single filter subject
      ...(this.nextSeq > 0
        ? { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: this.nextSeq }
        : {
            deliver_policy: DeliverPolicy.StartTime,
            opt_start_time: new Date(this.o.startTime).toISOString(),
          }),
    });
    if (this.stopped) {
      await consumer.delete().catch(() => {});
      return;
    }
    this.consumer = consumer;
    this.messages = await consumer.consume({ max_messages: 1000 });
    this.done = this.loop(this.messages);
  }

  private async loop(messages: ConsumerMessages): Promise<void> {
    try {
      for await (const msg of messages) {
        this.nextSeq = msg.seq + 1;
        this.o.onMessage(msg);
      }
    } catch (err) {
      if (!this.stopped) this.o.log.warn("book reader failed", { filter: this.o.filter, err });
    }
    // The iterator ends on its own only when the consumer is gone for good: reopen from the next
    // sequence so the replicas miss nothing.
    while (!this.stopped && !this.o.nats.nc.isClosed()) {
      this.o.log.warn("reopening book reader", { filter: this.o.filter, fromSeq: this.nextSeq });
      await Bun.sleep(RETRY_MS);
      if (this.stopped) break;
      try {
        await this.open();
        return;
      } catch (err) {
        this.o.log.warn("cannot reopen book reader", { filter: this.o.filter, err });
      }
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.messages?.stop();
    await this.done;
    await this.consumer?.delete().catch(() => {});
  }
}
