import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { getAdapter, type RestRequest } from "@tickerplant/core";
import { type StartedSimulator, startSimulator } from "../src/index.ts";

/** The WhiteBIT profile's REST endpoints, driven by the whitebit adapter's request builders and parsers. */

const adapter = getAdapter("whitebit")!;
const { rest } = adapter;

let s: StartedSimulator;

beforeAll(async () => {
  s = await startSimulator({
    exchange: "whitebit",
    seed: 3,
    markets: ["BTC-USDT", "ETH-BTC", "BTC-USDT-PERP"],
    tradesPerSecond: 0,
  });
  for (let i = 0; i < 5; i++) s.sim.generate("BTC-USDT", 60);
});
afterAll(() => s.stop());

async function call(req: RestRequest, base = s.url) {
  const u = new URL(req.path, base);
  for (const [k, v] of Object.entries(req.query)) u.searchParams.set(k, String(v));
  const r = await fetch(u);
  const text = await r.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // the 429 page is not JSON
  }
  return { status: r.status, headers: r.headers, body, recvTs: Date.now() };
}

describe("WhiteBIT REST", () => {
  test("markets: spot markets with tick and lot sizes; the perpetual is listed as futures and skipped", async () => {
    const r = await call(rest.marketsRequest());
    expect(r.status).toBe(200);
    expect(r.headers.get("x-tickerplant-simulated")).toBe("1");
    const markets = rest.parseMarkets(r.body);
    expect(markets.map((m) => [m.market, m.symbol, m.status])).toEqual([
      ["BTC-USDT", "BTC_USDT", "trading"],
      ["ETH-BTC", "ETH_BTC", "trading"],
    ]);
    const spec = s.sim.generator.spec("BTC-USDT");
    expect(markets[0]).toMatchObject({ tickSize: spec.tickSize, lotSize: spec.stepSize });
    expect((r.body as Array<{ name: string; type: string }>).find((m) => m.name === "BTC_PERP")?.type).toBe(
      "futures",
    );
  });

  test("kline pages equal the candles computed from the ground truth", async () => {
    const first = s.sim.truth.trades("BTC-USDT")[0]!.ts;
    const r = await call(
      rest.klinesRequest({ market: "BTC-USDT", interval: "1m", startTime: first - 60_000, limit: 10 }),
    );
    expect(r.status).toBe(200);
    const candles = rest.parseKlines(r.body, { recvTs: r.recvTs, market: "BTC-USDT", interval: "1m" });
    const truth = s.sim.truth.candles("BTC-USDT", "1m", { from: first - 60_000, limit: 10 });
    expect(candles.length).toBeGreaterThan(0);
    expect(candles.map((c) => [c.openTime, c.open, c.high, c.low, c.close, c.volume])).toEqual(
      truth.map((c) => [c.openTime, c.open, c.high, c.low, c.close, Number(c.volume.toFixed(8))]),
    );
    const bad = await call({
      method: "GET",
      path: "/api/v1/public/kline",
      query: { market: "NOPE_USDT", interval: "1m" },
      weight: 2,
    });
    expect(bad.status).toBe(422);
    expect(() => rest.parseKlines(bad.body, { recvTs: 0, market: "BTC-USDT", interval: "1m" })).toThrow(
      /not available/,
    );
  });

  test("recent trades (v4, last 100) and trades after an id (v1 history) match the ground truth", async () => {
    const recent = await call(rest.tradesRequest({ market: "BTC-USDT" }));
    const trades = rest.parseTrades(recent.body, { recvTs: recent.recvTs, market: "BTC-USDT" });
    const truth = s.sim.truth.recentTrades("BTC-USDT", 100);
    expect(trades.map((t) => [t.id, t.price, t.amount, t.side, t.ts])).toEqual(
      truth.map((t) => [String(t.id), t.price, t.amount, t.side, Math.floor(t.ts / 1000) * 1000]),
    );
    const after = await call(rest.tradesRequest({ market: "BTC-USDT", fromId: "271", limit: 100 }));
    const healed = rest.parseTrades(after.body, { recvTs: after.recvTs, market: "BTC-USDT" });
    expect(healed.map((t) => [t.id, t.ts])).toEqual(
      s.sim.truth.trades("BTC-USDT", { fromId: 271 }).map((t) => [String(t.id), t.ts]),
    );
    expect((await call(rest.tradesRequest({ market: "ETH-BTC" }))).body).toEqual([]);
    expect(
      (await call({ method: "GET", path: "/api/v4/public/trades/NOPE_USDT", query: {}, weight: 1 })).body,
    ).toEqual({
      market: ["Market is not available."],
    });
  });

  test("order book snapshot equals the simulated book", async () => {
    const r = await call(rest.depthRequest("BTC-USDT", 10));
    const book = rest.parseDepth(r.body, { recvTs: r.recvTs, market: "BTC-USDT" });
    const truth = s.sim.generator.book("BTC-USDT").snapshot(10);
    expect([book.bids, book.asks, book.seq]).toEqual([truth.bids, truth.asks, 0]);
  });

  test("429 with a non-JSON page and Retry-After; the budget is 2000 per 10 s with v1 costing 2 and the book 4", async () => {
    s.sim.reject429(1, 3);
    const r = await call(rest.marketsRequest());
    expect(r.status).toBe(429);
    expect(r.headers.get("retry-after")).toBe("3");
    expect(typeof r.body).toBe("string");
    const q = await startSimulator({
      exchange: "whitebit",
      markets: ["BTC-USDT"],
      tradesPerSecond: 0,
      restWeightLimit: 7,
    });
    try {
      const statuses: number[] = [];
      for (const req of [
        rest.depthRequest("BTC-USDT", 5),
        rest.klinesRequest({ market: "BTC-USDT", interval: "1h" }),
        rest.marketsRequest(),
        rest.marketsRequest(),
      ]) {
        statuses.push((await call(req, q.url)).status);
      }
      expect(statuses).toEqual([200, 200, 200, 429]);
    } finally {
      await q.stop();
    }
  });
});
