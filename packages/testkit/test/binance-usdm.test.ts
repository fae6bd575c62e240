import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { getAdapter, type ParseContext } from "@tickerplant/core";
import { type StartedSimulator, startSimulator } from "../src/index.ts";
import { usdmLimits } from "../src/simulator/profiles/binance/index.ts";
import { connect, type TestSocket } from "./helpers/ws-client.ts";

type Frame = { stream: string; data: Record<string, unknown> };

let s: StartedSimulator;
// BTC has a spot and a perp market; ETH only a perp (so the unrouted paths resolve it to USD-M)
const MARKETS = ["BTC-USDT", "BTC-USDT-PERP", "ETH-USDT-PERP"];
const binanceUsdm = getAdapter("binance", "perp")!;

beforeAll(async () => {
  s = await startSimulator({ seed: 31, markets: MARKETS, tradesPerSecond: 600 });
  await Bun.sleep(100);
});
afterAll(() => s.stop());

const get = async (path: string) => {
  const r = await fetch(`${s.url}${path}`);
  // biome-ignore lint/suspicious/noExplicitAny: tests read loosely typed JSON
  return { status: r.status, headers: r.headers, body: (await r.json()) as any };
};
const frames = (c: TestSocket, stream?: string) =>
  (c.json() as Frame[]).filter(
    (f) => f.stream !== undefined && (stream === undefined || f.stream === stream),
  );

