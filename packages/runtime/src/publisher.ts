import { type PubAck, PubHeaders } from "@nats-io/jetstream";
import { InvalidArgumentError, headers as natsHeaders } from "@nats-io/transport-node";
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
import type { Nats } from "./nats.ts";
import { PubAckInbox } from "./pub-ack-inbox.ts";

/** One admitted message, kept until JetStream acknowledges it. */
interface Outgoing {
  /** Admission order. */
  readonly n: number;
  readonly subject: string;
  readonly data: Uint8Array | string;
  readonly msgID: string;
  readonly eventBatch: boolean;
  readonly events: number;
  done: boolean;
}

const PUBLISH_TIMEOUT_MS = 5000;

/**
 * Publishes to JetStream with a deterministic Nats-Msg-Id and a bounded number of unacknowledged
 * publishes. `publish()` resolves once the message is admitted (in flight); it waits while the
 * window is full, which pushes back on the producer. Admitted messages are sent together once per
 * event-loop turn, so a burst of exchange frames becomes one socket write rather than one each.
 *
 * Messages land in the stream in admission order, also across a lost connection or a NATS restart:
 * when the connection drops or a publish fails, nothing new is sent; once the connection is back,
 * every unacknowledged message is re-sent in admission order with its id (the server deduplicates
 * the ones it already had) — the oldest one alone until it is acknowledged, then the rest together.
 * Retrying each failed publish on its own would let newer messages overtake the ones lost with the
 * old socket. Unconfirmed messages are retried until acknowledged or the publisher stops.
 *
 * `publishEvent` is the market-data path: events of one subject admitted in the same event-loop
 * turn (one socket read, usually) become one message in the event-batch format
 * (`@tickerplant/core` event-batch.ts), so a burst of trades costs one acknowledged publish.
 */
export class JetStreamPublisher {
  private inFlight = 0;
  /** Accepted by publish() and not yet finished: waiting for the window, batched, or in flight. */
  private pending = 0;
  /** Admitted and not acknowledged, in admission order (a Map keeps insertion order). */
  private readonly unacked = new Map<number, Outgoing>();
  private admitted = 0;
  /** Admitted since the last send. */
  private batch: Outgoing[] = [];
  /** Events accepted and not yet acknowledged (a batch message counts each of its events). */
  private pendingEvents = 0;
  private batchScheduled = false;
  /** Events waiting for the end of this event-loop turn, per subject, in arrival order. */
  private events = new Map<string, { texts: string[]; ids: string[] }>();
  private eventsScheduled = false;
  private waiters: Array<() => void> = [];
  private idle: Array<() => void> = [];
  /** Bumped when sends are re-done in order: failures of earlier attempts no longer matter. */
  private generation = 0;
  private recovering = false;
  private connected = true;
  private reconnected: Array<() => void> = [];
  private stopped = false;
  private readonly published: Counter;
  private readonly duplicates: Counter;
  private readonly failures: Counter;
  private readonly resends: Counter;
  private readonly inFlightGauge: Gauge;
  private readonly acks: PubAckInbox;

