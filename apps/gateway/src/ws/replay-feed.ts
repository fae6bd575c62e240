import { RecentEventIds } from "@tickerplant/core";
import { type Logger, type Nats, OrderedReader } from "@tickerplant/runtime";
import type { GatewayMetrics } from "../metrics.ts";
import type { Sink } from "./delivery.ts";
import { toDeliveries } from "./live-feed.ts";
import type { Since } from "./protocol.ts";

/** Messages the replay consumer pulls ahead of the client (each may carry many events). */
const PULL_AHEAD = 256;

/**
 * A resumed subscription: a private ordered reader that replays from a stream sequence or a
 * time and then simply continues live, so one consumer keeps the channel's order with no handoff
 * (no gap, no duplicate). It pulls continuously (at most PULL_AHEAD messages ahead) and, after each
 * message, waits while the client's socket holds more than the low-water mark, so a long replay
 * runs as fast as the client reads instead of overflowing its buffer or waiting on fetch expiries.
 */
export class ReplayFeed {
  private readonly reader: OrderedReader;
  private counted = false;
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
  ) {
    const invalid = () => o.metrics.invalidRecords.inc({ source: "nats" });
    this.reader = new OrderedReader({
      nats: o.nats,
      stream: o.stream,
      filter: o.filter,
      from: "seq" in o.since ? { seq: o.since.seq } : { time: Date.parse(o.since.time) },
      onMessage: async (msg) => {
        for (const delivery of toDeliveries(msg, this.seen, invalid)) o.sink(delivery);
        await o.writable();
      },
      pullAhead: PULL_AHEAD,
      log: o.log,
      name: "replay feed",
    });
  }

  /** Creates the consumer; `run` starts the deliveries (after the client has its `subscribed`). */
  async open(): Promise<void> {
    await this.reader.open();
    if (this.stopped) return;
    this.counted = true;
    this.o.metrics.fanoutConsumers.inc({ kind: "replay" });
  }

  run(): void {
    this.reader.run();
  }

  stop(): void {
    this.stopped = true;
    void this.reader.stop();
    if (this.counted) this.o.metrics.fanoutConsumers.dec({ kind: "replay" });
    this.counted = false;
  }
}