describe("Binance USD-M streams on the routed paths", () => {
  test("/market aggTrade: every perp trade, exactly the ground truth, futures formatting", async () => {
    const c = await connect(`${s.wsUrl}/market/stream?streams=btcusdt@aggTrade/ethusdt@aggTrade`);
    await c.waitFor(() => c.messages.length >= 150, 3000, "150 aggTrades");
    c.close();
    for (const market of ["BTC-USDT-PERP", "ETH-USDT-PERP"]) {
      const symbol = market.split("-").slice(0, 2).join("");
      const spec = s.sim.generator.spec(market);
      const mine = frames(c, `${symbol.toLowerCase()}@aggTrade`).map((f) => f.data);
      expect(mine.length).toBeGreaterThan(20);
      mine.forEach((d, i) => {
        expect(d.a).toBe((mine[0]!.a as number) + i);
        const t = s.sim.truth.trade(market, d.a as number)!;
        expect(d).toEqual({
          e: "aggTrade",
          E: d.E,
          a: t.id,
          s: symbol,
          p: t.price.toFixed(spec.priceDecimals),
          q: t.amount.toFixed(spec.qtyDecimals),
          f: t.id,
          l: t.id,
          T: t.ts,
          m: t.side === "sell",
        });
      });
    }
    // BTC spot and BTC perp are different markets with different trades
    expect(s.sim.truth.trade("BTC-USDT", 1)).not.toEqual(s.sim.truth.trade("BTC-USDT-PERP", 1));
    const raw = c.messages[0]!;
    expect(raw).toMatch(
      /^\{"stream":"[a-z]+@aggTrade","data":\{"e":"aggTrade","E":\d+,"a":\d+,"s":"[A-Z]+","p":"[\d.]+","q":"[\d.]+","f":\d+,"l":\d+,"T":\d+,"m":(true|false)\}\}$/,
    );
  });

  test("the core adapter reads the simulator's frames: trade id = simulated trade id", async () => {
    const c = await connect(`${s.wsUrl}/market/stream`);
    c.send(
      binanceUsdm.ws.subscribeFrames(
        [
          { channel: "trade", market: "ETH-USDT-PERP" },
          { channel: "deriv", market: "ETH-USDT-PERP" },
          { channel: "ticker", market: "ETH-USDT-PERP" },
          { channel: "candle", market: "ETH-USDT-PERP", interval: "1m" },
        ],
        () => 1,
      )[0],
    );
    await c.waitFor(
      () => ["markPriceUpdate", "24hrTicker", '"kline"'].every((k) => c.messages.some((m) => m.includes(k))),
      3500,
      "deriv, ticker and kline frames",
    );
    c.close();
    const ctx: ParseContext = {
      recvTs: Date.now(),
      marketOf: (x) => (x === "ETHUSDT" ? "ETH-USDT-PERP" : undefined),
      state: new Map(),
    };
    const results = c.messages.map((m) => binanceUsdm.parseFrame(m, ctx));
    expect(results[0]).toEqual({ kind: "ack", id: 1 });
    const msgs = results.slice(1).flatMap((r) => {
      expect(r.kind).toBe("data");
      return r.kind === "data" ? r.messages : [];
    });
    const types = new Set(msgs.map((m) => m.type));
    expect([...types].sort()).toEqual(["candle", "deriv", "ticker", "trade"]);
    for (const m of msgs) {
      if (m.type !== "trade") continue;
      const t = s.sim.truth.trade("ETH-USDT-PERP", Number(m.id))!;
      expect([m.id, m.price, m.amount, m.side, m.ts]).toEqual([
        String(t.id),
        t.price,
        t.amount,
        t.side,
        t.ts,
      ]);
    }
    const d = msgs.find((m) => m.type === "deriv")!;
    expect(d.type === "deriv" && d.openInterest).toBe(null);
  });

  test("/public depth@100ms: pu chains to the previous u; applied on the REST snapshot it gives the book", async () => {
    const market = "BTC-USDT-PERP";
    const c = await connect(`${s.wsUrl}/public/stream?streams=btcusdt@depth@100ms/btcusdt@bookTicker`);
    await c.waitFor(() => frames(c, "btcusdt@depth@100ms").length >= 2, 2000, "two diffs");
    const snap = await get("/fapi/v1/depth?symbol=BTCUSDT&limit=1000");
    expect(snap.status).toBe(200);
    expect(snap.headers.get("x-mbx-used-weight-1m")).not.toBeNull();
    s.sim.pause();
    await Bun.sleep(300); // the last diffs of the paused market arrive
    c.close();
    const diffs = frames(c, "btcusdt@depth@100ms").map((f) => f.data);
    for (let i = 1; i < diffs.length; i++) expect(diffs[i]!.pu).toBe(diffs[i - 1]!.u);
    expect(Object.keys(diffs[0]!)).toEqual(["e", "E", "T", "s", "U", "u", "pu", "b", "a"]);
    const last = snap.body.lastUpdateId as number;
    expect(Object.keys(snap.body)).toEqual(["lastUpdateId", "E", "T", "bids", "asks"]);
    const bids = new Map<string, string>(snap.body.bids);
    const asks = new Map<string, string>(snap.body.asks);
    let applied = 0;
    for (const d of diffs) {
      if ((d.u as number) < last) continue;
      if (applied === 0) expect((d.U as number) <= last && last <= (d.u as number)).toBe(true);
      for (const [p, q] of d.b as [string, string][]) Number(q) === 0 ? bids.delete(p) : bids.set(p, q);
      for (const [p, q] of d.a as [string, string][]) Number(q) === 0 ? asks.delete(p) : asks.set(p, q);
      applied++;
    }
    expect(applied).toBeGreaterThan(0);
    const book = s.sim.generator.book(market).snapshot(5);
    const top = (m: Map<string, string>, desc: boolean) =>
      [...m]
        .map(([p, q]) => [Number(p), Number(q)])
        .sort((a, b) => (desc ? b[0]! - a[0]! : a[0]! - b[0]!))
        .slice(0, 5);
    expect(top(bids, true)).toEqual(book.bids);
    expect(top(asks, false)).toEqual(book.asks);
    const bt = frames(c, "btcusdt@bookTicker").map((f) => f.data);
    expect(bt.length).toBeGreaterThan(0);
    expect(Object.keys(bt[0]!)).toEqual(["e", "u", "s", "b", "B", "a", "A", "T", "E"]);
    s.sim.resume();
  });

  test("a stream on the other route is acknowledged, listed and never delivers", async () => {
    const pub = await connect(`${s.wsUrl}/public/ws`);
    pub.send({ method: "SUBSCRIBE", params: ["btcusdt@markPrice@1s", "btcusdt@aggTrade"], id: 1 });
    pub.send({ method: "LIST_SUBSCRIPTIONS", id: 2 });
    const mkt = await connect(`${s.wsUrl}/market/ws/btcusdt@markPrice@1s`);
    await mkt.waitFor(() => mkt.messages.length >= 1, 2500, "a mark price on /market");
    await Bun.sleep(1200);
    pub.close();
    mkt.close();
    expect(pub.json()).toEqual([
      { result: null, id: 1 },
      { result: ["btcusdt@markPrice@1s", "btcusdt@aggTrade"], id: 2 },
    ]);
    const mp = mkt.json()[0] as Record<string, unknown>;
    expect(Object.keys(mp)).toEqual(["e", "E", "s", "p", "ap", "P", "i", "r", "T", "st"]);
  });

  test("the unrouted /stream (fstream's legacy path) delivers a perp's /public streams only", async () => {
    const c = await connect(
      `${s.wsUrl}/stream?streams=ethusdt@depth@100ms/ethusdt@markPrice@1s/btcusdt@trade`,
    );
    await c.waitFor(
      () => frames(c, "ethusdt@depth@100ms").length >= 3 && frames(c, "btcusdt@trade").length >= 3,
      2500,
      "perp depth and spot trades",
    );
    await Bun.sleep(1200);
    c.send({ method: "LIST_SUBSCRIPTIONS", id: 9 });
    await c.waitFor(() => c.messages.some((m) => m.includes('"id":9')), 2000, "the list");
    c.send({ method: "UNSUBSCRIBE", params: ["ethusdt@depth@100ms"], id: 10 });
    await c.waitFor(() => c.messages.some((m) => m.includes('"id":10')), 2000, "the unsubscribe");
    const atUnsub = frames(c, "ethusdt@depth@100ms").length;
    await Bun.sleep(300);
    c.close();
    expect(frames(c, "ethusdt@markPrice@1s")).toHaveLength(0);
    // futures format (pu) for the perp symbol, spot format (t, M) for the spot symbol
    expect(frames(c, "ethusdt@depth@100ms")[0]!.data.pu).toBeNumber();
    expect(frames(c, "btcusdt@trade")[0]!.data.M).toBe(true);
    expect(frames(c, "ethusdt@depth@100ms").length).toBeLessThanOrEqual(atUnsub + 1);
    expect((c.json() as Array<{ id?: number; result?: unknown }>).find((m) => m.id === 9)!.result).toEqual([
      "ethusdt@depth@100ms",
      "ethusdt@markPrice@1s",
      "btcusdt@trade",
    ]);
  });

  test("markPrice@1s: the generator's deriv state, next funding at 00/08/16 UTC, about once a second", async () => {
    const c = await connect(`${s.wsUrl}/market/ws/ethusdt@markPrice@1s`);
    await c.waitFor(() => c.messages.length >= 2, 3000, "two mark prices");
    const d = s.sim.generator.deriv("ETH-USDT-PERP");
    c.close();
    const [a, b] = c.json() as Array<Record<string, number | string>>;
    expect((b!.E as number) - (a!.E as number)).toBeGreaterThan(700);
    expect((b!.E as number) - (a!.E as number)).toBeLessThan(1600);
    expect(b!.T).toBe(d.nextFundingTime);
    expect((b!.T as number) % (8 * 3_600_000)).toBe(0);
    expect(Math.abs(Number(b!.p) / d.markPrice - 1)).toBeLessThan(0.01);
    expect(Math.abs(Number(b!.i) / Number(b!.p) - 1)).toBeLessThan(4e-4);
    expect(Math.abs(Number(b!.r))).toBeLessThan(3e-4);
  });

  test("forceOrder: at most one per second per symbol, the latest liquidation of the second", async () => {
    const c = await connect(`${s.wsUrl}/market/ws/btcusdt@forceOrder`);
    await c.waitFor(() => c.messages.length >= 2, 5000, "two liquidation snapshots");
    c.close();
    const events = c.json() as Array<{ E: number; o: Record<string, string | number> }>;
    const truth = s.sim.truth.liquidations("BTC-USDT-PERP");
    expect(truth.length).toBeGreaterThan(events.length);
    for (let i = 0; i < events.length; i++) {
      const o = events[i]!.o;
      const l = truth.find((x) => x.ts === o.T && x.price === Number(o.p) && x.amount === Number(o.z))!;
      expect(l).toBeDefined();
      expect(o.S).toBe(l.side === "sell" ? "SELL" : "BUY");
      expect([o.o, o.f, o.X, o.q, o.l, o.ap]).toEqual(["LIMIT", "IOC", "FILLED", o.z, o.z, o.p]);
      // the latest one: every later liquidation happened after the event went out
      const next = truth.find((x) => x.id === l.id + 1);
      if (next) expect(next.ts).toBeGreaterThanOrEqual(events[i]!.E);
      if (i > 0) expect(events[i]!.E - events[i - 1]!.E).toBeGreaterThan(700);
    }
  });
});

