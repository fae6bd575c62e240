import type { JsMsg } from "@nats-io/jetstream";
import {
  channelOfSubject,
  eventPosition,
  messageId,
  type NormalizedMessage,
  RecentEventIds,
} from "@tickerplant/core";
import { eventTexts, type Logger, type Nats, OrderedReader } from "@tickerplant/runtime";
import type { GatewayMetrics } from "../metrics.ts";
import type { Delivery, Sink } from "./delivery.ts";

/**
 * One ordered reader for one subject filter, shared by every client subscribed to it. It starts
 * at the stream's next sequence (not `deliver_policy: new`) so that a reopened consumer resumes
 * from a known cursor instead of sequence 1 — or, with `startTime`, at a time in the past (order
 * books read back to the last full snapshot). Ordered consumers are unacknowledged: the fan-out
 * costs no acks.
 */
export class LiveFeed {
  readonly sinks = new Set<Sink>();
  readonly ready: Promise<void>;
  private readonly reader: OrderedReader;
  private counted = false;
  /** Events repeated by redundant ingestors (same id, another message) are dropped here, once for all clients. */
  private readonly seen = new RecentEventIds();

  constructor(
    readonly filter: string,
    readonly stream: string,
    private readonly deps: { nats: Nats; log: Logger; metrics: GatewayMetrics },
    /** Epoch ms to start from instead of the stream's next sequence. */
    startTime?: number,
  ) {
    this.reader = new OrderedReader({
      nats: deps.nats,
      stream,
      filter,
      from: startTime !== undefined ? { time: startTime } : "next",
      onMessage: (msg) => this.dispatch(msg),
      pullAhead: 512,
      log: deps.log,
      name: "live feed",
    });
    this.ready = this.reader.start().then(() => {
      this.counted = true;
      deps.metrics.fanoutConsumers.inc({ kind: "live" });
    });
  }

  private dispatch(msg: JsMsg): void {
    this.deps.metrics.fanoutMessages.inc({ stream: this.stream });
    const deliveries = toDeliveries(msg, this.seen, () =>
      this.deps.metrics.invalidRecords.inc({ source: "nats" }),
    );
    for (const delivery of deliveries) {
      for (const sink of this.sinks) {
        try {
          sink(delivery);
        } catch (err) {
          this.deps.log.error("delivering to a client failed", { channel: delivery.channel, err });
        }
      }
    }
  }

  async close(): Promise<void> {
    await this.ready.catch(() => {});
    await this.reader.stop();
    if (this.counted) this.deps.metrics.fanoutConsumers.dec({ kind: "live" });
    this.counted = false;
  }
}

/**
 * A JetStream message → its events as Deliveries, in order. Events that are not a channel's JSON
 * object are reported to `onInvalid` and skipped; with `seen`, a market-data event whose id was
 * already delivered (a redundant ingestor's copy) is skipped too.
 */
export function toDeliveries(
  msg: JsMsg,
  seen: RecentEventIds | undefined,
  onInvalid: () => void,
): Delivery[] {
  const ch = channelOfSubject(msg.subject);
  let texts: string[];
  try {
    texts = eventTexts(msg);
  } catch {
    onInvalid();
    return [];
  }
  if (!ch) {
    for (const _ of texts) onInvalid();
    return [];
  }
  const out: Delivery[] = [];
  texts.forEach((payload, index) => {
    let value: unknown;
    try {
      value = JSON.parse(payload);
    } catch {
      value = undefined;
    }
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      onInvalid();
      return;
    }
    if (seen && ch.marketData && !seen.firstSeen(msg.subject, messageId(value as NormalizedMessage))) return;
    out.push({
      channel: ch.channel,
      type: ch.type,
      seq: msg.seq,
      pos: eventPosition(msg.seq, index),
      payload,
      value,
    });
  });
  return out;
}
