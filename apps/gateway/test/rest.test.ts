import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Candle, Stats, Ticker } from "@tickerplant/core";
import { insertTrades, refreshCandleRollups, upsertCandles, upsertMarkets } from "@tickerplant/db";
import { createLogger, createMetricsRegistry, createSql } from "@tickerplant/runtime";
import { createGateway } from "../src/app.ts";
import { loadGatewayConfig } from "../src/config.ts";
import { makeTrade, startTestGateway, type TestGateway } from "./helpers.ts";

let g: TestGateway;
let ex: string;
const T0 = Date.parse("2024-05-01T00:00:00Z");
const MARKET = "BTC-USDT";
const OTHER = "ETH-USDT";

async function get(path: string): Promise<{ status: number; body: any }> {
  const res = await fetch(`${g.base}${path}`);
  expect(res.headers.get("content-type") ?? "").toContain("application/json");
  return { status: res.status, body: await res.json() };
}

function expectError(r: { status: number; body: any }, status: number, code: string) {
  expect(r.status).toBe(status);
  expect(r.body).toEqual({ error: { code, message: expect.any(String) } });
  expect(r.body.error.message.length).toBeGreaterThan(5);
}

function ticker(market: string, last: number): Ticker {
  return {
    type: "ticker",
    exchange: ex,
    market,
    symbol: market.replace("-", ""),
    ts: Date.now() - 500,
    recvTs: Date.now() - 400,
    last,
    open: last - 10,
    high: last + 5,
    low: last - 20,
    volume: 12.5,
    quoteVolume: 1250,
    change: 10,
    changePct: 0.5,
    bid: last - 0.5,
    ask: last + 0.5,
    simulated: true,
  };
}

function candle(i: number): Candle {
  const openTime = T0 + i * 60_000;
  return {
    type: "candle",
    exchange: ex,
    market: MARKET,
    symbol: "BTCUSDT",
    ts: openTime + 59_999,
    recvTs: openTime + 60_000,
    interval: "1m",
    openTime,
    closeTime: openTime + 59_999,
    open: 100 + i,
    high: 110 + i,
    low: 90 + i,
    close: 105 + i,
    volume: 1 + i,
    quoteVolume: 100 * (1 + i),
    trades: 10 + i,
    closed: true,
  };
}

beforeAll(async () => {
  g = await startTestGateway();
  ex = g.exchange;
  await upsertMarkets(
    g.sql,
    [MARKET, OTHER].map((market) => ({
      exchange: ex,
      market,
      symbol: market.replace("-", ""),
      base: market.split("-")[0]!,
      quote: "USDT",
      type: "spot" as const,
      status: "trading" as const,
      tickSize: 0.01,
      lotSize: 0.0001,
      minNotional: 5,
      simulated: true,
    })),
  );
  // 10 trades one second apart.
  await insertTrades(
    g.sql,
    Array.from({ length: 10 }, (_, i) => makeTrade(ex, MARKET, i, T0 + i * 1000)),
  );
  await upsertCandles(
    g.sql,
    Array.from({ length: 5 }, (_, i) => candle(i)),
  );
  await g.redis.hset(`source:${ex}`, {
    source: "simulated",
    url: "ws://127.0.0.1:9500/ws",
    updatedAt: String(Date.now()),
  });
  for (const [market, last] of [
    [MARKET, 50_000],
    [OTHER, 3_000],
  ] as const) {
    await g.redis.hset(`ticker:${ex}:${market}`, {
      json: JSON.stringify(ticker(market, last)),
      last: String(last),
      updatedAt: String(Date.now() - 1000),
    });
  }
  const stats: Stats = {
    type: "stats",
    exchange: ex,
    market: MARKET,
    window: "24h",
    ts: Date.now(),
    last: 50_000,
    open: 49_000,
    change: 1000,
    changePct: 2.04,
    high: 51_000,
    low: 48_000,
    volume: 100,
    quoteVolume: 5_000_000,
    vwap: 49_900,
    trades: 1234,
    simulated: true,
  };
  await g.redis.hset(`stats:${ex}:${MARKET}`, { json: JSON.stringify(stats), updatedAt: String(Date.now()) });
});

