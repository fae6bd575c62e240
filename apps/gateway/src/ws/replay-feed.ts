import { type Consumer, type ConsumerMessages, DeliverPolicy } from "@nats-io/jetstream";
import { RecentEventIds } from "@tickerplant/core";
import type { Logger, Nats } from "@tickerplant/runtime";
import type { GatewayMetrics } from "../metrics.ts";
import type { Sink } from "./delivery.ts";
import { toDeliveries } from "./live-feed.ts";
import type { Since } from "./protocol.ts";

const FETCH_EXPIRES_MS = 5000;

/**
 * A resumed subscription: a private ordered consumer that replays from a stream sequence or a
 * time and then simply continues live, so one consumer keeps the channel's order with no handoff.
 * It pulls one batch at a time and waits for the client's socket to drain before the next, so a
 * long replay is paced by the client instead of overflowing its buffer.
 */
export class ReplayFeed {
  private consumer: Consumer | undefined;
  private batch: ConsumerMessages | undefined;
  private stopped = false;
  private readonly seen = new RecentEventIds();

  constructor(
    private readonly o: {
      filter: string;
      stream: string;
      since: Since;
      sink: Sink;
      /** Resolves when the client can take more (or is gone). */
      writable: () => Promise<void>;
      /** Bytes per pull: a fraction of the client's buffer limit. */
      batchBytes: number;
      nats: Nats;
      log: Logger;
      metrics: GatewayMetrics;
    },
  ) {}

  /** Creates the consumer; `run` starts the deliveries (after the client has its `subscribed`). */
  async open(): Promise<void> {
    const { since, filter, stream, nats } = this.o;
    this.consumer = await nats.js.consumers.get(stream, {
      filter_subjects: filter,
      ...("seq" in since
        ? { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: since.seq }
        : { deliver_policy: DeliverPolicy.StartTime, opt_start_time: since.time }),
    });
    this.o.metrics.fanoutConsumers.inc({ kind: "replay" });
    if (this.stopped) this.release();
  }

  run(): void {
    void this.loop();
  }

  private async loop(): Promise<void> {
    while (!this.stopped && this.consumer) {
      await this.o.writable();
      if (this.stopped) break;
      try {
        this.batch = await this.consumer.fetch({ max_bytes: this.o.batchBytes, expires: FETCH_EXPIRES_MS });
        for await (const msg of this.batch) {
          if (this.stopped) continue; // an ordered consumer's iterator must not be broken out of
          const invalid = () => this.o.metrics.invalidRecords.inc({ source: "nats" });
          for (const delivery of toDeliveries(msg, this.seen, invalid)) this.o.sink(delivery);
        }
      } catch (err) {
        if (this.stopped || this.o.nats.nc.isClosed()) break;
        this.o.log.warn("replay fetch failed; retrying", { filter: this.o.filter, err });
        await Bun.sleep(1000);
      }
    }
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.batch?.stop();
    this.release();
  }

  private release(): void {
    if (!this.consumer) return;
    const consumer = this.consumer;
    this.consumer = undefined;
    this.o.metrics.fanoutConsumers.dec({ kind: "replay" });
    void consumer.delete().catch(() => {});
  }
}
