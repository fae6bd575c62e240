import { type ExchangeAdapter, getAdapter } from "@tickerplant/core";
import { type Logger, type Redis, RestExecutor, WeightBudget } from "@tickerplant/runtime";
import { Gauge, type Registry } from "prom-client";
import type { ExchangeEndpoint } from "./config.ts";

/** One exchange's REST access: its adapter, where to send requests, and its shared weight budget. */
export interface ExchangeClient {
  adapter: ExchangeAdapter;
  baseUrl: string;
  budget: WeightBudget;
  executor: RestExecutor;
}

export function createExchangeClient(deps: {
  adapter: ExchangeAdapter;
  baseUrl: string;
  budget: WeightBudget;
  registry: Registry;
  log: Logger;
}): ExchangeClient {
  const executor = new RestExecutor({
    adapter: deps.adapter,
    baseUrl: deps.baseUrl,
    budget: deps.budget,
    registry: deps.registry,
    log: deps.log.child({ exchange: deps.adapter.id }),
  });
  return { adapter: deps.adapter, baseUrl: deps.baseUrl, budget: deps.budget, executor };
}

/** A client per configured exchange, each with the exchange's budget shared through Redis. */
export function createExchangeClients(deps: {
  endpoints: ExchangeEndpoint[];
  redis: Redis;
  registry: Registry;
  log: Logger;
}): Map<string, ExchangeClient> {
  const clients = new Map<string, ExchangeClient>();
  for (const { exchange, restUrl } of deps.endpoints) {
    const adapter = getAdapter(exchange);
    if (adapter === undefined) throw new Error(`no adapter for exchange "${exchange}"`);
    const budget = new WeightBudget(deps.redis, exchange, adapter.rest.limits);
    clients.set(
      exchange,
      createExchangeClient({ adapter, baseUrl: restUrl, budget, registry: deps.registry, log: deps.log }),
    );
  }
  return clients;
}

/** Weight used in the current window per exchange, as every scheduler instance counts it (Redis). */
export function registerWeightGauge(registry: Registry, clients: Map<string, ExchangeClient>): Gauge {
  const gauge: Gauge = new Gauge({
    name: "tickerplant_rest_weight_used",
    help: "REST weight used in the exchange's current rate-limit window (shared budget), by exchange",
    labelNames: ["exchange"],
    registers: [registry],
    async collect() {
      for (const [exchange, c] of clients) {
        // Redis unreachable: keep the last value rather than failing the whole /metrics scrape.
        const used = await c.budget.used().catch(() => undefined);
        if (used !== undefined) gauge.set({ exchange }, used);
      }
    },
  });
  return gauge;
}