afterAll(async () => {
  await g?.close();
});

describe("GET /api/v1/exchanges", () => {
  test("lists the registry's exchanges with their source, loudly flagging simulated data", async () => {
    const r = await get("/api/v1/exchanges");
    expect(r.status).toBe(200);
    const mine = r.body.data.find((e: any) => e.id === ex);
    expect(mine).toMatchObject({
      id: ex,
      source: "simulated",
      simulated: true,
      markets: 2,
      status: "active",
    });
    expect(mine.notice).toContain("SIMULATED");
    expect(mine.sourceUrl).toBe("ws://127.0.0.1:9500/ws");
    expect(r.body.simulated).toBe(true);
    expect(r.body.notice).toContain(ex);
    const binance = r.body.data.find((e: any) => e.id === "binance");
    expect(binance).toMatchObject({ id: "binance", name: "Binance" });
    expect(["live", "simulated", "unknown"]).toContain(binance.source);
  });
});

describe("GET /api/v1/markets", () => {
  test("returns the exchange's markets from SQL", async () => {
    const r = await get(`/api/v1/markets?exchange=${ex}`);
    expect(r.status).toBe(200);
    expect(r.body.data.map((m: any) => m.market)).toEqual([MARKET, OTHER]);
    expect(r.body.data[0]).toMatchObject({
      exchange: ex,
      symbol: "BTCUSDT",
      base: "BTC",
      quote: "USDT",
      type: "spot",
      simulated: true,
    });
    expect(typeof r.body.data[0].updatedAt).toBe("number");
  });

  test("unknown exchange is 404", async () => {
    expectError(await get("/api/v1/markets?exchange=nosuchex"), 404, "unknown_exchange");
  });
});

describe("GET /api/v1/tickers", () => {
  test("filters by exchange and includes freshness", async () => {
    const r = await get(`/api/v1/tickers?exchange=${ex}`);
    expect(r.status).toBe(200);
    expect(r.body.data.map((t: any) => t.market).sort()).toEqual([MARKET, OTHER]);
    const btc = r.body.data.find((t: any) => t.market === MARKET);
    expect(btc).toMatchObject({ type: "ticker", exchange: ex, last: 50_000, simulated: true });
    expect(btc.updatedAt).toBeGreaterThan(Date.now() - 60_000);
    expect(btc.ageMs).toBeGreaterThanOrEqual(900);
  });

  test("exchange and market: one ticker", async () => {
    const r = await get(`/api/v1/tickers?exchange=${ex}&market=${OTHER}`);
    expect(r.status).toBe(200);
    expect(r.body.data).toHaveLength(1);
    expect(r.body.data[0].last).toBe(3_000);
  });

  test("without filters includes every exchange's tickers", async () => {
    const r = await get("/api/v1/tickers");
    expect(r.status).toBe(200);
    expect(r.body.data.filter((t: any) => t.exchange === ex)).toHaveLength(2);
  });

  test("errors: unknown exchange 404, market without ticker 404, malformed market 400", async () => {
    expectError(await get("/api/v1/tickers?exchange=nosuchex"), 404, "unknown_exchange");
    expectError(await get(`/api/v1/tickers?exchange=${ex}&market=NONE-USDT`), 404, "unknown_market");
    expectError(await get(`/api/v1/tickers?exchange=${ex}&market=btc_usdt`), 400, "invalid_request");
  });

  test("a stored record that does not match the schema is left out, not served", async () => {
    await g.redis.hset(`ticker:${ex}:BAD-USDT`, {
      json: '{"type":"ticker","last":"oops"}',
      updatedAt: String(Date.now()),
    });
    const r = await get(`/api/v1/tickers?exchange=${ex}`);
    expect(r.status).toBe(200);
    expect(r.body.data.map((t: any) => t.market)).not.toContain("BAD-USDT");
    await g.redis.del(`ticker:${ex}:BAD-USDT`);
  });
});

