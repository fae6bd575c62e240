import { afterAll, expect, test } from "bun:test";
import { createLogger, createRedis } from "@tickerplant/runtime";
import { Registry } from "prom-client";
import { registerWeightGauge } from "../src/exchange-clients.ts";
import { binanceClient, REDIS_URL, runId } from "./helpers.ts";

const redis = createRedis(REDIS_URL, "scheduler-clients-test");
const log = createLogger({ service: "scheduler-test", level: "error" });
afterAll(() => redis.quit());

test("clients for several exchanges share one metrics registry; the gauge reports each budget", async () => {
  const registry = new Registry();
  const id = runId();
  const a = binanceClient({ redis, baseUrl: "http://127.0.0.1:1", budgetKey: `t${id}-x`, registry, log });
  const b = binanceClient({ redis, baseUrl: "http://127.0.0.1:1", budgetKey: `t${id}-y`, registry, log });
  registerWeightGauge(
    registry,
    new Map([
      ["one", [a]],
      ["two", [b]],
    ]),
  );
  await a.budget.observeUsed(123);
  const metrics = await registry.metrics();
  expect(metrics).toContain('tickerplant_rest_weight_used{exchange="one",market_type="spot"} 123');
  expect(metrics).toContain('tickerplant_rest_weight_used{exchange="two",market_type="spot"} 0');
  await redis.del(...(await redis.keys(`ratelimit:t${id}-*`)));
});
