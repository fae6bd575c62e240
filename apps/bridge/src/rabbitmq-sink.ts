import type { AMQPChannel } from "@cloudamqp/amqp-client";
import { AMQPClient } from "@cloudamqp/amqp-client";
import type { NormalizedMessage } from "@tickerplant/core";
import { backoffDelay, type Logger } from "@tickerplant/runtime";
import type { BridgeMetrics } from "./bridge-metrics.ts";
import { Conflator } from "./conflator.ts";
import { type LaravelEvent, laravelEventOf } from "./laravel-events.ts";

/**
 * The Laravel microservice's events on a RabbitMQ topic exchange (routing key = event name,
 * JSON body, persistent). Prices, tickers and quotes are conflated to RABBITMQ_MAX_PER_SECOND per
 * market and event; closed candles and feed status events all go. While RabbitMQ is unreachable
 * the sink reconnects with backoff and counts what it could not send (it never blocks ingestion).
 */
export class RabbitMqSink {
  private client: AMQPClient | undefined;
  private channel: AMQPChannel | undefined;
  private readonly conflator: Conflator<LaravelEvent>;
  private stopped = false;
  private connecting: Promise<void> | undefined;

  constructor(
    private readonly o: {
      url: string;
      exchange: string;
      maxPerSecond: number;
      metrics: BridgeMetrics;
      log: Logger;
    },
  ) {
    this.conflator = new Conflator(Math.round(1000 / o.maxPerSecond), (e) => this.publish(e));
  }

  async start(): Promise<void> {
    await this.connect();
    this.conflator.start();
  }

  private async connect(): Promise<void> {
    for (let attempt = 0; !this.stopped; attempt++) {
      try {
        const client = new AMQPClient(this.o.url);
        const conn = await client.connect();
        const channel = await conn.channel();
        await channel.exchangeDeclare(this.o.exchange, "topic", { durable: true });
        conn.onerror = (err) => {
          this.o.log.warn("rabbitmq connection lost; reconnecting", { err: String(err) });
          this.channel = undefined;
          this.reconnect();
        };
        this.client = client;
        this.channel = channel;
        this.o.log.info("rabbitmq bridge connected", { exchange: this.o.exchange });
        return;
      } catch (err) {
        if (attempt % 10 === 0)
          this.o.log.warn("rabbitmq unreachable; retrying", { attempt, err: String(err) });
        await Bun.sleep(backoffDelay(attempt, 250, 10_000));
      }
    }
  }

  private reconnect(): void {
    if (this.stopped || this.connecting) return;
    this.connecting = this.connect().finally(() => {
      this.connecting = undefined;
    });
  }

  /** A normalized message in; its Laravel event out (now or at the next conflation tick). */
  offer(msg: NormalizedMessage): void {
    const e = laravelEventOf(msg);
    if (!e) return;
    if (e.conflate) this.conflator.offer(e.key, e);
    else this.publish(e);
  }

  private publish(e: LaravelEvent): void {
    const channel = this.channel;
    if (!channel || channel.closed) {
      this.o.metrics.dropped.inc({ sink: "rabbitmq", reason: "disconnected" });
      this.reconnect();
      return;
    }
    channel
      .basicPublish(this.o.exchange, e.event, JSON.stringify(e.body), {
        contentType: "application/json",
        deliveryMode: 2,
        timestamp: new Date(),
        type: e.event,
        headers: { exchange: String(e.body.exchange), market: String(e.body.market) },
      })
      .then(
        () => this.o.metrics.published.inc({ sink: "rabbitmq", event: e.event }),
        (err) => {
          this.o.metrics.dropped.inc({ sink: "rabbitmq", reason: "publish_failed" });
          this.o.log.warn("rabbitmq publish failed", { event: e.event, err: String(err) });
        },
      );
  }

  get conflated(): number {
    return this.conflator.replaced;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.conflator.stop();
    await this.client?.close().catch(() => {});
  }
}