describe("GET /api/v1/stats", () => {
  test("returns the analyzer's 24h stats with freshness", async () => {
    const r = await get(`/api/v1/stats?exchange=${ex}&market=${MARKET}`);
    expect(r.status).toBe(200);
    expect(r.body.data).toHaveLength(1);
    expect(r.body.data[0]).toMatchObject({ type: "stats", window: "24h", vwap: 49_900, trades: 1234 });
    expect(typeof r.body.data[0].ageMs).toBe("number");
  });

  test("errors", async () => {
    expectError(await get(`/api/v1/stats?exchange=${ex}&market=${OTHER}`), 404, "unknown_market");
    expectError(await get("/api/v1/stats?exchange=nosuchex"), 404, "unknown_exchange");
  });
});

describe("GET /api/v1/trades", () => {
  const base = () => `/api/v1/trades?exchange=${ex}&market=${MARKET}`;

  test("limit only: the latest N trades in ascending order", async () => {
    const r = await get(`${base()}&limit=3`);
    expect(r.status).toBe(200);
    expect(r.body.data.map((t: any) => t.id)).toEqual(["1007", "1008", "1009"]);
    expect(r.body.data[0]).toEqual({
      type: "trade",
      exchange: ex,
      market: MARKET,
      symbol: "BTCUSDT",
      ts: T0 + 7000,
      recvTs: T0 + 7001.5,
      id: "1007",
      price: 107,
      amount: 7.5,
      side: "sell",
      simulated: false,
    });
  });

  test("default limit is 100: all 10 trades ascending", async () => {
    const r = await get(base());
    expect(r.body.data.map((t: any) => t.ts)).toEqual(Array.from({ length: 10 }, (_, i) => T0 + i * 1000));
  });

  test("from (ISO) and to (epoch ms): the window, ascending, first N from `from`", async () => {
    const from = new Date(T0 + 2000).toISOString();
    const r = await get(`${base()}&from=${from}&to=${T0 + 6000}&limit=3`);
    expect(r.status).toBe(200);
    expect(r.body.data.map((t: any) => t.id)).toEqual(["1002", "1003", "1004"]);
    const all = await get(`${base()}&from=${from}&to=${T0 + 6000}`);
    expect(all.body.data.map((t: any) => t.id)).toEqual(["1002", "1003", "1004", "1005", "1006"]);
  });

  test("to only: the latest N at or before `to`", async () => {
    const r = await get(`${base()}&to=${new Date(T0 + 4000).toISOString()}&limit=2`);
    expect(r.body.data.map((t: any) => t.id)).toEqual(["1003", "1004"]);
  });

  test("invalid parameters are 400 invalid_request with a readable message", async () => {
    for (const q of [
      "&limit=0",
      "&limit=1001",
      "&limit=abc",
      "&from=yesterday",
      `&from=${T0 + 5000}&to=${T0}`,
    ]) {
      const r = await get(`${base()}${q}`);
      expectError(r, 400, "invalid_request");
    }
    const missing = await get(`/api/v1/trades?exchange=${ex}`);
    expectError(missing, 400, "invalid_request");
    expect(missing.body.error.message).toContain("market");
    const limit = await get(`${base()}&limit=5000`);
    expect(limit.body.error.message).toContain("limit");
  });

  test("unknown exchange and unknown market are 404", async () => {
    expectError(await get(`/api/v1/trades?exchange=nosuchex&market=${MARKET}`), 404, "unknown_exchange");
    expectError(await get(`/api/v1/trades?exchange=${ex}&market=NONE-USDT`), 404, "unknown_market");
  });
});

