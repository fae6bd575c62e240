import { type Consumer, type ConsumerMessages, DeliverPolicy } from "@nats-io/jetstream";
import { RecentEventIds } from "@tickerplant/core";
import type { Logger, Nats } from "@tickerplant/runtime";
import type { GatewayMetrics } from "../metrics.ts";
import type { Sink } from "./delivery.ts";
import { toDeliveries } from "./live-feed.ts";
import type { Since } from "./protocol.ts";

/** Messages the replay consumer pulls ahead of the client (each may carry many events). */
const PULL_AHEAD = 256;

/**
 * A resumed subscription: a private ordered consumer that replays from a stream sequence or a
 * time and then simply continues live, so one consumer keeps the channel's order with no handoff
 * (no gap, no duplicate). It pulls continuously (at most PULL_AHEAD messages ahead) and, after each
 * message, waits while the client's socket holds more than the low-water mark, so a long replay
 * runs as fast as the client reads instead of overflowing its buffer or waiting on fetch expiries.
 */
export class ReplayFeed {
  private consumer: Consumer | undefined;
  private messages: ConsumerMessages | undefined;
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
    const invalid = () => this.o.metrics.invalidRecords.inc({ source: "nats" });
    while (!this.stopped && this.consumer) {
      try {
        this.messages = await this.consumer.consume({ max_messages: PULL_AHEAD });
        if (this.stopped) this.messages.stop();
        for await (const msg of this.messages) {
          if (this.stopped) continue; // an ordered consumer's iterator must not be broken out of
          for (const delivery of toDeliveries(msg, this.seen, invalid)) this.o.sink(delivery);
          await this.o.writable();
        }
        return; // an ordered consumer's messages end only when stopped
      } catch (err) {
        if (this.stopped || this.o.nats.nc.isClosed()) break;
        this.o.log.warn("replay consumer failed; retrying", { filter: this.o.filter, err });
        await Bun.sleep(1000);
      }
    }
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.messages?.stop();
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
