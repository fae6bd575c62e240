import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Status } from "@tickerplant/core";
import { finishJob, gapKey, insertJob, insertStatusEvents } from "@tickerplant/db";
import { createLogger, ServicePresence } from "@tickerplant/runtime";
import { startTestGateway, type TestGateway } from "./helpers.ts";

let g: TestGateway;
let presence: ServicePresence;
const NOW = Date.now();

function status(market: string, event: Status["event"], ts: number, extra: Partial<Status> = {}): Status {
  return {
    type: "status",
    exchange: g.exchange,
    market,
    symbol: market.replace("-", ""),
    ts,
    recvTs: ts,
    event,
    detail: event,
    ...extra,
  } as Status;
}

async function get(path: string) {
  const res = await fetch(`${g.base}${path}`);
  return { status: res.status, body: (await res.json()) as any };
}

beforeAll(async () => {
  g = await startTestGateway();
  await insertStatusEvents(g.sql, [
    status("BTC-USDT", "disconnected", NOW - 60_000, { from: NOW - 60_000 }),
    status("BTC-USDT", "connected", NOW - 50_000),
    status("BTC-USDT", "gap", NOW - 50_000 + 1, { from: NOW - 60_000, to: NOW - 50_000 }),
    status("ETH-USDT", "stale", NOW - 10_000),
    status("ETH-USDT", "gap", NOW - 30_000, { from: NOW - 40_000, to: NOW - 30_000 }),
    status("ETH-USDT", "gap", NOW - 15_000, { from: NOW - 20_000, to: NOW - 15_000 }),
  ]);
  // The scheduler's heals of the two ETH gaps: one healed, one unhealable; the BTC gap has none yet.
  for (const [i, [from, to], outcome] of [
    [1, [NOW - 40_000, NOW - 30_000], "healed"],
    [2, [NOW - 20_000, NOW - 15_000], "unhealable"],
  ] as const) {
    const id = `heal-${g.exchange}-${i}`;
    await insertJob(g.sql, {
      id,
      kind: "gap-heal",
      priority: "immediate",
      exchange: g.exchange,
      market: "ETH-USDT",
      interval: null,
      from,
      to,
      pagesTotal: 1,
      gapKey: gapKey({ exchange: g.exchange, market: "ETH-USDT", from, to }),
    });
    await finishJob(g.sql, id, { state: "done", outcome, detail: outcome });
  }
  presence = new ServicePresence({
    redis: g.redis,
    service: "ingestor",
    instance: `test-${g.exchange}`,
    log: createLogger({ service: "test", level: "error" }),
    info: () => ({
      exchanges: {
        [g.exchange]: {
          source: "simulated",
          connections: 2,
          receiving: true,
          markets: ["BTC-USDT", "ETH-USDT"],
          lastMessageAt: Date.now() - 100,
          latencyMs: 12.5,
          messagesPerSecond: 42.5,
        },
      },
    }),
  });
  await presence.beat();
});

afterAll(async () => {
  await g.sql`delete from jobs where exchange = ${g.exchange}`;
  await g.sql`delete from status_events where exchange = ${g.exchange}`;
  await presence.stop();
  await g.close();
});

