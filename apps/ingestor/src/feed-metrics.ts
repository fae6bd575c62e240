import { Counter, Gauge, Histogram, type Registry } from "prom-client";

export interface FeedMetrics {
  frames: Counter<"exchange">;
  messages: Counter<"exchange" | "type">;
  invalid: Counter<"exchange" | "reason">;
  exchangeErrors: Counter<"exchange">;
  connectionEvents: Counter<"exchange" | "event">;
  connectionsUp: Gauge<"exchange">;
  exchangeLatency: Histogram<"exchange">;
  gaps: Counter<"exchange">;
  dropped: Counter<"exchange" | "type">;
  recovery: Histogram<"exchange">;
}

export function createFeedMetrics(registry: Registry): FeedMetrics {
  const registers = [registry];
  return {
    frames: new Counter({
      name: "tickerplant_ingest_frames_total",
      help: "exchange frames received",
      labelNames: ["exchange"],
      registers,
    }),
    messages: new Counter({
      name: "tickerplant_ingest_messages_total",
      help: "normalized messages published, by exchange and type",
      labelNames: ["exchange", "type"],
      registers,
    }),
    invalid: new Counter({
      name: "tickerplant_ingest_invalid_frames_total",
      help: "malformed or unknown exchange frames, by exchange and reason",
      labelNames: ["exchange", "reason"],
      registers,
    }),
    exchangeErrors: new Counter({
      name: "tickerplant_ingest_exchange_errors_total",
      help: "error replies from exchanges (e.g. rejected subscriptions)",
      labelNames: ["exchange"],
      registers,
    }),
    connectionEvents: new Counter({
      name: "tickerplant_ingest_connection_events_total",
      help: "connection lifecycle events, by exchange and event",
      labelNames: ["exchange", "event"],
      registers,
    }),
    dropped: new Counter({
      name: "tickerplant_ingest_dropped_messages_total",
      help: "messages dropped because the publish backlog was full (each market reported as a gap)",
      labelNames: ["exchange", "type"],
      registers,
    }),
    connectionsUp: new Gauge({
      name: "tickerplant_ingest_connections_up",
      help: "open exchange connections",
      labelNames: ["exchange"],
      registers,
    }),
    gaps: new Counter({
      name: "tickerplant_ingest_gaps_total",
      help: "gap status events published (a window of possibly missed data per market), by exchange",
      labelNames: ["exchange"],
      registers,
    }),
    recovery: new Histogram({
      name: "tickerplant_ingest_recovery_seconds",
      help: "from the start of a connection's gap (last frame, or last data frame of a stalled stream) to its first data after the reconnect",
      labelNames: ["exchange"],
      buckets: [0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
      registers,
    }),
    // The first leg of end-to-end latency; the consumers' tickerplant_consumer_latency_seconds is the rest.
    exchangeLatency: new Histogram({
      name: "tickerplant_ingest_exchange_latency_seconds",
      help: "exchange event time to ingestor receive time (clock skew included), sampled once per frame",
      labelNames: ["exchange"],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
  };
}
