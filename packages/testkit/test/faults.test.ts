import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type SimTrade, type StartedSimulator, startSimulator } from "../src/index.ts";
import { connect } from "./helpers/ws-client.ts";

let s: StartedSimulator;
const control = (path: string) => fetch(`${s.url}/_sim/${path}`, { method: "POST" }).then((r) => r.json());

beforeAll(async () => {
  s = await startSimulator({ seed: 9, markets: ["BTC-USDT", "ETH-USDT"], tradesPerSecond: 400 });
});
afterAll(() => s.stop());

describe("misbehaviour on command", () => {
  test("malformed frames reach subscribers, then data continues", async () => {
    const c = await connect(`${s.wsUrl}/stream?streams=btcusdt@trade`);
    await c.waitFor(() => c.messages.length > 0, 2000, "a trade");
    const before = c.messages.length;
    const res = (await control("malformed?count=8")) as { connections: number; frames: number };
    expect(res).toEqual({ connections: 1, frames: 8 });
    const bad = () =>
      c.messages.filter((m) => {
        try {
          const v = JSON.parse(m) as { data?: { t?: unknown } };
          return typeof v?.data?.t !== "number";
        } catch {
          return true;
        }
      });
    // The control answer and the frames travel on different sockets: wait for the frames themselves.
    await c.waitFor(
      () => bad().length >= 8 && c.messages.length >= before + 12,
      2000,
      "malformed frames and more trades",
    );
    await Bun.sleep(50);
    expect(bad().length).toBe(8);
    c.close();
  });

  test("drop cuts every connection", async () => {
    const a = await connect(`${s.wsUrl}/ws/btcusdt@trade`);
    const b = await connect(`${s.wsUrl}/stream?streams=ethusdt@trade`);
    const res = (await control("drop")) as { dropped: number };
    expect(res.dropped).toBeGreaterThanOrEqual(2);
    expect((await a.closed).code).toBe(1006);
    expect((await b.closed).code).toBe(1006);
  });

  test("stall: sockets stay open, no data, trades keep happening and REST fills the gap", async () => {
    const c = await connect(`${s.wsUrl}/ws/btcusdt@trade`);
    await c.waitFor(() => c.messages.length >= 3, 2000, "trades");
    await control("stall?ms=400");
    const atStall = c.messages.length;
    await Bun.sleep(300);
    expect(c.messages.length).toBeLessThanOrEqual(atStall + 5); // frames already in flight
    expect(c.isClosed()).toBe(false);
    await c.waitFor(() => c.messages.length >= atStall + 10, 2000, "data after the stall");
    c.close();
    const ids = (c.json() as Array<{ t: number }>).map((d) => d.t);
    const gapAt = ids.findIndex((id, i) => i > 0 && id !== ids[i - 1]! + 1);
    expect(gapAt).toBeGreaterThan(0);
    const from = ids[gapAt - 1]! + 1;
    const to = ids[gapAt]! - 1;
    expect(to - from).toBeGreaterThan(20);
    const r = await fetch(
      `${s.url}/api/v3/historicalTrades?symbol=BTCUSDT&fromId=${from}&limit=${to - from + 1}`,
    );
    const healed = (await r.json()) as Array<{ id: number; price: string }>;
    expect(healed.map((t) => t.id)).toEqual(Array.from({ length: to - from + 1 }, (_, i) => from + i));
    expect(healed.map((t) => Number(t.price))).toEqual(
      s.sim.groundTruth.trades("BTC-USDT", { fromId: from, limit: to - from + 1 }).map((t) => t.price),
    );
  });

  test("a stall keeps control replies; a silent stall withholds them too, and neither closes", async () => {
    const c = await connect(`${s.wsUrl}/ws/btcusdt@trade`);
    await c.waitFor(() => c.messages.length >= 3, 2000, "trades");
    const replies = () => c.messages.filter((m) => m.includes('"id":')).length;
    await control("stall?ms=600");
    c.send({ method: "LIST_SUBSCRIPTIONS", id: 1 });
    await c.waitFor(() => replies() === 1, 500, "the reply during a data stall");
    await Bun.sleep(650);
    expect(await control("stall?ms=600&silent=1")).toEqual({ stalledForMs: 600, silent: true });
    await Bun.sleep(50);
    const atSilence = c.messages.length;
    c.send({ method: "LIST_SUBSCRIPTIONS", id: 2 });
    await Bun.sleep(400);
    expect(c.messages.length).toBe(atSilence);
    expect(c.isClosed()).toBe(false);
    await c.waitFor(() => c.messages.length >= atSilence + 10, 2000, "data after the silent stall");
    expect(replies()).toBe(1);
    c.close();
  });

  test("skip-book drops book deltas: the next U jumps past u + 1", async () => {
    const c = await connect(`${s.wsUrl}/ws/ethusdt@depth@100ms`);
    await c.waitFor(() => c.messages.length >= 2, 2000, "depth");
    await control("skip-book?market=ETH-USDT&count=2");
    const n = c.messages.length;
    await c.waitFor(() => c.messages.length >= n + 2, 2000, "more depth");
    c.close();
    const ds = c.json() as Array<{ U: number; u: number }>;
    const breaks = ds.filter((d, i) => i > 0 && d.U !== ds[i - 1]!.u + 1);
    expect(breaks.length).toBe(1);
  });

  test("forced 429 for the next N REST calls", async () => {
    await control("429?count=2&retryAfter=3");
    for (let i = 0; i < 2; i++) {
      const r = await fetch(`${s.url}/api/v3/ping`);
      expect(r.status).toBe(429);
      expect(r.headers.get("Retry-After")).toBe("3");
      expect(((await r.json()) as { code: number }).code).toBe(-1003);
    }
    expect((await fetch(`${s.url}/api/v3/ping`)).status).toBe(200);
  });

  test("a REST delay for one path holds only that path's next answer", async () => {
    expect(await control("rest-delay?count=1&ms=600&path=/api/v3/depth")).toEqual({
      delayed: 1,
      ms: 600,
      path: "/api/v3/depth",
    });
    const t0 = Date.now();
    expect((await fetch(`${s.url}/api/v3/ping`)).status).toBe(200);
    expect(Date.now() - t0).toBeLessThan(400);
    const t1 = Date.now();
    expect((await fetch(`${s.url}/api/v3/depth?symbol=BTCUSDT&limit=5`)).status).toBe(200);
    expect(Date.now() - t1).toBeGreaterThanOrEqual(580);
    const t2 = Date.now();
    await fetch(`${s.url}/api/v3/depth?symbol=BTCUSDT&limit=5`);
    expect(Date.now() - t2).toBeLessThan(400);
  });

  test("pause/resume, stats and ground truth over HTTP", async () => {
    await control("pause");
    await Bun.sleep(50);
    const c1 = (await control("truth/counts")) as Record<string, number>;
    await Bun.sleep(150);
    const c2 = (await control("truth/counts")) as Record<string, number>;
    expect(c2).toEqual(c1);
    await control("resume");
    await Bun.sleep(100);
    const c3 = (await control("truth/counts")) as Record<string, number>;
    expect(c3["BTC-USDT"]!).toBeGreaterThan(c1["BTC-USDT"]!);

    const trades = (await (await fetch(`${s.url}/_sim/truth/trades?market=BTC-USDT`)).json()) as SimTrade[];
    expect(trades.length).toBeGreaterThanOrEqual(c3["BTC-USDT"]!);
    expect(trades.slice(0, 50)).toEqual(s.sim.groundTruth.trades("BTC-USDT", { limit: 50 }));
    expect(Object.keys(trades[0]!).sort()).toEqual(["amount", "id", "price", "side", "ts"]);

    const stats = (await (await fetch(`${s.url}/_sim/stats`)).json()) as Record<string, unknown>;
    expect(stats).toMatchObject({ exchange: "binance", simulated: true, connections: expect.any(Number) });
    expect((stats.tradesGenerated as Record<string, number>)["ETH-USDT"]).toBeGreaterThan(0);
    expect(stats.framesSent as number).toBeGreaterThan(0);

    const bad = await fetch(`${s.url}/_sim/truth/trades?market=NOPE-USDT`);
    expect(bad.status).toBe(400);
  });
});