describe("GET /api/v1/candles", () => {
  const base = () => `/api/v1/candles?exchange=${ex}&market=${MARKET}`;

  test("candles of an interval, ascending; latest N when only limit", async () => {
    const r = await get(`${base()}&interval=1m&limit=2`);
    expect(r.status).toBe(200);
    expect(r.body.data.map((c: any) => c.openTime)).toEqual([T0 + 3 * 60_000, T0 + 4 * 60_000]);
    expect(r.body.data[1]).toMatchObject({
      type: "candle",
      interval: "1m",
      open: 104,
      close: 109,
      trades: 14,
      closed: true,
    });
  });

  test("from/to window", async () => {
    const r = await get(
      `${base()}&interval=1m&from=${T0 + 60_000}&to=${new Date(T0 + 2 * 60_000).toISOString()}`,
    );
    expect(r.body.data.map((c: any) => c.openTime)).toEqual([T0 + 60_000, T0 + 2 * 60_000]);
  });

  test("concurrent requests: the same query shares one read, each window gets its own", async () => {
    const urls = [2, 2, 3, 2, 3].map((limit) => `${base()}&interval=1m&limit=${limit}`);
    const rs = await Promise.all(
      [...urls, `/api/v1/candles?exchange=${ex}&market=NONE-USDT&interval=1m`].map(get),
    );
    expect(rs.slice(0, 5).map((r) => r.body.data.map((c: any) => c.openTime))).toEqual(
      [2, 2, 3, 2, 3].map((n) => [T0 + 2 * 60_000, T0 + 3 * 60_000, T0 + 4 * 60_000].slice(3 - n)),
    );
    expectError(rs[5]!, 404, "unknown_market");
  });

  test("rolled-up intervals come from the 1m candles; others only from the exchange's own", async () => {
    await refreshCandleRollups(g.sql);
    const r = await get(`${base()}&interval=5m`);
    expect(r.status).toBe(200);
    // The five 1m candles fill one 5m bucket (T0 is a 5-minute boundary).
    expect(r.body.data).toEqual([
      expect.objectContaining({
        type: "candle",
        interval: "5m",
        openTime: T0,
        closeTime: T0 + 299_999,
        open: 100,
        high: 114,
        low: 90,
        close: 109,
        volume: 15,
        quoteVolume: 1500,
        trades: 60,
        closed: true,
      }),
    ]);
    for (const interval of ["15m", "1h", "4h", "1d", "1w"]) {
      const rolled = await get(`${base()}&interval=${interval}`);
      expect(rolled.status).toBe(200);
      expect(rolled.body.data).toHaveLength(1);
      expect(rolled.body.data[0]).toMatchObject({ interval, open: 100, close: 109, volume: 15 });
    }
    const other = await get(`${base()}&interval=3m`);
    expect(other.body.data).toEqual([]);
  });

  test("interval is validated against the core's intervals", async () => {
    const bad = await get(`${base()}&interval=7m`);
    expectError(bad, 400, "invalid_request");
    expect(bad.body.error.message).toContain("1m");
    expectError(await get(base()), 400, "invalid_request");
    expectError(
      await get(`/api/v1/candles?exchange=nosuchex&market=${MARKET}&interval=1m`),
      404,
      "unknown_exchange",
    );
    expectError(
      await get(`/api/v1/candles?exchange=${ex}&market=NONE-USDT&interval=1m`),
      404,
      "unknown_market",
    );
    // Stored candles of a market the exchange no longer lists: still 404.
    await upsertCandles(g.sql, [{ ...candle(0), market: "GONE-USDT" }]);
    expectError(
      await get(`/api/v1/candles?exchange=${ex}&market=GONE-USDT&interval=1m`),
      404,
      "unknown_market",
    );
  });
});

