import { type Consumer, type ConsumerMessages, DeliverPolicy, type JsMsg } from "@nats-io/jetstream";
import type { Logger } from "./logger.ts";
import type { Nats } from "./nats.ts";

/**
 * Where a reader starts: a stream sequence, a time (epoch ms), or `"next"` (the stream's next
 * sequence when it opens: only what is published from then on).
 */
export type ReadFrom = { seq: number } | { time: number } | "next";

export interface OrderedReaderOptions {
  nats: Nats;
  stream: string;
  /** One subject filter (NATS 2.9 has no filter_subjects array). */
  filter: string;
  from: ReadFrom;
  /**
   * Called for every message in stream order. A returned promise is awaited before the next
   * message (backpressure); a throw is logged and the message skipped.
   */
  onMessage(msg: JsMsg): void | Promise<void>;
  log: Logger;
  /** What the logs call this reader. */
  name: string;
  /** Messages pulled ahead of `onMessage`. */
  pullAhead?: number;
  /**
   * Stop after the stream's last message as of opening (or when nothing matching is pending):
   * a bounded replay. `ended` resolves then.
   */
  toEnd?: boolean;
  retryMs?: number;
  /**
   * How long one pull waits (default 5 s). Idle heartbeats come at half of it, and two missed ones
   * make the library recreate a consumer deleted under it.
   */
  expiresMs?: number;
}

/**
 * A NATS restart loses the server's side of a pull, which the library notices only after two missed
 * idle heartbeats (half the expiry each): with its 30 s default a reader — the gateway's live feed —
 * stayed silent for ≈ 40 s after every restart (chaos suite, 2026-12-07).
 */
const DEFAULT_EXPIRES_MS = 5000;

/**
 * An ordered (ephemeral, unacknowledged) JetStream reader of one subject filter: starts at a
 * sequence or a time, and when its consumer is gone for good (deleted, NATS restarted) reopens
 * from the next sequence, so its `onMessage` sees every message once and in order. `open` creates
 * the consumer (and throws if it cannot); `run` starts the deliveries; `stop` ends them cleanly.
 *
 * The library already re-creates an ordered consumer after a gap or missed heartbeats; the
 * reopen here covers what it gives up on (its iterator ends or throws).
 */
export class OrderedReader {
  /** The sequence the next open starts at (0 until a message or a `"next"` start fixed it). */
  nextSeq = 0;
  /** Resolves when the reader has stopped (by `stop`, or at the end of a `toEnd` replay). */
  readonly ended: Promise<void>;
  private consumer: Consumer | undefined;
  private messages: ConsumerMessages | undefined;
  /** A `toEnd` reader's last sequence: the stream's last one when it first opened. */
  endSeq = Number.POSITIVE_INFINITY;
  private stopped = false;
  private opened = false;
  private loop: Promise<void> | undefined;
  private resolveEnded!: () => void;

  constructor(private readonly o: OrderedReaderOptions) {
    this.ended = new Promise((resolve) => {
      this.resolveEnded = resolve;
    });
  }

  /** Opens and runs. */
  async start(): Promise<void> {
    await this.open();
    this.run();
  }

  /** Creates the consumer; nothing is delivered until `run`. */
  async open(): Promise<void> {
    const { nats, stream, filter, from } = this.o;
    if (!this.opened && (from === "next" || this.o.toEnd)) {
      const lastSeq = (await nats.jsm.streams.info(stream)).state.last_seq;
      if (from === "next") this.nextSeq = lastSeq + 1;
      if (this.o.toEnd) {
        this.endSeq = lastSeq;
        if (lastSeq === 0) return this.finish();
      }
    }
    const consumer = await nats.js.consumers.get(stream, {
      filter_subjects: filter,
      ...(this.nextSeq > 0
        ? { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: this.nextSeq }
        : typeof from === "object" && "seq" in from
          ? { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: from.seq }
          : {
              deliver_policy: DeliverPolicy.StartTime,
              opt_start_time: new Date((from as { time: number }).time).toISOString(),
            }),
    });
    this.consumer = consumer;
    this.opened = true;
    if (this.stopped) return this.release();
    // A bounded replay with nothing to read ends here (an empty consume would wait forever).
    if (this.o.toEnd && (await consumer.info(false)).num_pending === 0) return this.finish();
  }

  /** Starts the deliveries on the opened consumer. */
  run(): void {
    if (!this.consumer || this.loop) return;
    this.loop = this.read(this.consumer);
  }

  private async read(consumer: Consumer): Promise<void> {
    try {
      const messages = await consumer.consume({
        max_messages: this.o.pullAhead ?? 512,
        expires: this.o.expiresMs ?? DEFAULT_EXPIRES_MS,
      });
      this.messages = messages;
      if (this.stopped) messages.stop();
      for await (const msg of messages) {
        // An ordered consumer's iterator is not broken out of: stop() ends it.
        if (this.stopped) continue;
        this.nextSeq = msg.seq + 1;
        try {
          const pending = this.o.onMessage(msg);
          if (pending) await pending;
        } catch (err) {
          this.o.log.error("reader could not handle a message", { reader: this.o.name, seq: msg.seq, err });
        }
        if (msg.seq >= this.endSeq || (this.o.toEnd && msg.info.pending === 0)) void this.finish();
      }
    } catch (err) {
      if (!this.stopped)
        this.o.log.warn("reader failed", { reader: this.o.name, filter: this.o.filter, err });
    }
    this.loop = undefined;
    await this.release();
    // The iterator ends on its own only when the consumer is gone for good: reopen from the next
    // sequence so nothing is missed.
    while (!this.stopped && !this.o.nats.nc.isClosed()) {
      this.o.log.warn("reopening reader", {
        reader: this.o.name,
        filter: this.o.filter,
        fromSeq: this.nextSeq,
      });
      await Bun.sleep(this.o.retryMs ?? 1000);
      if (this.stopped) break;
      try {
        await this.open();
        this.run();
        return;
      } catch (err) {
        this.o.log.warn("cannot reopen reader", { reader: this.o.name, filter: this.o.filter, err });
      }
    }
    if (this.stopped) this.resolveEnded();
  }

  /** Stops the deliveries (the message being handled completes) and deletes the consumer. */
  async stop(): Promise<void> {
    if (this.stopped) return this.ended;
    this.stopped = true;
    this.messages?.stop();
    if (this.loop) await this.loop;
    else await this.release();
    this.resolveEnded();
  }

  private finish(): Promise<void> {
    return this.stop();
  }

  private async release(): Promise<void> {
    const consumer = this.consumer;
    this.consumer = undefined;
    this.messages = undefined;
    await consumer?.delete().catch(() => {});
  }
}
