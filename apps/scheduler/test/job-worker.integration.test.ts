import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { TickerplantError, TransientError } from "@tickerplant/core";
import { connectNats, createLogger, JetStreamPublisher, type Nats } from "@tickerplant/runtime";
import { waitFor } from "@tickerplant/testkit";
import { Registry } from "prom-client";
import { JobWorker } from "../src/job-worker.ts";
import type { JobQueue, MarketsRefreshJob } from "../src/jobs.ts";
import { marketsRefreshItems, PeriodicPlanner } from "../src/periodic-planner.ts";
import { createTestQueue, NATS_URL, POLL, runId } from "./helpers.ts";

const log = createLogger({
  service: "scheduler-test",
  level: (process.env.TEST_LOG_LEVEL as "warn") ?? "error",
});
let nats: Nats;
const queues: JobQueue[] = [];

beforeAll(async () => {
  nats = await connectNats(NATS_URL, "scheduler-worker-test", log);
});

afterAll(async () => {
  for (const q of queues) await nats.jsm.streams.delete(q.stream).catch(() => {});
  await nats.close();
});

async function queue(): Promise<JobQueue> {
  const q = await createTestQueue(nats, runId());
  queues.push(q);
  return q;
}

describe("JobWorker", () => {
  test("retries a retryable failure, drops a permanent one and an invalid item; the queue drains", async () => {
    const q = await queue();
    const seen: string[] = [];
    const registry = new Registry();
    const worker = new JobWorker({
      nats,
      queue: q,
      registry,
      log,
      retryDelayMs: 50,
      handlers: {
        "markets-refresh": async (job) => {
          seen.push(`${job.exchange}:${job.period}`);
          if (job.exchange === "flaky" && seen.filter((s) => s.startsWith("flaky")).length < 3) {
            throw new TransientError("network", "try again");
          }
          if (job.exchange === "broken") throw new TickerplantError("bad", "never works", false);
        },
      },
    });
    await worker.start();
    try {
      const publish = (body: unknown, id: string) =>
        nats.js.publish(q.subject("markets-refresh"), JSON.stringify(body), { msgID: id });
      const job = (exchange: string): MarketsRefreshJob => ({
        kind: "markets-refresh",
        exchange,
        period: 7,
        scheduledAt: 0,
      });
      await publish(job("flaky"), "1");
      await publish(job("broken"), "2");
      await publish({ kind: "markets-refresh" }, "3");
      await publish(job("fine"), "4");
      await waitFor(
        "the queue to drain",
        async () => ((await nats.jsm.streams.info(q.stream)).state.messages === 0 ? true : undefined),
        POLL,
      );
      expect(seen.filter((s) => s === "flaky:7")).toHaveLength(3);
      expect(seen.filter((s) => s === "broken:7")).toHaveLength(1);
      expect(seen).toContain("fine:7");
      const m = await registry.metrics();
      expect(m).toContain('tickerplant_scheduler_jobs_total{kind="markets-refresh",outcome="ok"} 2');
      expect(m).toContain('tickerplant_scheduler_jobs_total{kind="markets-refresh",outcome="retry"} 2');
      expect(m).toContain('tickerplant_scheduler_jobs_total{kind="markets-refresh",outcome="failed"} 1');
      expect(m).toContain('tickerplant_scheduler_jobs_total{kind="unknown",outcome="invalid"} 1');
    } finally {
      await worker.stop();
    }
  }, 10_000);
});

describe("PeriodicPlanner", () => {
  test("one item per exchange at start and at each period boundary, with the period's id", async () => {
    const q = await queue();
    const periodMs = 400;
    const publisher = new JetStreamPublisher(nats, { maxInFlight: 10, registry: new Registry(), log });
    const planner = new PeriodicPlanner({
      publisher,
      queue: q,
      items: marketsRefreshItems(["binance", "bybit"]),
      periodMs,
      log,
    });
    const twin = new PeriodicPlanner({
      publisher,
      queue: q,
      items: marketsRefreshItems(["binance", "bybit"]),
      periodMs,
      log,
    });
    // Away from a boundary, so both planners see the same period at start.
    await Bun.sleep(periodMs - (Date.now() % periodMs) + 50);
    const firstPeriod = Math.floor(Date.now() / periodMs);
    await Promise.all([planner.start(), twin.start()]);
    await Bun.sleep(periodMs + 100);
    planner.stop();
    twin.stop();
    await publisher.stop();
    const ids: string[] = [];
    const info = await nats.jsm.streams.info(q.stream);
    for (let seq = info.state.first_seq; seq <= info.state.last_seq; seq++) {
      const m = await nats.jsm.streams.getMessage(q.stream, { seq });
      ids.push(m!.header!.get("Nats-Msg-Id"));
    }
    expect(ids.slice(0, 4).sort()).toEqual(
      [
        `markets-refresh:binance:${firstPeriod}`,
        `markets-refresh:bybit:${firstPeriod}`,
        `markets-refresh:binance:${firstPeriod + 1}`,
        `markets-refresh:bybit:${firstPeriod + 1}`,
      ].sort(),
    );
    expect(new Set(ids).size).toBe(ids.length); // the twin's items were deduplicated
  }, 10_000);
});
