import { budgetScope, type ExchangeAdapter, getExchange } from "@tickerplant/core";
import { type Logger, type Redis, RestExecutor, WeightBudget } from "@tickerplant/runtime";
import { Gauge, type Registry } from "prom-client";
import type { ExchangeEndpoint } from "./config.ts";

/** REST access through one adapter: where to send requests, and the exchange's shared weight budget. */
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

/** Per exchange, a client per adapter (spot, perp). */
export type ExchangeClients = Map<string, ExchangeClient[]>;

/** Clients for every configured exchange's adapters, each exchange's budget shared through Redis. */
export function createExchangeClients(deps: {
  endpoints: ExchangeEndpoint[];
  redis: Redis;
  registry: Registry;
  log: Logger;
}): ExchangeClients {
  const clients: ExchangeClients = new Map();
  for (const { exchange, restUrl } of deps.endpoints) {
    const adapters = getExchange(exchange)?.adapters;
    if (!adapters) throw new Error(`no adapter for exchange "${exchange}"`);
    clients.set(
      exchange,
      adapters.map((adapter) =>
        createExchangeClient({
          adapter,
          baseUrl: restUrl,
          budget: new WeightBudget(deps.redis, budgetScope(adapter), adapter.rest.limits),
          registry: deps.registry,
          log: deps.log,
        }),
      ),
    );
  }
  return clients;
}

/** Weight used in the current window per exchange, as every scheduler instance counts it (Redis). */
export function registerWeightGauge(registry: Registry, clients: ExchangeClients): Gauge {
  // The budget beside the use, so dashboards and alerts show the share used without a table of limits.
  const budget = new Gauge({
    name: "tickerplant_rest_weight_budget",
    help: "REST weight allowed per rate-limit window (the adapter's budget), by exchange",
    labelNames: ["exchange", "market_type"],
    registers: [registry],
  });
  for (const [exchange, list] of clients) {
    for (const c of list)
      budget.set({ exchange, market_type: c.adapter.marketType }, c.adapter.rest.limits.budget);
  }
  const gauge: Gauge = new Gauge({
    name: "tickerplant_rest_weight_used",
    help: "REST weight used in the exchange's current rate-limit window (shared budget), by exchange",
    labelNames: ["exchange", "market_type"],
    registers: [registry],
    async collect() {
      for (const [exchange, list] of clients) {
        for (const c of list) {
          // Redis unreachable: keep the last value rather than failing the whole /metrics scrape.
          const used = await c.budget.used().catch(() => undefined);
          if (used !== undefined) gauge.set({ exchange, market_type: c.adapter.marketType }, used);
        }
      }
    },
  });
  return gauge;
}
