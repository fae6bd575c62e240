import { afterAll, describe, expect, test } from "bun:test";
import { Registry } from "prom-client";
import { createHealthHandler } from "../src/health.ts";
import { createRedis } from "../src/redis.ts";
import { createSql } from "../src/sql.ts";
import { WeightBudget } from "../src/weight-budget.ts";
import { REDIS_URL, TEST_DATABASE_URL, uniqueName } from "./env.ts";

const redis = createRedis(REDIS_URL, "runtime-test");
afterAll(() => redis.quit());

describe("WeightBudget (Redis)", () => {
  test("waits until the rolling window has room when the budget is spent", async () => {
    const budget = new WeightBudget(redis, uniqueName("ex").toLowerCase(), { budget: 10, windowMs: 2000 }, 1);
    const t0 = Date.now();
    await budget.acquire(4);
    await budget.acquire(4);
    expect(Date.now() - t0).toBeLessThan(1500);
    await budget.acquire(4); // 12 > 10: must wait until the first call leaves the window
    expect(Date.now() - t0).toBeGreaterThanOrEqual(2000);
  });

  test("is shared between instances and raised by the exchange's used-weight header", async () => {
    const ex = uniqueName("ex").toLowerCase();
    const a = new WeightBudget(redis, ex, { budget: 100, windowMs: 60_000 }, 1);
    const b = new WeightBudget(redis, ex, { budget: 100, windowMs: 60_000 }, 1);
    await a.acquire(10);
    await b.acquire(5);
    expect(await a.used()).toBe(15);
    await b.observeUsed(90); // other clients on our IP spent more
    expect(await a.used()).toBe(90);
    await b.observeUsed(20); // never lowers
    expect(await a.used()).toBe(90);
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 200);
    await expect(a.acquire(20, ac.signal)).rejects.toThrow();
  });

  test("a 429 block holds every instance until Retry-After", async () => {
    const ex = uniqueName("ex").toLowerCase();
    const a = new WeightBudget(redis, ex, { budget: 100, windowMs: 60_000 }, 1);
    await a.blockFor(300);
    const t0 = Date.now();
    await new WeightBudget(redis, ex, { budget: 100, windowMs: 60_000 }, 1).acquire(1);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(250);
  });
});

describe("health handler", () => {
  test("ready only when every dependency answers", async () => {
    const sql = createSql(TEST_DATABASE_URL, { name: "runtime-test", max: 1 });
    const registry = new Registry();
    const ok = createHealthHandler({
      registry,
      checks: [
        { name: "redis", check: () => redis.ping() },
        { name: "database", check: () => sql`select 1` },
      ],
    });
    const ready = await ok(new Request("http://x/health/ready"));
    expect(ready?.status).toBe(200);
    const down = createHealthHandler({
      registry,
      checks: [{ name: "nats", check: () => Promise.reject(new Error("connection refused")) }],
    });
    const notReady = await down(new Request("http://x/health/ready"));
    expect(notReady?.status).toBe(503);
    expect(await notReady?.json()).toMatchObject({
      status: "not_ready",
      checks: [{ name: "nats", ok: false }],
    });
    expect((await ok(new Request("http://x/health/live")))?.status).toBe(200);
    expect(await (await ok(new Request("http://x/metrics")))?.text()).toBeString();
    expect(await ok(new Request("http://x/other"))).toBeUndefined();
    await sql.end();
  });
});

describe("WeightBudget priorities", () => {
  test("a long backfill keeps headroom: immediate work goes at once while long waits for the window", async () => {
    const ex = uniqueName("ex").toLowerCase();
    const budget = new WeightBudget(redis, ex, { budget: 100, windowMs: 60_000 }, 1);
    expect(budget.cap("long")).toBe(94);
    // Long fills its share of the window.
    for (let i = 0; i < 47; i++) await budget.acquire(2, undefined, "long");
    const ac = new AbortController();
    const longWaiting = budget.acquire(2, ac.signal, "long").catch(() => "aborted");
    const t0 = Date.now();
    await budget.acquire(5, undefined, "immediate");
    expect(Date.now() - t0).toBeLessThan(1000);
    ac.abort();
    expect(await longWaiting).toBe("aborted");
  });

  test("a lower priority waits while a higher one is waiting", async () => {
    const ex = uniqueName("ex").toLowerCase();
    const budget = new WeightBudget(redis, ex, { budget: 10, windowMs: 1000 }, 1);
    await budget.acquire(10, undefined, "immediate"); // the window is full
    const order: string[] = [];
    const hi = budget.acquire(10, undefined, "immediate").then(() => order.push("immediate"));
    await Bun.sleep(50);
    const lo = budget.acquire(1, undefined, "long").then(() => order.push("long"));
    await Promise.all([hi, lo]);
    expect(order[0]).toBe("immediate");
  });
});
