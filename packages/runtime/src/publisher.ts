import type { JetStreamClient } from "@nats-io/jetstream";
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
 */
export class JetStreamPublisher {
  private inFlight = 0;
  /** Accepted by publish() and not yet finished: waiting for the window, batched, or in flight. */
  private pending = 0;
  private batch: Array<[string, Uint8Array | string, string]> = [];
  private batchScheduled = false;
  private waiters: Array<() => void> = [];
  private idle: Array<() => void> = [];
  private stopped = false;
  private readonly published: Counter;
  private readonly duplicates: Counter;
  private readonly failures: Counter;
  private readonly inFlightGauge: Gauge;

  constructor(
    private readonly js: JetStreamClient,
    private readonly options: { maxInFlight: number; registry: Registry; log: Logger },
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

  async publish(subject: string, data: Uint8Array | string, msgID: string): Promise<void> {
    this.pending++;
    while (this.inFlight >= this.options.maxInFlight) {
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
    this.inFlight++;
    this.batch.push([subject, data, msgID]);
    if (!this.batchScheduled) {
      this.batchScheduled = true;
      setImmediate(() => this.sendBatch());
    }
  }

  private sendBatch(): void {
    this.batchScheduled = false;
    const batch = this.batch;
    this.batch = [];
    for (const [subject, data, msgID] of batch) void this.send(subject, data, msgID);
  }

  private async send(subject: string, data: Uint8Array | string, msgID: string): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        const ack = await this.js.publish(subject, data, { msgID, timeout: 5000 });
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
    this.waiters.shift()?.();
    if (this.pending === 0) for (const resolve of this.idle.splice(0)) resolve();
  }

  /** Publishes accepted and not yet acknowledged (waiting for the window, batched, or in flight). */
  get backlog(): number {
    return this.pending;
  }

  /** Resolves when every accepted publish (in flight or still waiting for the window) is acknowledged. */
  async flush(): Promise<void> {
    if (this.pending === 0) return;
    await new Promise<void>((resolve) => this.idle.push(resolve));
  }

  async stop(timeoutMs = 10_000): Promise<void> {
    await Promise.race([this.flush(), Bun.sleep(timeoutMs)]);
    this.stopped = true;
  }
}