describe("operations endpoints", () => {
  test("GET /health: overall status with each dependency's detail and the services seen", async () => {
    const r = await get("/health");
    expect(r.status).toBe(200);
    expect(["ok", "degraded"]).toContain(r.body.status);
    for (const dep of ["nats", "redis", "database"]) {
      expect(r.body.dependencies[dep]).toEqual({ status: "up", latencyMs: expect.any(Number) });
    }
    expect(r.body.services.ingestor.status).toBe("up");
    expect(r.body.services.ingestor.instances).toBeGreaterThanOrEqual(1);
    expect(r.body.exchanges[g.exchange]).toBe("connected");
    expect(Object.keys(r.body.services).sort()).toEqual(
      ["analyzer", "gateway", "ingestor", "scheduler", "storage-writer"].sort(),
    );
  });

  test("GET /api/v1/status: services, the exchange's connection state and lag, market states, gaps", async () => {
    const r = await get("/api/v1/status");
    expect(r.status).toBe(200);
    const svc = r.body.services.find((s: any) => s.instance === `test-${g.exchange}`);
    expect(svc).toMatchObject({ service: "ingestor", ageMs: expect.any(Number) });
    const ex = r.body.exchanges.find((e: any) => e.id === g.exchange);
    expect(ex).toMatchObject({
      state: "connected",
      connections: 2,
      lagMs: 12.5,
      messagesPerSecond: 42.5,
      gaps24h: 3,
      openGaps: 1,
    });
    expect(ex.ageMs).toBeGreaterThanOrEqual(0);
    expect(ex.markets).toEqual([
      { market: "BTC-USDT", state: "connected", since: expect.any(Number), detail: "connected" },
      { market: "ETH-USDT", state: "stale", since: expect.any(Number), detail: "stale" },
    ]);
    const gaps = r.body.gaps.byExchange.find((x: any) => x.exchange === g.exchange);
    // gaps by the state of their heal, as GET /api/v1/gaps lists them
    expect(gaps).toMatchObject({
      gaps: 3,
      open: 1,
      states: { pending: 1, healing: 0, healed: 1, unhealable: 1, failed: 0 },
    });
    expect(r.body.gaps.total).toBeGreaterThanOrEqual(3);
    expect(r.body.gaps.open).toBeGreaterThanOrEqual(1);
    expect(r.body.gaps.byState.healed).toBeGreaterThanOrEqual(1);
    const listed = await get(`/api/v1/gaps?exchange=${g.exchange}`);
    expect(listed.body.data.map((x: any) => [x.market, x.state])).toEqual([
      ["ETH-USDT", "unhealable"],
      ["ETH-USDT", "healed"],
      ["BTC-USDT", "pending"],
    ]);
  });

  test("a stopped service's record goes at once", async () => {
    const other = new ServicePresence({
      redis: g.redis,
      service: "analyzer",
      instance: `gone-${g.exchange}`,
      log: createLogger({ service: "test", level: "error" }),
    });
    await other.beat();
    const seen = await get("/api/v1/status");
    expect(seen.body.services.some((s: any) => s.instance === `gone-${g.exchange}`)).toBe(true);
    await other.stop();
    const gone = await get("/api/v1/status");
    expect(gone.body.services.some((s: any) => s.instance === `gone-${g.exchange}`)).toBe(false);
  });

  test("GET /api/v1/timeframes lists every candle interval with its length", async () => {
    const r = await get("/api/v1/timeframes");
    expect(r.status).toBe(200);
    expect(r.body.data).toContainEqual({ interval: "1m", seconds: 60 });
    expect(r.body.data).toContainEqual({ interval: "4h", seconds: 14_400 });
    expect(r.body.data).toContainEqual({ interval: "1w", seconds: 604_800 });
  });

  test("/status, /timeframes and /config at the root redirect (308) to their /api/v1 routes, query kept", async () => {
    for (const path of ["/status", "/timeframes", "/config"]) {
      const res = await fetch(`${g.base}${path}?x=1`, { redirect: "manual" });
      expect({ path, status: res.status, location: res.headers.get("location") }).toEqual({
        path,
        status: 308,
        location: `/api/v1${path}?x=1`,
      });
    }
    // followed, as HTTP clients do by default
    const followed = await get("/timeframes");
    expect(followed.status).toBe(200);
    expect(followed.body.data).toContainEqual({ interval: "1m", seconds: 60 });
  });

  test("GET /api/v1/ws/stats counts a connected WebSocket client and its subscriptions", async () => {
    const ws = new WebSocket(g.wsUrl);
    await new Promise((resolve, reject) => {
      ws.onopen = resolve;
      ws.onerror = reject;
    });
    const subscribed = new Promise((resolve) => {
      ws.onmessage = (e) => {
        if (JSON.parse(String(e.data)).type === "subscribed") resolve(undefined);
      };
    });
    ws.send(JSON.stringify({ op: "subscribe", channels: [`trade:${g.exchange}:BTC-USDT`], id: 1 }));
    await subscribed;
    const r = await get("/api/v1/ws/stats");
    expect(r.status).toBe(200);
    expect(r.body.clients).toBeGreaterThanOrEqual(1);
    expect(r.body.subscriptions).toBeGreaterThanOrEqual(1);
    expect(r.body.connections.accepted).toBeGreaterThanOrEqual(1);
    ws.close();
  });

  test("the routes are in the OpenAPI document", async () => {
    const r = await get("/openapi.json");
    for (const p of [
      "/health",
      "/api/v1/status",
      "/api/v1/timeframes",
      "/api/v1/config",
      "/api/v1/ws/stats",
    ]) {
      expect(Object.keys(r.body.paths)).toContain(p);
    }
  });
});
