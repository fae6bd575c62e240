import type { JetStreamClient } from "@nats-io/jetstream";
import { headers as natsHeaders } from "@nats-io/transport-node";
import {
  batchMessageId,
  EVENTS_HEADER,
  EVENTS_VERSION,
  encodeEvents,
  MAX_EVENTS_PER_MESSAGE,
} from "@tickerplant/core";
import { Counter, Gauge, type Registry } from "prom-client";
import { backoffDelay } from "./backoff.ts";
import type { Logger } from "./logger.ts";

/**
 * Publishes to JetStream with a deterministic Nats-Msg-Id and a bounded number of unacknowledged
 * publishes. `publish()` resolves once the message is admitted (in flight); it waits while the
 * window is full, which pushes back on the producer. Admitted messages are sent together once per
 * event-loop turn, so a burst of exchange frames becomes one socket write rather than one each. A
 * failed publish is retried with the same id (the server deduplicates) until it is acknowledged or
 * the publisher stops.
 *
 * `publishEvent` is the market-data path: events of one subject admitted in the same event-loop
 * turn (one socket read, usually) become one message in the event-batch format
 * (`@tickerplant/core` event-batch.ts), so a burst of trades costs one acknowledged publish.
 */
export class JetStreamPublisher {
  private inFlight = 0;
  /** Accepted by publish() and not yet finished: waiting for the window, batched, or in flight. */
  private pending = 0;
  private batch: Array<[string, Uint8Array | string, string, boolean, number]> = [];
  /** Events accepted and not yet acknowledged (a batch message counts each of its events). */
  private pendingEvents = 0;
  private batchScheduled = false;
  /** Events waiting for the end of this event-loop turn, per subject, in arrival order. */
  private events = new Map<string, { texts: string[]; ids: string[] }>();
  private eventsScheduled = false;
  private waiters: Array<() => void> = [];
  private idle: Array<() => void> = [];
  private stopped = false;
  private readonly published: Counter;
  private readonly duplicates: Counter;
  private readonly failures: Counter;
  private readonly inFlightGauge: Gauge;

  constructor(
    private readonly js: JetStreamClient,
    private readonly options: {
      maxInFlight: number;
      registry: Registry;
      log: Logger;
      /** publishEvent: wait this long (ms) for more events of a subject; 0 = the end of this event-loop turn. */
      lingerMs?: number;
    },
  ) {
    const registers = [options.registry];
    this.published = new Counter({
      name: "tickerplant_published_messages_total",
      help: "messages acknowledged by JetStream, by stream",
      labelNames: ["stream"],
      registers,
    });
    this.duplicates = new Counter({
      name: "tickerplant_published_duplicates_total",
      help: "publishes the server recognised as duplicates (same Nats-Msg-Id)",
      registers,
    });
    this.failures = new Counter({
      name: "tickerplant_publish_failures_total",
      help: "publish attempts that failed and were retried",
      registers,
    });
    const self = this;
    this.inFlightGauge = new Gauge({
      name: "tickerplant_publish_in_flight",
      help: "publishes awaiting acknowledgement",
      registers,
      collect() {
        this.set(self.inFlight);
      },
    });
  }

  async publish(
    subject: string,
    data: Uint8Array | string,
    msgID: string,
    eventBatch = false,
    events = 1,
  ): Promise<void> {
    this.pending++;
    this.pendingEvents += events;
    while (this.inFlight >= this.options.maxInFlight) {
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
    this.inFlight++;
    this.batch.push([subject, data, msgID, eventBatch, events]);
    if (!this.batchScheduled) {
      this.batchScheduled = true;
      setImmediate(() => this.sendBatch());
    }
  }

  /**
   * One event (its JSON text and deterministic id) for a subject; it goes out with the other
   * events of the subject admitted in this event-loop turn as one message.
   */
  publishEvent(subject: string, json: string, eventId: string): void {
    let group = this.events.get(subject);
    if (!group) {
      group = { texts: [], ids: [] };
      this.events.set(subject, group);
    }
    group.texts.push(json);
    group.ids.push(eventId);
    this.pendingEvents++;
    if (group.texts.length >= MAX_EVENTS_PER_MESSAGE) {
      this.events.delete(subject);
      this.publishGroup(subject, group);
    }
    if (!this.eventsScheduled) {
      this.eventsScheduled = true;
      const linger = this.options.lingerMs ?? 0;
      if (linger > 0) setTimeout(() => this.sendEvents(), linger);
      else setImmediate(() => this.sendEvents());
    }
  }

  private publishGroup(subject: string, group: { texts: string[]; ids: string[] }): void {
    const n = group.texts.length;
    this.pendingEvents -= n; // counted again by publish()
    void this.publish(subject, encodeEvents(group.texts), batchMessageId(group.ids), true, n);
  }

  private sendEvents(): void {
    if (!this.eventsScheduled) return; // flushed early
    this.eventsScheduled = false;
    const events = this.events;
    this.events = new Map();
    for (const [subject, group] of events) this.publishGroup(subject, group);
    // Admitted in the same turn as the events: out now rather than one more turn later.
    if (this.batch.length > 0) this.sendBatch();
  }

  private sendBatch(): void {
    this.batchScheduled = false;
    const batch = this.batch;
    this.batch = [];
    for (const [subject, data, msgID, eventBatch, events] of batch)
      void this.send(subject, data, msgID, eventBatch, events);
  }

  private async send(
    subject: string,
    data: Uint8Array | string,
    msgID: string,
    eventBatch: boolean,
    events: number,
  ): Promise<void> {
    const headers = eventBatch ? eventsHeaders() : undefined;
    for (let attempt = 0; ; attempt++) {
      try {
        const ack = await this.js.publish(subject, data, {
          msgID,
          timeout: 5000,
          ...(headers ? { headers } : {}),
        });
        if (ack.duplicate) this.duplicates.inc();
        this.published.inc({ stream: ack.stream });
        break;
      } catch (err) {
        this.failures.inc();
        if (this.stopped) {
          this.options.log.error("publish abandoned at stop", { subject, msgID, err });
          break;
        }
        if (attempt % 10 === 0) this.options.log.warn("publish failed; retrying", { subject, attempt, err });
        await Bun.sleep(backoffDelay(attempt, 50, 5000));
      }
    }
    this.inFlight--;
    this.pending--;
    this.pendingEvents -= events;
    this.waiters.shift()?.();
    if (this.pending === 0) for (const resolve of this.idle.splice(0)) resolve();
  }

  /** Events accepted and not yet acknowledged (waiting for their message, the window, or in flight). */
  get backlog(): number {
    return this.pendingEvents;
  }

  /** Resolves when every accepted publish (in flight or still waiting for the window) is acknowledged. */
  async flush(): Promise<void> {
    if (this.events.size > 0) this.sendEvents();
    if (this.pending === 0) return;
    await new Promise<void>((resolve) => this.idle.push(resolve));
  }

  async stop(timeoutMs = 10_000): Promise<void> {
    await Promise.race([this.flush(), Bun.sleep(timeoutMs)]);
    this.stopped = true;
  }
}

function eventsHeaders() {
  const h = natsHeaders();
  h.set(EVENTS_HEADER, EVENTS_VERSION);
  return h;
}
