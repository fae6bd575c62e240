import type { ConsumerMessages, JetStreamClient, JsMsg } from "@nats-io/jetstream";
import { isRetryable } from "@tickerplant/core";
import { Counter, Gauge, Histogram, type Registry } from "prom-client";
import type { Logger } from "./logger.ts";

export interface BatchConsumerOptions<T> {
  js: JetStreamClient;
  stream: string;
  durable: string;
  /** Most messages handled in one batch. */
  batchSize: number;
  /** A partial batch is handled after this long. */
  flushIntervalMs: number;
  /**
   * Decodes one message into its items (a message may carry several events); throwing a
   * non-retryable error terminates just that message.
   */
  decode(msg: JsMsg): T[];
  /** Makes a batch durable. Messages are acked only after it resolves. */
  handle(items: T[]): Promise<void>;
  registry: Registry;
  log: Logger;
  nakDelayMs?: number;
}

/**
 * A durable pull-consumer loop that hands batches to `handle` and acks only after the work is
 * durable. A retryable failure naks the batch with a delay (redelivery is safe: writers are
 * idempotent); a message that cannot be decoded is terminated and counted.
 */
export class BatchConsumer<T> {
  private messages: ConsumerMessages | undefined;
  private buffer: JsMsg[] = [];
  private items: T[] = [];
  private chain: Promise<void> = Promise.resolve();
  private timer: Timer | undefined;
  private done: Promise<void> | undefined;
  private readonly processed: Counter;
  private readonly failed: Counter;
  private readonly batchSeconds: Histogram;
  private readonly pending: Gauge;
  private readonly latency: Histogram;

  constructor(private readonly o: BatchConsumerOptions<T>) {
    // Several consumers in one process share these metrics (labelled by consumer): register once.
    const reg = o.registry;
    this.processed =
      (reg.getSingleMetric("tickerplant_consumer_messages_total") as Counter | undefined) ??
      new Counter({
        name: "tickerplant_consumer_messages_total",
        help: "messages handled and acked, by consumer",
        labelNames: ["consumer"],
        registers: [reg],
      });
    this.failed =
      (reg.getSingleMetric("tickerplant_consumer_failures_total") as Counter | undefined) ??
      new Counter({
        name: "tickerplant_consumer_failures_total",
        help: "messages naked (retryable) or terminated (poison), by consumer and outcome",
        labelNames: ["consumer", "outcome"],
        registers: [reg],
      });
    this.batchSeconds =
      (reg.getSingleMetric("tickerplant_consumer_batch_seconds") as Histogram | undefined) ??
      new Histogram({
        name: "tickerplant_consumer_batch_seconds",
        help: "time to make one batch durable",
        labelNames: ["consumer"],
        buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
        registers: [reg],
      });
    this.pending =
      (reg.getSingleMetric("tickerplant_consumer_pending") as Gauge | undefined) ??
      new Gauge({
        name: "tickerplant_consumer_pending",
        help: "consumer lag: messages in the stream not yet delivered to this durable consumer, as of its last batch",
        labelNames: ["consumer"],
        registers: [reg],
      });
    this.latency =
      (reg.getSingleMetric("tickerplant_consumer_latency_seconds") as Histogram | undefined) ??
      new Histogram({
        name: "tickerplant_consumer_latency_seconds",
        help: "end-to-end latency through this consumer: message stored in JetStream (ingestor publish) to handled and acked",
        labelNames: ["consumer"],
        buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
        registers: [reg],
      });
  }

  async start(): Promise<void> {
    const consumer = await this.o.js.consumers.get(this.o.stream, this.o.durable);
    this.messages = await consumer.consume({ max_messages: this.o.batchSize * 2 });
    this.timer = setInterval(() => void this.flush(), this.o.flushIntervalMs);
    this.done = this.loop(this.messages);
  }

  private async loop(messages: ConsumerMessages): Promise<void> {
    for await (const msg of messages) {
      let items: T[];
      try {
        items = this.o.decode(msg);
      } catch (err) {
        if (isRetryable(err)) {
          msg.nak(this.o.nakDelayMs ?? 1000);
          this.failed.inc({ consumer: this.o.durable, outcome: "nak" });
        } else {
          this.o.log.warn("terminating undecodable message", { subject: msg.subject, seq: msg.seq, err });
          msg.term(String(err));
          this.failed.inc({ consumer: this.o.durable, outcome: "term" });
        }
        continue;
      }
      this.buffer.push(msg);
      for (const item of items) this.items.push(item);
      if (this.items.length >= this.o.batchSize) await this.flush();
    }
  }

  /** Serialized: one batch at a time, in delivery order. */
  private flush(): Promise<void> {
    if (this.buffer.length === 0) return this.chain;
    const batch = this.buffer;
    const items = this.items;
    this.buffer = [];
    this.items = [];
    this.chain = this.chain.then(() => this.process(batch, items));
    return this.chain;
  }

  private async process(batch: JsMsg[], items: T[]): Promise<void> {
    const end = this.batchSeconds.startTimer({ consumer: this.o.durable });
    try {
      if (items.length > 0) await this.o.handle(items);
      for (const msg of batch) msg.ack();
      this.processed.inc({ consumer: this.o.durable }, batch.length);
      this.observeLag(batch);
    } catch (err) {
      const retry = isRetryable(err);
      this.o.log.error("batch failed", { consumer: this.o.durable, size: batch.length, retry, err });
      for (const msg of batch) {
        if (retry) msg.nak(this.o.nakDelayMs ?? 1000);
        else msg.term(String(err));
      }
      this.failed.inc({ consumer: this.o.durable, outcome: retry ? "nak" : "term" }, batch.length);
    } finally {
      end();
    }
  }

  private observeLag(batch: JsMsg[]): void {
    const now = Date.now();
    const latency = this.latency.labels({ consumer: this.o.durable });
    for (const msg of batch) latency.observe(Math.max(0, now - msg.info.timestampNanos / 1e6) / 1000);
    const last = batch[batch.length - 1];
    if (last) this.pending.set({ consumer: this.o.durable }, last.info.pending);
  }

  /** Stops pulling, handles what was already received, then returns. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.messages?.close();
    await this.done?.catch(() => {});
    await this.flush();
  }
}