describe("Binance USD-M REST on its own weight budget", () => {
  test("fapi weights in X-MBX-USED-WEIGHT-1m, apart from spot's", async () => {
    const spot0 = Number((await get("/api/v3/ping")).headers.get("x-mbx-used-weight-1m"));
    const w0 = Number((await get("/fapi/v1/ping")).headers.get("x-mbx-used-weight-1m"));
    const steps: Array<[string, number]> = [
      ["/fapi/v1/exchangeInfo", 1],
      ["/fapi/v1/depth?symbol=BTCUSDT&limit=5", 2],
      ["/fapi/v1/depth?symbol=BTCUSDT&limit=100", 5],
      ["/fapi/v1/depth?symbol=BTCUSDT", 10],
      ["/fapi/v1/depth?symbol=BTCUSDT&limit=1000", 20],
      ["/fapi/v1/klines?symbol=BTCUSDT&interval=1m&limit=99", 1],
      ["/fapi/v1/klines?symbol=BTCUSDT&interval=1m", 5],
      ["/fapi/v1/klines?symbol=BTCUSDT&interval=1m&limit=1500", 10],
      ["/fapi/v1/aggTrades?symbol=BTCUSDT", 20],
      ["/fapi/v1/trades?symbol=BTCUSDT", 5],
      ["/fapi/v1/openInterest?symbol=BTCUSDT", 1],
      ["/fapi/v1/premiumIndex?symbol=BTCUSDT", 1],
      ["/fapi/v1/ticker/24hr?symbol=BTCUSDT", 1],
    ];
    let expected = w0;
    for (const [path, weight] of steps) {
      const r = await get(path);
      expected += weight;
      expect([path, r.status]).toEqual([path, 200]);
      expect(r.headers.get("x-tickerplant-simulated")).toBe("1");
      expect(Number(r.headers.get("x-mbx-used-weight-1m"))).toBe(expected);
    }
    expect(Number((await get("/api/v3/ping")).headers.get("x-mbx-used-weight-1m"))).toBe(spot0 + 1);
  });

  test("exchangeInfo: the perpetuals with fapi's filters; spot's lists the spot markets", async () => {
    const { body } = await get("/fapi/v1/exchangeInfo");
    expect(body.simulated).toBe(true);
    expect(body.rateLimits[0]).toMatchObject({ rateLimitType: "REQUEST_WEIGHT", limit: 2400 });
    expect(body.symbols.map((x: { symbol: string }) => x.symbol)).toEqual(["BTCUSDT", "ETHUSDT"]);
    const markets = binanceUsdm.rest.parseMarkets(body);
    expect(markets.map((m) => [m.market, m.type, m.status, m.tickSize, m.lotSize])).toEqual([
      ["BTC-USDT-PERP", "perp", "trading", 0.01, 0.00001],
      ["ETH-USDT-PERP", "perp", "trading", 0.01, 0.0001],
    ]);
    const spot = await get("/api/v3/exchangeInfo");
    expect(spot.body.symbols.map((x: { symbol: string }) => x.symbol)).toEqual(["BTCUSDT"]);
  });

  test("aggTrades by id and by window equal the ground truth; a window of an hour is refused", async () => {
    const market = "ETH-USDT-PERP";
    const byId = await get("/fapi/v1/aggTrades?symbol=ETHUSDT&fromId=5&limit=10");
    const truth = s.sim.truth.trades(market, { fromId: 5, limit: 10 });
    const ctx = { recvTs: Date.now(), market };
    expect(
      binanceUsdm.rest.parseTrades(byId.body, ctx).map((t) => [t.id, t.price, t.amount, t.side, t.ts]),
    ).toEqual(truth.map((t) => [String(t.id), t.price, t.amount, t.side, t.ts]));
    const t0 = truth[0]!.ts;
    const req = binanceUsdm.rest.tradesRequest({ market, startTime: t0, endTime: t0 + 10_000_000, limit: 3 });
    const qs = new URLSearchParams(
      Object.entries(req.query).map(([k, v]): [string, string] => [k, String(v)]),
    );
    const byTime = await get(`${req.path}?${qs}`);
    expect(byTime.status).toBe(200);
    expect(byTime.body.map((r: { a: number }) => r.a)).toEqual(
      s.sim.truth.trades(market, { from: t0, limit: 3 }).map((t) => t.id),
    );
    const wide = await get(`/fapi/v1/aggTrades?symbol=ETHUSDT&startTime=${t0}&endTime=${t0 + 3_600_000}`);
    expect([wide.status, wide.body.code]).toEqual([400, -1127]);
    expect((await get("/fapi/v1/aggTrades?symbol=NOPEUSDT")).body).toEqual({
      code: -1121,
      msg: "Invalid symbol.",
    });
    // a spot symbol is not a USD-M symbol
    expect((await get("/fapi/v1/klines?symbol=BTCUSDT&interval=1s")).body.code).toBe(-1120);
  });

  test("openInterest and premiumIndex: the generator's deriv state", async () => {
    const oi = await get("/fapi/v1/openInterest?symbol=BTCUSDT");
    const [d] = binanceUsdm.rest.polls![0]!.parse([oi.body], { recvTs: Date.now(), market: "BTC-USDT-PERP" });
    const now = s.sim.generator.deriv("BTC-USDT-PERP");
    expect(d?.type === "deriv" && Math.abs(d.openInterest! / now.openInterest - 1)).toBeLessThan(0.05);
    const pi = await get("/fapi/v1/premiumIndex?symbol=BTCUSDT");
    expect(pi.body.nextFundingTime).toBe(now.nextFundingTime);
    expect(Object.keys(pi.body)).toEqual([
      "symbol",
      "markPrice",
      "indexPrice",
      "estimatedSettlePrice",
      "lastFundingRate",
      "interestRate",
      "nextFundingTime",
      "time",
    ]);
    expect((await get("/fapi/v1/premiumIndex")).body).toHaveLength(2);
  });
});

