import type { Logger, Nats } from "@tickerplant/runtime";
import type { Registry } from "prom-client";
import { createBridgeMetrics } from "./bridge-metrics.ts";
import type { BridgeConfig } from "./config.ts";
import { MarketEvents } from "./market-events.ts";
import { RabbitMqSink } from "./rabbitmq-sink.ts";
import { ZeroMqSink } from "./zeromq-sink.ts";

/** Market data from NATS to the sinks that are switched on (RabbitMQ, ZeroMQ PUB). */
export class Bridge {
  private readonly events: MarketEvents;
  readonly rabbitmq: RabbitMqSink | undefined;
  readonly zeromq: ZeroMqSink | undefined;

  constructor(deps: { config: BridgeConfig; nats: Nats; registry: Registry; log: Logger; subject?: string }) {
    const { config, log } = deps;
    const metrics = createBridgeMetrics(deps.registry);
    if (config.RABBITMQ_URL !== "") {
      this.rabbitmq = new RabbitMqSink({
        url: config.RABBITMQ_URL,
        exchange: config.RABBITMQ_EXCHANGE,
        maxPerSecond: config.RABBITMQ_MAX_PER_SECOND,
        metrics,
        log: log.child({ sink: "rabbitmq" }),
      });
    }
    if (config.ZEROMQ_PUB_ENDPOINT !== "") {
      this.zeromq = new ZeroMqSink({
        endpoint: config.ZEROMQ_PUB_ENDPOINT,
        sndhwm: config.ZEROMQ_SNDHWM,
        metrics,
        log: log.child({ sink: "zeromq" }),
      });
    }
    this.events = new MarketEvents({
      nats: deps.nats,
      subject: deps.subject,
      invalid: metrics.invalid,
      log,
      onMessage: (subject, msg, raw) => {
        this.rabbitmq?.offer(msg);
        this.zeromq?.offer(subject, msg, raw);
      },
    });
  }

  async start(): Promise<void> {
    this.zeromq?.start();
    await this.rabbitmq?.start();
    this.events.start();
  }

  async stop(): Promise<void> {
    await this.events.stop();
    await this.rabbitmq?.stop();
    this.zeromq?.stop();
  }
}
