import { Counter, type Registry } from "prom-client";

export function createBridgeMetrics(registry: Registry) {
  const registers = [registry];
  return {
    published: new Counter({
      name: "tickerplant_bridge_published_total",
      help: "messages handed to another system, by sink and event or type",
      labelNames: ["sink", "event"],
      registers,
    }),
    dropped: new Counter({
      name: "tickerplant_bridge_dropped_total",
      help: "messages a sink could not send, by sink and reason",
      labelNames: ["sink", "reason"],
      registers,
    }),
    invalid: new Counter({
      name: "tickerplant_bridge_invalid_messages_total",
      help: "NATS payloads that are not normalized messages, by reason",
      labelNames: ["reason"],
      registers,
    }),
  };
}

export type BridgeMetrics = ReturnType<typeof createBridgeMetrics>;
