import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type StartedSimulator, startSimulator } from "../src/index.ts";

let s: StartedSimulator;

beforeAll(async () => {
  s = await startSimulator({ seed: 21, markets: ["BTC-USDT", "ETH-USDT", "SOL-USDT"], tradesPerSecond: 600 });
  await Bun.sleep(150);
});
afterAll(() => s.stop());

const get = async (path: string) => {
  const r = await fetch(`${s.url}${path}`);
  // biome-ignore lint/suspicious/noExplicitAny: tests read loosely typed JSON
  return { status: r.status, headers: r.headers, body: (await r.json()) as any };
};

describe("Binance REST", () => {
  test("weights add up in X-MBX-USED-WEIGHT-1m; every answer is labelled simulated", async () => {
    const w0 = Number((await get("/api/v3/ping")).headers.get("x-mbx-used-weight-1m"));
    const steps: Array<[string, number]> = [
      ["/api/v3/exchangeInfo", 20],
      ["/api/v3/klines?symbol=BTCUSDT&interval=1m", 2],
      ["/api/v3/depth?symbol=BTCUSDT", 5],
      ["/api/v3/depth?symbol=BTCUSDT&limit=500", 25],
      ["/api/v3/depth?symbol=BTCUSDT&limit=1000", 50],
      ["/api/v3/depth?symbol=BTCUSDT&limit=5000", 250],
      ["/api/v3/trades?symbol=BTCUSDT", 25],
      ["/api/v3/historicalTrades?symbol=BTCUSDT", 25],
      ["/api/v3/ticker/24hr?symbol=BTCUSDT", 2],
      ["/api/v3/time", 1],
    ];
    let expected = w0;
    for (const [path, weight] of steps) {
      const r = await get(path);
      expected += weight;
      expect(r.status).toBe(200);
      expect(r.headers.get("x-tickerplant-simulated")).toBe("1");
      expect(Number(r.headers.get("x-mbx-used-weight-1m"))).toBe(expected);
    }
  });

  test("exchangeInfo has Binance's shape, the filters, and says simulated", async () => {
    const { body } = await get("/api/v3/exchangeInfo");
    expect(body.simulated).toBe(true);
    expect(body.timezone).toBe("UTC");
    expect(body.rateLimits[0]).toEqual({
      rateLimitType: "REQUEST_WEIGHT",
      interval: "MINUTE",
      intervalNum: 1,
      limit: 6000,
    });
    expect(body.symbols.map((x: { symbol: string }) => x.symbol)).toEqual(["BTCUSDT", "ETHUSDT", "SOLUSDT"]);
    const btc = body.symbols[0];
    expect(btc).toMatchObject({ symbol: "BTCUSDT", status: "TRADING", baseAsset: "BTC", quoteAsset: "USDT" });
    const f = Object.fromEntries(btc.filters.map((x: { filterType: string }) => [x.filterType, x]));
    expect(f.PRICE_FILTER.tickSize).toBe("0.01000000");
    expect(f.LOT_SIZE.stepSize).toBe("0.00001000");
    expect(f.NOTIONAL.minNotional).toBe("5.00000000");
    const one = await get('/api/v3/exchangeInfo?symbols=["ETHUSDT"]');
    expect(one.body.symbols.length).toBe(1);
  });

  test("klines: 12-field rows as Binance, equal to the ground truth", async () => {
    s.sim.pause(); // the open candle must not change between the two reads
    const { body } = await get("/api/v3/klines?symbol=ETHUSDT&interval=1s&limit=3");
    const last = body[body.length - 1];
    const lastTruth = s.sim.groundTruth.candles("ETH-USDT", "1s", { from: last[0], limit: 1 })[0]!;
    s.sim.resume();
    expect(last[8]).toBe(lastTruth.trades);
    expect(last[5]).toBe(lastTruth.volume.toFixed(8));
    expect(body.length).toBeGreaterThan(0);
    expect(body.length).toBeLessThanOrEqual(3);
    for (const row of body) {
      expect(row.length).toBe(12);
      expect(typeof row[0]).toBe("number");
      expect(row[1]).toMatch(/^\d+\.\d{8}$/);
      expect(typeof row[6]).toBe("number");
      expect(typeof row[8]).toBe("number");
      expect(row[11]).toBe("0");
    }
    const first = body[0];
    const truth = s.sim.groundTruth.candles("ETH-USDT", "1s", { from: first[0], limit: 1 })[0]!;
    expect(first.slice(0, 9)).toEqual([
      truth.openTime,
      truth.open.toFixed(8),
      truth.high.toFixed(8),
      truth.low.toFixed(8),
      truth.close.toFixed(8),
      truth.volume.toFixed(8),
      truth.closeTime,
      truth.quoteVolume.toFixed(8),
      truth.trades,
    ]);
    const ranged = await get(
      `/api/v3/klines?symbol=ETHUSDT&interval=1m&startTime=${first[0] - 120_000}&limit=1`,
    );
    expect(ranged.body.length).toBe(1);
  });

  test("depth, trades, historicalTrades, aggTrades, ticker", async () => {
    const depth = await get("/api/v3/depth?symbol=SOLUSDT&limit=5");
    expect(depth.body.bids.length).toBe(5);
    expect(depth.body.asks.length).toBe(5);
    expect(Number(depth.body.bids[0][0])).toBeLessThan(Number(depth.body.asks[0][0]));
    expect(typeof depth.body.lastUpdateId).toBe("number");

    const trades = await get("/api/v3/trades?symbol=SOLUSDT&limit=10");
    expect(trades.body.length).toBe(10);
    expect(Object.keys(trades.body[0])).toEqual([
      "id",
      "price",
      "qty",
      "quoteQty",
      "time",
      "isBuyerMaker",
      "isBestMatch",
    ]);
    const ids = trades.body.map((t: { id: number }) => t.id);
    expect(ids).toEqual(Array.from({ length: 10 }, (_, i) => ids[0] + i));

    const hist = await get("/api/v3/historicalTrades?symbol=SOLUSDT&fromId=5&limit=3");
    expect(hist.body.map((t: { id: number }) => t.id)).toEqual([5, 6, 7]);
    const t5 = s.sim.groundTruth.trade("SOL-USDT", 5)!;
    expect(hist.body[0]).toMatchObject({
      price: t5.price.toFixed(8),
      qty: t5.amount.toFixed(8),
      time: t5.ts,
      isBuyerMaker: t5.side === "sell",
    });

    const agg = await get(`/api/v3/aggTrades?symbol=SOLUSDT&startTime=${t5.ts}&endTime=${t5.ts}`);
    expect(agg.body.every((a: { T: number }) => a.T === t5.ts)).toBe(true);
    expect(agg.body.map((a: { a: number }) => a.a)).toContain(5);

    const tick = await get("/api/v3/ticker/24hr?symbol=SOLUSDT");
    expect(tick.body).toMatchObject({ symbol: "SOLUSDT", firstId: 1 });
    expect(tick.body.count).toBe(tick.body.lastId);
    const all = await get("/api/v3/ticker/24hr");
    expect(all.body.length).toBe(3);
    expect((await get("/api/v3/ping")).body).toEqual({});
    expect(Math.abs((await get("/api/v3/time")).body.serverTime - Date.now())).toBeLessThan(1000);
  });

  test("Binance errors: unknown symbol, missing symbol, bad interval", async () => {
    expect(await get("/api/v3/depth?symbol=DOGEUSDT")).toMatchObject({
      status: 400,
      body: { code: -1121, msg: "Invalid symbol." },
    });
    expect(await get("/api/v3/trades")).toMatchObject({ status: 400, body: { code: -1102 } });
    expect(await get("/api/v3/klines?symbol=BTCUSDT&interval=7m")).toMatchObject({
      status: 400,
      body: { code: -1120 },
    });
    expect((await get("/api/v3/nothing")).status).toBe(404);
  });
});

describe("REST weight limit", () => {
  test("over the limit: 429 with Retry-After and -1003", async () => {
    const small = await startSimulator({ tradesPerSecond: 0, restWeightLimit: 50 });
    try {
      const a = await fetch(`${small.url}/api/v3/exchangeInfo`);
      const b = await fetch(`${small.url}/api/v3/exchangeInfo`);
      expect([a.status, b.status]).toEqual([200, 200]);
      expect(b.headers.get("X-MBX-USED-WEIGHT-1m")).toBe("40");
      const c = await fetch(`${small.url}/api/v3/exchangeInfo`);
      expect(c.status).toBe(429);
      expect(Number(c.headers.get("Retry-After"))).toBeGreaterThanOrEqual(59);
      expect(c.headers.get("X-MBX-USED-WEIGHT-1m")).toBe("40");
      expect(((await c.json()) as { code: number }).code).toBe(-1003);
      // A lighter call still fits.
      expect((await fetch(`${small.url}/api/v3/ping`)).status).toBe(200);
    } finally {
      await small.stop();
    }
  });
});