  constructor(
    private readonly nats: Pick<Nats, "nc">,
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
    this.resends = new Counter({
      name: "tickerplant_publish_resends_total",
      help: "times unacknowledged publishes were re-sent in order (connection lost or a publish failed)",
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
    this.acks = new PubAckInbox(nats.nc, PUBLISH_TIMEOUT_MS);
    void this.watchConnection();
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
    const out: Outgoing = { n: this.admitted++, subject, data, msgID, eventBatch, events, done: false };
    this.unacked.set(out.n, out);
    this.batch.push(out);
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
    if (this.recovering) return; // the recovery sends them, in order, once the connection is back
    const batch = this.batch;
    this.batch = [];
    for (const out of batch) this.send(out);
  }

  private attempt(out: Outgoing): Promise<PubAck> {
    return this.acks.publish(out.subject, out.data, publishHeaders(out));
  }

  private send(out: Outgoing): void {
    const generation = this.generation;
    this.attempt(out).then(
      (ack) => this.acknowledged(out, ack),
      (err) => {
        this.failures.inc();
        if (out.done) return;
        if (this.stopped || err instanceof InvalidArgumentError) return this.abandon(out, err);
        // A later generation re-sends it already.
        if (generation !== this.generation) return;
        this.recover("publish failed", err);
      },
    );
  }

  /** At stop, or refused by the client itself (too large): it can never be confirmed. */
  private abandon(out: Outgoing, err: unknown): void {
    this.options.log.error("publish abandoned", { subject: out.subject, msgID: out.msgID, err });
    this.finish(out);
  }

  private acknowledged(out: Outgoing, ack: PubAck): void {
    if (out.done) return; // an earlier attempt and its re-send both acknowledged
    if (ack.duplicate) this.duplicates.inc();
    this.published.inc({ stream: ack.stream });
    this.finish(out);
  }

  private finish(out: Outgoing): void {
    out.done = true;
    this.unacked.delete(out.n);
    this.inFlight--;
    this.pending--;
    this.pendingEvents -= out.events;
    this.waiters.shift()?.();
    if (this.pending === 0) for (const resolve of this.idle.splice(0)) resolve();
  }

  /**
   * Holds new sends, waits for the connection, re-sends the oldest unacknowledged message until
   * it is acknowledged (the server is back and takes publishes), then the rest in order.
   */
  private recover(reason: string, err?: unknown): void {
    this.generation++;
    if (this.recovering) return;
    this.recovering = true;
    this.resends.inc();
    this.options.log.warn("publishes unconfirmed; re-sending in order", {
      reason,
      unacknowledged: this.unacked.size,
      err,
    });
    void (async () => {
      for (let attempt = 0; !this.stopped; ) {
        if (!this.connected) await new Promise<void>((resolve) => this.reconnected.push(resolve));
        const oldest = this.unacked.values().next().value;
        if (!oldest || this.stopped) break;
        const generation = this.generation;
        try {
          this.acknowledged(oldest, await this.attempt(oldest));
          if (generation === this.generation) break;
        } catch (e) {
          this.failures.inc();
          if (e instanceof InvalidArgumentError) {
            this.abandon(oldest, e);
            continue;
          }
          if (attempt % 10 === 0) this.options.log.warn("publish failed; retrying", { attempt, err: e });
          await Bun.sleep(backoffDelay(attempt++, 50, 5000));
        }
      }
      this.generation++;
      this.recovering = false;
      this.batch = [];
      if (this.stopped) return;
      for (const out of this.unacked.values()) this.send(out);
    })();
  }

  /** A dropped connection loses what was on its socket: hold sends until it is back, then re-send. */
  private async watchConnection(): Promise<void> {
    for await (const s of this.nats.nc.status()) {
      if (s.type === "disconnect") {
        this.connected = false;
        this.recover("connection lost");
      } else if (s.type === "reconnect") {
        this.connected = true;
        for (const resolve of this.reconnected.splice(0)) resolve();
      }
    }
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

  /** Flushes for up to `timeoutMs`; what is still unacknowledged then is given up (and logged). */
  async stop(timeoutMs = 10_000): Promise<void> {
    await Promise.race([this.flush(), Bun.sleep(timeoutMs)]);
    this.stopped = true;
    const left = [...this.unacked.values()];
    if (left.length > 0)
      this.options.log.error("publishes abandoned at stop", {
        count: left.length,
        subjects: [...new Set(left.map((o) => o.subject))].slice(0, 10),
      });
    for (const out of left) this.finish(out);
    for (const resolve of this.reconnected.splice(0)) resolve();
    this.acks.close();
  }
}

/** `append` on fresh headers: `set` would look for an existing key first. */
function publishHeaders(out: Outgoing) {
  const h = natsHeaders();
  h.append(PubHeaders.MsgIdHdr, out.msgID);
  if (out.eventBatch) h.append(EVENTS_HEADER, EVENTS_VERSION);
  return h;
}
