import type { GatewayMetrics } from "../metrics.ts";

type Readable = { get(): Promise<{ values: Array<{ value: number; labels: Record<string, unknown> }> }> };

async function total(metric: Readable): Promise<number> {
  return (await metric.get()).values.reduce((n, v) => n + v.value, 0);
}

async function byLabel(metric: Readable, label: string): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const v of (await metric.get()).values) {
    const key = String(v.labels[label] ?? "");
    out[key] = (out[key] ?? 0) + v.value;
  }
  return out;
}

/** JSON statistics of this gateway's WebSocket clients, read from its own metrics (one source of truth). */
export function wsStatsReader(
  metrics: GatewayMetrics,
  limits: { maxClients: number },
  startedAt = Date.now(),
) {
  return async () => ({
    clients: await total(metrics.wsClients),
    maxClients: limits.maxClients,
    subscriptions: await total(metrics.wsSubscriptions),
    connections: await byLabel(metrics.wsConnections, "outcome"),
    messagesSent: await byLabel(metrics.wsMessagesSent, "type"),
    conflated: await total(metrics.wsConflated),
    disconnects: await byLabel(metrics.wsDisconnects, "reason"),
    errors: await byLabel(metrics.wsErrors, "code"),
    startedAt,
    uptimeS: Math.round((Date.now() - startedAt) / 1000),
  });
}
