import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startTestGateway, type TestGateway } from "./helpers.ts";

/** The jobs API contract: POST with a key → 202 queued, without → 401; GET by id; DELETE cancels. */
let g: TestGateway;
const KEY = "test-jobs-key-123";
beforeAll(async () => {
  g = await startTestGateway({ ADMIN_API_KEYS: KEY });
});
afterAll(async () => {
  await g.sql`delete from jobs where exchange = ${g.exchange}`;
  await g.close();
});

function call(method: string, path: string, body?: unknown, key: string | null = KEY) {
  return fetch(`${g.base}/api/v1${path}`, {
    method,
    headers: { "content-type": "application/json", ...(key ? { "x-api-key": key } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

describe("jobs API", () => {
  test("POST queues a backfill (ISO or epoch ms times) and GET shows it", async () => {
    const body = {
      kind: "candles-backfill",
      exchange: g.exchange,
      market: "BTC-USDT",
      interval: "1m",
      from: "2024-01-01",
      to: Date.parse("2024-01-03T00:00:00Z"),
    };
    const res = await call("POST", "/jobs", body);
    expect(res.status).toBe(202);
    const job = (await res.json()) as Record<string, unknown>;
    expect(job).toMatchObject({
      state: "queued",
      kind: "candles-backfill",
      exchange: g.exchange,
      market: "BTC-USDT",
      interval: "1m",
      from: "2024-01-01T00:00:00.000Z",
      to: "2024-01-03T00:00:00.000Z",
      priority: "long",
      progress: 0,
      pagesDone: 0,
      pagesTotal: 3, // 2880 candles, 1000 a page
      rowsWritten: 0,
    });
    expect(typeof job.id).toBe("string");
    const one = await call("GET", `/jobs/${job.id}`, undefined, null);
    expect(one.status).toBe(200);
    expect(await one.json()).toMatchObject({ id: job.id, state: "queued" });
    const list = (await (await call("GET", `/jobs?exchange=${g.exchange}`, undefined, null)).json()) as {
      data: Array<{ id: string }>;
    };
    expect(list.data.map((j) => j.id)).toContain(job.id as string);
    // The work item is on the JOBS queue.
    const msg = await g.nats.jsm.streams.getMessage("JOBS", { last_by_subj: "jobs.candles-backfill" });
    expect(msg?.json<{ id: string }>().id).toBe(job.id as string);

    const cancelled = await call("DELETE", `/jobs/${job.id}`);
    expect(cancelled.status).toBe(200);
    expect(await cancelled.json()).toMatchObject({ id: job.id, state: "cancelled" });
    expect(((await (await call("GET", `/jobs/${job.id}`)).json()) as { state: string }).state).toBe(
      "cancelled",
    );
  });

  test("without a key: 401 (whatever the body); a wrong key: 401", async () => {
    const none = await call("POST", "/jobs", { kind: "nope" }, null);
    expect(none.status).toBe(401);
    expect(((await none.json()) as { error: { code: string } }).error.code).toBe("unauthorized");
    const wrong = await call(
      "POST",
      "/jobs",
      { kind: "trades-backfill", exchange: g.exchange, market: "BTC-USDT", from: 0 },
      "wrong",
    );
    expect(wrong.status).toBe(401);
    expect((await call("DELETE", "/jobs/whatever", undefined, null)).status).toBe(401);
  });

  test("bad requests: 400 with a reason; unknown exchange 404; unknown job 404", async () => {
    const bad = async (body: unknown) => {
      const res = await call("POST", "/jobs", body);
      expect(res.status).toBe(400);
      return ((await res.json()) as { error: { message: string } }).error.message;
    };
    expect(
      await bad({ kind: "candles-backfill", exchange: g.exchange, market: "BTC-USDT", from: "2024-01-01" }),
    ).toContain("interval");
    expect(
      await bad({
        kind: "candles-backfill",
        exchange: g.exchange,
        market: "BTC-USDT",
        interval: "1m",
        from: "yesterday",
      }),
    ).toContain("from");
    expect(
      await bad({
        kind: "candles-backfill",
        exchange: g.exchange,
        market: "BTC-USDT",
        interval: "1m",
        from: "2024-01-02",
        to: "2024-01-01",
      }),
    ).toContain("before");
    const unknown = await call("POST", "/jobs", {
      kind: "trades-backfill",
      exchange: "nosuch",
      market: "BTC-USDT",
      from: 0,
    });
    expect(unknown.status).toBe(404);
    expect((await call("GET", "/jobs/nosuchjob")).status).toBe(404);
  });

  test("capacity lists every exchange's budget scopes; gaps list", async () => {
    const res = await call("GET", "/capacity", undefined, null);
    expect(res.status).toBe(200);
    const { data } = (await res.json()) as { data: Array<Record<string, unknown>> };
    const binance = data.filter((s) => s.exchange === "binance");
    expect(binance.map((s) => s.scope).sort()).toEqual(["binance", "binance-usdm"].sort());
    expect(binance[0]).toMatchObject({
      limit: expect.any(Number),
      windowMs: expect.any(Number),
      used: expect.any(Number),
      reserved: {
        immediate: expect.any(Number),
        short: expect.any(Number),
        medium: expect.any(Number),
        long: expect.any(Number),
      },
      queuedJobs: expect.any(Number),
      queuedWeight: expect.any(Number),
      etaSeconds: expect.any(Number),
    });
    const gaps = await call("GET", "/gaps?limit=5", undefined, null);
    expect(gaps.status).toBe(200);
    expect(Array.isArray(((await gaps.json()) as { data: unknown[] }).data)).toBe(true);
  });
});
