import { collectDefaultMetrics, Registry } from "prom-client";

/** One prom-client registry per process; every metric name starts with `tickerplant_`. */
export function createMetricsRegistry(service: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry, prefix: "tickerplant_" });
  return registry;
}
