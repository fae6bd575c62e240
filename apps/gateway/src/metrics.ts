import { Counter, Gauge, type Registry } from "prom-client";
import { RequestMetrics } from "./request-metrics.ts";

/** The gateway's own metrics (the runtime registry adds process metrics). */
export function createGatewayMetrics(registry: Registry) {
  const registers = [registry];
  return {
    /** REST requests by route and status, durations by route (tallied without prom-client's label hashing). */
    http: new RequestMetrics(registers),
    rateLimited: new Counter({
      name: "tickerplant_gateway_rate_limited_total",
      help: "requests and WebSocket connections refused with 429, by scope (ip, key) and kind (request, connection)",
      labelNames: ["scope", "kind"],
      registers,
    }),
    authFailures: new Counter({
      name: "tickerplant_gateway_auth_failures_total",
      help: "requests refused for their API key: missing, invalid (401) or forbidden (403, role too low)",
      labelNames: ["reason"],
      registers,
    }),
    payloadTooLarge: new Counter({
      name: "tickerplant_gateway_payload_too_large_total",
      help: "requests refused with 413 because their body exceeds HTTP_MAX_BODY_BYTES",
      registers,
    }),
    invalidRecords: new Counter({
      name: "tickerplant_gateway_invalid_records_total",
      help: "stored records (Redis, SQL, NATS) left out because they do not match the message schema",
      labelNames: ["source"],
      registers,
    }),
    wsClients: new Gauge({
      name: "tickerplant_gateway_ws_clients",
      help: "connected WebSocket clients",
      registers,
    }),
    wsConnections: new Counter({
      name: "tickerplant_gateway_ws_connections_total",
      help: "WebSocket connections accepted or refused (limit)",
      labelNames: ["outcome"],
      registers,
    }),
    wsSubscriptions: new Gauge({
      name: "tickerplant_gateway_ws_subscriptions",
      help: "channel subscriptions across clients",
      registers,
    }),
    wsErrors: new Counter({
      name: "tickerplant_gateway_ws_errors_total",
      help: "error replies sent to WebSocket clients, by code",
      labelNames: ["code"],
      registers,
    }),
    wsMessagesSent: new Counter({
      name: "tickerplant_gateway_ws_messages_sent_total",
      help: "data messages sent to WebSocket clients, by channel type",
      labelNames: ["type"],
      registers,
    }),
    wsConflated: new Counter({
      name: "tickerplant_gateway_ws_conflated_total",
      help: "quote messages replaced by a newer one for a backpressured client",
      labelNames: ["type"],
      registers,
    }),
    wsDisconnects: new Counter({
      name: "tickerplant_gateway_ws_disconnects_total",
      help: "clients closed by the gateway, by reason",
      labelNames: ["reason"],
      registers,
    }),
    fanoutConsumers: new Gauge({
      name: "tickerplant_gateway_fanout_consumers",
      help: "JetStream consumers feeding clients, by kind (shared live / per-client replay)",
      labelNames: ["kind"],
      registers,
    }),
    bookReplicasSynced: new Gauge({
      name: "tickerplant_gateway_book_replicas_synced",
      help: "order books the gateway holds in sync from md.book for WebSocket and REST clients",
      registers,
    }),
    bookHoles: new Counter({
      name: "tickerplant_gateway_book_holes_total",
      help: "holes seen in md.book by the gateway's replicas (the market waits for the next snapshot), by exchange",
      labelNames: ["exchange"],
      registers,
    }),
    wsBookSnapshots: new Counter({
      name: "tickerplant_gateway_ws_book_snapshots_total",
      help: "book snapshots made for WebSocket clients, by reason (subscribe, resync: the source restarted the book or the gateway's copy had a hole, behind: the client fell behind)",
      labelNames: ["reason"],
      registers,
    }),
    wsBookDeltasDropped: new Counter({
      name: "tickerplant_gateway_ws_book_deltas_dropped_total",
      help: "book deltas not sent to a client that fell behind (it gets a fresh snapshot once its socket drains)",
      registers,
    }),
    fanoutMessages: new Counter({
      name: "tickerplant_gateway_fanout_messages_total",
      help: "messages received from JetStream for fan-out, by stream",
      labelNames: ["stream"],
      registers,
    }),
  };
}

export type GatewayMetrics = ReturnType<typeof createGatewayMetrics>;