describe("errors and operations", () => {
  test("unknown route is 404 not_found in the error shape", async () => {
    expectError(await get("/api/v1/nothing-here"), 404, "not_found");
  });

  test("health and metrics", async () => {
    expect((await get("/health/live")).status).toBe(200);
    const ready = await get("/health/ready");
    expect(ready.status).toBe(200);
    expect(ready.body.checks.map((c: any) => c.name).sort()).toEqual(["database", "nats", "redis"]);
    const metrics = await (await fetch(`${g.base}/metrics`)).text();
    expect(metrics).toContain("tickerplant_gateway_http_requests_total");
    expect(metrics).toMatch(
      /tickerplant_gateway_http_requests_total\{route="\/api\/v1\/trades",status="400"/,
    );
    // Every request is timed too, failed ones included (the start time rides on its context).
    expect(metrics).toMatch(
      /tickerplant_gateway_http_request_seconds_count\{route="\/api\/v1\/trades"[^}]*\} [1-9]/,
    );
    expect(metrics).toMatch(/tickerplant_gateway_http_request_seconds_count\{route="unmatched"[^}]*\} [1-9]/);
  });

  test("a database that cannot be reached gives 503 unavailable and not ready", async () => {
    const down = createSql("postgres://tickerplant@127.0.0.1:1/none", { max: 1, name: "gateway-test-down" });
    const log = createLogger({ service: "gateway-test", level: "error", write: () => {} });
    const gw = createGateway({
      sql: down,
      redis: g.redis,
      nats: g.nats,
      registry: createMetricsRegistry("gateway-test-down"),
      log,
      config: loadGatewayConfig({ HTTP_PORT: "0", HTTP_HOST: "127.0.0.1" }),
      subscriptions: g.subscriptions,
    });
    const port = gw.start();
    try {
      const res = await fetch(`http://127.0.0.1:${port}/api/v1/trades?exchange=binance&market=BTC-USDT`);
      expect(res.status).toBe(503);
      expect(await res.json()).toEqual({ error: { code: "unavailable", message: expect.any(String) } });
      expect((await fetch(`http://127.0.0.1:${port}/health/ready`)).status).toBe(503);
    } finally {
      await gw.stop();
      await down.end({ timeout: 1 });
    }
  });
});

describe("OpenAPI and dashboard", () => {
  test("/openapi.json lists every route with its parameters", async () => {
    const r = await get("/openapi.json");
    expect(r.status).toBe(200);
    const paths = Object.keys(r.body.paths);
    for (const p of [
      "/api/v1/exchanges",
      "/api/v1/markets",
      "/api/v1/tickers",
      "/api/v1/trades",
      "/api/v1/candles",
      "/api/v1/stats",
      "/health/live",
      "/health/ready",
      "/metrics",
    ]) {
      expect(paths).toContain(p);
    }
    expect(paths).not.toContain("/");
    const params = r.body.paths["/api/v1/candles"].get.parameters.map((p: any) => p.name);
    expect(params).toEqual(expect.arrayContaining(["exchange", "market", "interval", "from", "to", "limit"]));
    expect(r.body.paths["/api/v1/trades"].get.responses["400"]).toBeDefined();
    const wsDoc = r.body.tags.find((tag: any) => tag.name === "websocket")?.description ?? "";
    expect(wsDoc).toContain('{"op":"subscribe"');
  });

  test("/docs renders Swagger UI from local assets", async () => {
    const html = await (await fetch(`${g.base}/docs`)).text();
    expect(html).toContain("/docs/assets/swagger-ui-bundle.js");
    expect(html).not.toContain("unpkg.com");
    const js = await fetch(`${g.base}/docs/assets/swagger-ui-bundle.js`);
    expect(js.status).toBe(200);
    expect((await js.arrayBuffer()).byteLength).toBeGreaterThan(100_000);
    expect((await fetch(`${g.base}/docs/assets/swagger-ui.css`)).status).toBe(200);
  });

  test("the dashboard is served at /", async () => {
    const res = await fetch(`${g.base}/`);
    expect(res.headers.get("content-type")).toContain("text/html");
    const html = await res.text();
    expect(html).toContain("SIMULATED DATA");
    expect(html).toContain("/dashboard/app.js");
    const js = await (await fetch(`${g.base}/dashboard/app.js`)).text();
    expect(js).toContain('from "./tickers.js"');
    // The modules app.js imports are served beside it.
    const tickers = await fetch(`${g.base}/dashboard/tickers.js`);
    expect(tickers.headers.get("content-type")).toContain("javascript");
    expect(await tickers.text()).toContain("ticker:*:*");
  });
});