describe("USD-M connection rules and budget", () => {
  test("defaults: 3 min pings, 10 min pong timeout, 10 messages/s, 2400 weight; overrides apply to both", () => {
    const spot = {
      pingIntervalMs: 20_000,
      pongTimeoutMs: 60_000,
      maxConnectionAgeMs: 86_400_000,
      maxIncomingPerSecond: 5,
      maxStreamsPerConnection: 1024,
      restWeightLimit: 6000,
      restWeightWindowMs: 60_000,
    };
    expect(usdmLimits(spot)).toEqual({
      rules: {
        pingIntervalMs: 180_000,
        pongTimeoutMs: 600_000,
        maxConnectionAgeMs: 86_400_000,
        maxIncomingPerSecond: 10,
      },
      restWeightLimit: 2400,
    });
    expect(
      usdmLimits({ ...spot, pingIntervalMs: 200, maxIncomingPerSecond: 0, restWeightLimit: 50 }),
    ).toEqual({
      rules: {
        pingIntervalMs: 200,
        pongTimeoutMs: 600_000,
        maxConnectionAgeMs: 86_400_000,
        maxIncomingPerSecond: 0,
      },
      restWeightLimit: 50,
    });
  });

  test("8 messages in a second: fine on /market (10/s), too many on spot's /ws (5/s)", async () => {
    const fut = await connect(`${s.wsUrl}/market/ws`);
    const spot = await connect(`${s.wsUrl}/ws`);
    for (let i = 0; i < 8; i++) {
      fut.send({ method: "LIST_SUBSCRIPTIONS", id: i });
      spot.send({ method: "LIST_SUBSCRIPTIONS", id: i });
    }
    await fut.waitFor(() => fut.messages.length === 8, 2000, "8 answers");
    expect((await spot.closed).code).toBe(1008);
    await Bun.sleep(100);
    expect(fut.isClosed()).toBe(false);
    fut.close();
  });

  test("the 2400 budget: 429 with Retry-After and fapi's body; spot is unaffected", async () => {
    const sim = await startSimulator({ seed: 1, markets: ["SOL-USDT", "SOL-USDT-PERP"], tradesPerSecond: 0 });
    try {
      const call = (p: string) => fetch(`${sim.url}${p}`);
      let last: Response | undefined;
      for (let i = 0; i < 121; i++) last = await call("/fapi/v1/depth?symbol=SOLUSDT&limit=1000"); // 20 each
      expect(last!.status).toBe(429);
      expect(Number(last!.headers.get("retry-after"))).toBeGreaterThan(0);
      expect(last!.headers.get("x-mbx-used-weight-1m")).toBe("2400");
      expect(((await last!.json()) as { code: number }).code).toBe(-1003);
      expect((await call("/api/v3/depth?symbol=SOLUSDT")).status).toBe(200);
      expect((await call("/fapi/v1/ping")).status).toBe(429); // every fapi call draws on the full budget
    } finally {
      await sim.stop();
    }
  });
});
