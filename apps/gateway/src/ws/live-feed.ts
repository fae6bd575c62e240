import { type Consumer, type ConsumerMessages, DeliverPolicy, type JsMsg } from "@nats-io/jetstream";
import { eventPosition, messageId, type NormalizedMessage, RecentEventIds } from "@tickerplant/core";
import { eventTexts, type Logger, type Nats } from "@tickerplant/runtime";
import type { GatewayMetrics } from "../metrics.ts";
import type { Delivery, Sink } from "./delivery.ts";
import { channelOfSubject } from "./subjects.ts";

const RETRY_MS = 1000;

/**
 * One JetStream ordered consumer for one subject filter, shared by every client subscribed to it.
 * It starts at the stream's next sequence (not `deliver_policy: new`) so that the library's
 * automatic re-creation after a gap resumes from a known cursor instead of sequence 1 — or, with
 * `startTime`, at a time in the past (order books read back to the last full snapshot).
 */
export class LiveFeed {
  readonly sinks = new Set<Sink>();
  ready: Promise<void>;
  private consumer: Consumer | undefined;
  private messages: ConsumerMessages | undefined;
  private nextSeq = 0;
  private stopped = false;
  /** Events repeated by redundant ingestors (same id, another message) are dropped here, once for all clients. */
  private readonly seen = new RecentEventIds();

  constructor(
    readonly filter: string,
    readonly stream: string,
    private readonly deps: { nats: Nats; log: Logger; metrics: GatewayMetrics },
    /** Epoch ms to start from instead of the stream's next sequence. */
    private readonly startTime?: number,
  ) {
    this.ready = this.open();
  }

  private async open(): Promise<void> {
    const { nats } = this.deps;
    const fromTime = this.nextSeq === 0 && this.startTime !== undefined;
    if (this.nextSeq === 0 && !fromTime)
      this.nextSeq = (await nats.jsm.streams.info(this.stream)).state.last_seq + 1;
    const consumer = await nats.js.consumers.get(this.stream, {
      filter_subjects: this.filter, // a single filter: NATS 2.9 has no filter_subjects array
      ...(fromTime
        ? { deliver_policy: DeliverPolicy.StartTime, opt_start_time: new Date(this.startTime!).toISOString() }
        : { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: this.nextSeq }),
    });
    if (this.stopped) {
      await consumer.delete().catch(() => {});
      return;
    }
    this.consumer = consumer;
    this.messages = await consumer.consume({ max_messages: 512 });
    this.deps.metrics.fanoutConsumers.inc({ kind: "live" });
    void this.loop(this.messages);
  }

  private async loop(messages: ConsumerMessages): Promise<void> {
    try {
      for await (const msg of messages) this.dispatch(msg);
    } catch (err) {
      if (!this.stopped) this.deps.log.warn("live feed failed", { filter: this.filter, err });
    }
    this.deps.metrics.fanoutConsumers.dec({ kind: "live" });
    // The iterator ends on its own only when the consumer is gone for good: open a new one from
    // the next sequence so clients miss nothing.
    while (!this.stopped && !this.deps.nats.nc.isClosed()) {
      this.deps.log.warn("reopening live feed", { filter: this.filter, fromSeq: this.nextSeq });
      await Bun.sleep(RETRY_MS);
      if (this.stopped) break;
      try {
        this.ready = this.open();
        await this.ready;
        return;
      } catch (err) {
        this.deps.log.warn("cannot reopen live feed", { filter: this.filter, err });
      }
    }
  }

  private dispatch(msg: JsMsg): void {
    this.nextSeq = msg.seq + 1;
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
    this.stopped = true;
    await this.ready.catch(() => {});
    this.messages?.stop();
    await this.consumer?.delete().catch(() => {});
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
