import { RetentionPolicy, StorageType } from "@nats-io/jetstream";
import { getAdapter } from "@tickerplant/core";
import { type Logger, type Nats, type Redis, WeightBudget } from "@tickerplant/runtime";
import { Registry } from "prom-client";
import { createExchangeClient, type ExchangeClient } from "../src/exchange-clients.ts";
import type { JobQueue } from "../src/jobs.ts";

export const NATS_URL = process.env.NATS_URL ?? "nats://127.0.0.1:4222";
export const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
export const DATABASE_URL =
  process.env.TEST_DATABASE_URL ?? "postgres://tickerplant@127.0.0.1:5433/tickerplant_test";

/** A lowercase alphanumeric id unique to this test run. */
export function runId(): string {
  return crypto.randomUUID().replaceAll("-", "").slice(0, 10);
}

/** A work-queue stream of the test's own, so the test shares no consumer with a running scheduler. */
export async function createTestQueue(nats: Nats, id: string): Promise<JobQueue> {
  const stream = `JOBS_TEST_${id.toUpperCase()}`;
  await nats.jsm.streams.add({
    name: stream,
    subjects: [`t${id}.jobs.>`],
    retention: RetentionPolicy.Workqueue,
    storage: StorageType.Memory,
    duplicate_window: 120_000_000_000,
  });
  return {
    stream,
    durable: "scheduler-jobs",
    filterSubject: `t${id}.jobs.>`,
    subject: (kind) => `t${id}.jobs.${kind}`,
  };
}

/**
 * The real Binance adapter against `baseUrl`, with a weight budget under a Redis key of the
 * test's own and, optionally, a short window so waiting for the next one is quick (with `budget`,
 * the limit per that window: e.g. Binance's rate on a simulator metering the same window).
 */
export function binanceClient(deps: {
  redis: Redis;
  baseUrl: string;
  budgetKey: string;
  windowMs?: number;
  budget?: number;
  registry?: Registry;
  log: Logger;
}): ExchangeClient {
  const binance = getAdapter("binance")!;
  const limits = {
    ...binance.rest.limits,
    ...(deps.windowMs ? { windowMs: deps.windowMs } : {}),
    ...(deps.budget ? { budget: deps.budget } : {}),
  };
  // The executor reads the adapter's limits too (the used-weight header's window): the same ones.
  const adapter = { ...binance, rest: { ...binance.rest, limits } };
  return createExchangeClient({
    adapter,
    baseUrl: deps.baseUrl,
    budget: new WeightBudget(deps.redis, deps.budgetKey, limits),
    registry: deps.registry ?? new Registry(),
    log: deps.log,
  });
}

/** exchangeInfo as Binance sends it (trimmed to a few symbols), with assets unique to the test. */
export function exchangeInfoBody(assets: string[], extra: Record<string, unknown> = {}) {
  return {
    timezone: "UTC",
    serverTime: Date.now(),
    rateLimits: [
      { rateLimitType: "REQUEST_WEIGHT", interval: "MINUTE", intervalNum: 1, limit: 6000 },
      { rateLimitType: "ORDERS", interval: "SECOND", intervalNum: 10, limit: 100 },
    ],
    exchangeFilters: [],
    symbols: assets.map((base, i) => ({
      symbol: `${base}USDT`,
      status: i === 1 ? "BREAK" : "TRADING",
      baseAsset: base,
      baseAssetPrecision: 8,
      quoteAsset: "USDT",
      quotePrecision: 8,
      quoteAssetPrecision: 8,
      orderTypes: ["LIMIT", "LIMIT_MAKER", "MARKET", "STOP_LOSS_LIMIT", "TAKE_PROFIT_LIMIT"],
      isSpotTradingAllowed: true,
      isMarginTradingAllowed: false,
      filters: [
        {
          filterType: "PRICE_FILTER",
          minPrice: "0.01000000",
          maxPrice: "1000000.00000000",
          tickSize: "0.01000000",
        },
        { filterType: "LOT_SIZE", minQty: "0.00001000", maxQty: "9000.00000000", stepSize: "0.00001000" },
        {
          filterType: "NOTIONAL",
          minNotional: "5.00000000",
          applyMinToMarket: true,
          maxNotional: "9000000.00000000",
        },
      ],
      permissions: [],
      permissionSets: [["SPOT"]],
    })),
    ...extra,
  };
}

/** How the scheduler tests poll (testkit's waitFor): up to 5 s, every 25 ms. */
export const POLL = { timeoutMs: 5000, stepMs: 25 };