describe("exchange faults for the chaos suite", () => {
  test("truncated and gzip-corrupt frames: cut text, and binary that starts like gzip and does not inflate", async () => {
    const c = await connect(`${s.wsUrl}/ws/btcusdt@trade`);
    await c.waitFor(() => c.messages.length > 0, 2000, "a trade");
    expect(await control("malformed?count=3&kind=truncated")).toEqual({ connections: 1, frames: 3 });
    expect(await control("malformed?count=2&kind=gzip-corrupt")).toEqual({ connections: 1, frames: 2 });
    expect((await fetch(`${s.url}/_sim/malformed?kind=nope`)).status).toBe(400);
    const nonJson = () =>
      c.messages.filter((m) => {
        try {
          JSON.parse(m);
          return false;
        } catch {
          return true;
        }
      });
    await c.waitFor(() => nonJson().length >= 5, 2000, "bad frames");
    c.close();
  });

  test("REST bans as 418 and 403 carry Retry-After; a delayed answer is held that long", async () => {
    await control("429?count=1&status=418&retryAfter=7");
    const banned = await fetch(`${s.url}/api/v3/depth?symbol=BTCUSDT&limit=5`);
    expect(banned.status).toBe(418);
    expect(banned.headers.get("retry-after")).toBe("7");
    await control("429?count=1&status=403&retryAfter=3");
    const forbidden = await fetch(`${s.url}/api/v3/depth?symbol=BTCUSDT&limit=5`);
    expect(forbidden.status).toBe(403);
    expect(forbidden.headers.get("retry-after")).toBe("3");
    expect((await fetch(`${s.url}/_sim/429?status=500`)).status).toBe(400);
    expect((await fetch(`${s.url}/api/v3/depth?symbol=BTCUSDT&limit=5`)).status).toBe(200);

    await control("rest-delay?count=1&ms=800");
    const t0 = performance.now();
    const slow = await fetch(`${s.url}/api/v3/depth?symbol=BTCUSDT&limit=5`);
    expect(slow.status).toBe(200);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(750);
    const t1 = performance.now();
    await fetch(`${s.url}/api/v3/depth?symbol=BTCUSDT&limit=5`);
    expect(performance.now() - t1).toBeLessThan(700);
  });
});
