import type { NormalizedMessage } from "@tickerplant/core";
import type { Logger } from "@tickerplant/runtime";
import type { BridgeMetrics } from "./bridge-metrics.ts";
import { ZmqPublisher } from "./zmq.ts";

/**
 * Every normalized message on a ZeroMQ PUB socket as a two-frame message: the topic (the NATS
 * subject, e.g. `md.trade.binance.BTC-USDT`) and one event's JSON (a batch on NATS becomes one ZeroMQ message per event). Subscribers filter by topic
 * prefix (`md.trade.`, `md.ticker.binance.`, ...). A slow subscriber loses messages past
 * ZEROMQ_SNDHWM (counted), never the platform.
 */
export class ZeroMqSink {
  private pub: ZmqPublisher | undefined;
  private readonly encoder = new TextEncoder();

  constructor(
    private readonly o: { endpoint: string; sndhwm: number; metrics: BridgeMetrics; log: Logger },
  ) {}

  start(): void {
    this.pub = new ZmqPublisher(this.o.endpoint, { sndhwm: this.o.sndhwm });
    this.o.log.info("zeromq bridge bound", { endpoint: this.o.endpoint });
  }

  offer(subject: string, msg: NormalizedMessage, raw: Uint8Array): void {
    if (!this.pub) return;
    if (this.pub.send(this.encoder.encode(subject), raw)) {
      this.o.metrics.published.inc({ sink: "zeromq", event: msg.type });
    } else {
      this.o.metrics.dropped.inc({ sink: "zeromq", reason: "hwm" });
    }
  }

  stop(): void {
    this.pub?.close();
  }
}
