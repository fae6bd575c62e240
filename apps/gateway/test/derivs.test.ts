import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Deriv, Liquidation } from "@tickerplant/core";
import { insertLiquidations, upsertMarkets } from "@tickerplant/db";
import { startTestGateway, type TestGateway } from "./helpers.ts";

let g: TestGateway;
let ex: string;
const T0 = Date.parse("2024-05-01T00:00:00Z");
const PERP = "BTC-USDT-PERP";
const OTHER = "ETH-USDT-PERP";

async function get(path: string): Promise<{ status: number; body: any }> {
  const res = await fetch(`${g.base}${path}`);
  expect(res.headers.get("content-type") ?? "").toContain("application/json");
  return { status: res.status, body: await res.json() };
}

function expectError(r: { status: number; body: any }, status: number, code: string) {
  expect(r.status).toBe(status);
  expect(r.body).toEqual({ error: { code, message: expect.any(String) } });
}

function deriv(market: string, markPrice: number, openInterest: number | null): Deriv {
  return {
    type: "deriv",
    exchange: ex,
    market,
    symbol: market.replace("-PERP", "").replace("-", ""),
    ts: Date.now() - 500,
    recvTs: Date.now() - 400,
    markPrice,
    indexPrice: markPrice - 1,
    fundingRate: 0.0001,
    nextFundingTime: T0 + 8 * 3_600_000,
    openInterest,
    simulated: true,
  };
}

function liquidation(i: number): Liquidation {
  return {
    type: "liquidation",
    exchange: ex,
    market: PERP,
    symbol: "BTCUSDT",
    ts: T0 + i * 1000 + 0.5,
    recvTs: T0 + i * 1000 + 2,
    id: `L${i}`,
    price: 60_000 + i,
    amount: 0.1 * (i + 1),
    side: i % 2 ? "buy" : "sell",
    simulated: true,
  };
}

beforeAll(async () => {
  g = await startTestGateway();
  ex = g.exchange;
  await upsertMarkets(
    g.sql,
    [PERP, OTHER].map((market) => ({
      exchange: ex,
      market,
      symbol: market.replace("-PERP", "").replace("-", ""),
      base: market.split("-")[0]!,
      quote: "USDT",
      type: "perp" as const,
      status: "trading" as const,
      tickSize: 0.1,
      lotSize: 0.001,
      minNotional: 5,
      simulated: true,
    })),
  );
  await insertLiquidations(
    g.sql,
    Array.from({ length: 6 }, (_, i) => liquidation(i)),
  );
  // What the storage-writer keeps: the merged state in `json`, with updatedAt.
  for (const [market, mark, oi] of [
    [PERP, 60_000, 12_345],
    [OTHER, 3_000, null],
  ] as const) {
    await g.redis.hset(`deriv:${ex}:${market}`, {
      json: JSON.stringify(deriv(market, mark, oi)),
      markPrice: String(mark),
      updatedAt: String(Date.now() - 1000),
    });
  }
});

afterAll(async () => {
  if (g) await g.sql`delete from liquidations where exchange = ${ex}`;
  await g?.close();
});

describe("GET /api/v1/derivs", () => {
  test("filters by exchange; merged state with freshness", async () => {
    const r = await get(`/api/v1/derivs?exchange=${ex}`);
    expect(r.status).toBe(200);
    expect(r.body.data.map((d: any) => d.market)).toEqual([PERP, OTHER].sort());
    const btc = r.body.data.find((d: any) => d.market === PERP);
    expect(btc).toMatchObject({ type: "deriv", exchange: ex, markPrice: 60_000, openInterest: 12_345 });
    expect(btc.ageMs).toBeGreaterThanOrEqual(900);
    const eth = r.body.data.find((d: any) => d.market === OTHER);
    expect(eth.openInterest).toBeNull();
  });

  test("exchange and market: one state; no filters: every exchange", async () => {
    const one = await get(`/api/v1/derivs?exchange=${ex}&market=${PERP}`);
    expect(one.status).toBe(200);
    expect(one.body.data).toHaveLength(1);
    expect(one.body.data[0].markPrice).toBe(60_000);
    const all = await get("/api/v1/derivs");
    expect(all.status).toBe(200);
    expect(all.body.data.filter((d: any) => d.exchange === ex)).toHaveLength(2);
  });

  test("errors: unknown exchange 404, market without state 404, malformed market 400", async () => {
    expectError(await get("/api/v1/derivs?exchange=nosuchex"), 404, "unknown_exchange");
    expectError(await get(`/api/v1/derivs?exchange=${ex}&market=SOL-USDT-PERP`), 404, "unknown_market");
    expectError(await get(`/api/v1/derivs?exchange=${ex}&market=btc_usdt`), 400, "invalid_request");
  });

  test("a stored record that does not match the schema is left out", async () => {
    await g.redis.hset(`deriv:${ex}:BAD-USDT-PERP`, {
      json: '{"type":"deriv","markPrice":"oops"}',
      updatedAt: String(Date.now()),
    });
    const r = await get(`/api/v1/derivs?exchange=${ex}`);
    expect(r.body.data.map((d: any) => d.market)).not.toContain("BAD-USDT-PERP");
    await g.redis.del(`deriv:${ex}:BAD-USDT-PERP`);
  });
});

describe("GET /api/v1/liquidations", () => {
  const base = () => `/api/v1/liquidations?exchange=${ex}&market=${PERP}`;

  test("limit only: the latest N in ascending order, as normalized messages", async () => {
    const r = await get(`${base()}&limit=2`);
    expect(r.status).toBe(200);
    expect(r.body.data).toEqual([liquidation(4), liquidation(5)]);
  });

  test("from/to window, ascending, first N from `from`", async () => {
    const from = new Date(T0 + 1000).toISOString();
    const r = await get(`${base()}&from=${from}&to=${T0 + 4000}&limit=2`);
    expect(r.body.data.map((l: any) => l.id)).toEqual(["L1", "L2"]);
    const all = await get(`${base()}&from=${from}&to=${T0 + 4000}`);
    expect(all.body.data.map((l: any) => l.id)).toEqual(["L1", "L2", "L3"]);
    const none = await get(`/api/v1/liquidations?exchange=${ex}&market=${OTHER}`);
    expect(none.body.data).toEqual([]);
  });

  test("invalid parameters are 400; unknown exchange and market are 404", async () => {
    for (const q of ["&limit=0", "&limit=abc", "&from=yesterday", `&from=${T0 + 5000}&to=${T0}`]) {
      expectError(await get(`${base()}${q}`), 400, "invalid_request");
    }
    expectError(await get(`/api/v1/liquidations?exchange=${ex}`), 400, "invalid_request");
    expectError(await get(`/api/v1/liquidations?exchange=nosuchex&market=${PERP}`), 404, "unknown_exchange");
    expectError(await get(`/api/v1/liquidations?exchange=${ex}&market=SOL-USDT-PERP`), 404, "unknown_market");
  });

  test("both routes are in the OpenAPI document", async () => {
    const r = await get("/openapi.json");
    expect(Object.keys(r.body.paths)).toEqual(
      expect.arrayContaining(["/api/v1/derivs", "/api/v1/liquidations"]),
    );
    const params = r.body.paths["/api/v1/liquidations"].get.parameters.map((p: any) => p.name);
    expect(params).toEqual(expect.arrayContaining(["exchange", "market", "from", "to", "limit"]));
    expect(r.body.paths["/api/v1/derivs"].get.responses["404"]).toBeDefined();
  });
});
