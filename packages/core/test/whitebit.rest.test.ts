import { describe, expect, test } from "bun:test";
import { Value } from "@sinclair/typebox/value";
import { ParseError } from "../src/errors.ts";
import { whitebit } from "../src/exchanges/whitebit/index.ts";
import { MarketInfoSchema } from "../src/schemas/market-info.ts";
import { CandleSchema, TradeSchema } from "../src/schemas/messages.ts";

/**
 * Request builders and parsers. The bodies are WhiteBIT's documented response examples
 * (docs.whitebit.com openapi/public/http-v1.yaml, http-v4.yaml); the recorded order book body is
 * covered in whitebit.parse.test.ts.
 */

const { rest } = whitebit;
const RECV_TS = 1_800_000_000_000;

/** A documented-shape kline answer: three 1m rows, oldest first. */
const KLINES_BODY = {
  success: true,
  message: "",
  result: [
    [1591488000, "0.025025", "0.025025", "0.025029", "0.025023", "6.181", "0.154686629"],
    [1591488060, "0.025028", "0.025033", "0.025035", "0.025026", "8.067", "0.201921167"],
    [1591488120, "0.025034", "0.02505", "0.02505", "0.025034", "20.089", "0.503114696"],
  ],
};

describe("whitebit REST spec", () => {
  test("endpoint and limits: one budget of 2000 per 10 s, v1 calls cost 2, the order book 4", () => {
    expect(rest.defaultUrl).toBe("https://whitebit.com");
    expect(rest.limits).toEqual({ budget: 2000, windowMs: 10_000 });
    expect(rest.klinesPageLimit).toBe(1440);
  });
});

describe("markets", () => {
  test("request", () => {
    expect(rest.marketsRequest()).toEqual({
      method: "GET",
      path: "/api/v4/public/markets",
      query: {},
      weight: 1,
    });
  });

  test("spot markets only; tick/lot from tickSize/stepSize, else from the precisions", () => {
    const body = [
      {
        name: "SON_USD",
        stock: "SON",
        money: "USD",
        stockPrec: "3",
        moneyPrec: "2",
        feePrec: "4",
        makerFee: "0.1",
        takerFee: "0.1",
        minAmount: "0.001",
        minTotal: "0.001",
        maxTotal: "10000000000",
        tradesEnabled: true,
        isCollateral: true,
        type: "spot",
        isTradFiFutures: false,
        delistedAt: 1786752000,
        tickSize: "0.01",
        stepSize: "0.001",
      },
      { name: "BTC_PERP", stock: "BTC", money: "USDT", type: "futures", tickSize: "0.1", stepSize: "0.001" },
      { name: "AAPL_PERP", stock: "AAPL", money: "USDT", type: "tradfiFutures" },
      {
        name: "ETH_BTC",
        stock: "ETH",
        money: "BTC",
        stockPrec: "3",
        moneyPrec: "6",
        minTotal: "0",
        tickSize: "",
        stepSize: "",
        tradesEnabled: false,
        type: "spot",
      },
      { name: "X-Y_USDT", stock: "X-Y", money: "USDT", type: "spot" },
    ];
    const markets = rest.parseMarkets(body);
    expect(markets).toEqual([
      {
        exchange: "whitebit",
        market: "SON-USD",
        symbol: "SON_USD",
        base: "SON",
        quote: "USD",
        type: "spot",
        status: "trading",
        tickSize: 0.01,
        lotSize: 0.001,
        minNotional: 0.001,
      },
      {
        exchange: "whitebit",
        market: "ETH-BTC",
        symbol: "ETH_BTC",
        base: "ETH",
        quote: "BTC",
        type: "spot",
        status: "halted",
        tickSize: 0.000001,
        lotSize: 0.001,
        minNotional: null,
      },
    ]);
    for (const m of markets) expect(Value.Check(MarketInfoSchema, m)).toBe(true);
    expect(() => rest.parseMarkets({ success: true })).toThrow(ParseError);
    expect(() => rest.parseMarkets([{ name: 1 }])).toThrow(/\[0\]/);
  });
});

describe("klines", () => {
  test("GET /api/v1/public/kline, seconds, pages forward from start; 1s is WebSocket only", () => {
    expect(
      rest.klinesRequest({ market: "BTC-USDT", interval: "1m", startTime: 1631440800000, limit: 10 }),
    ).toEqual({
      method: "GET",
      path: "/api/v1/public/kline",
      query: { market: "BTC_USDT", interval: "1m", start: 1631440800, end: 1631440800 + 9 * 60, limit: 10 },
      weight: 2,
    });
    // an endTime inside the page bounds it; limit capped at 1440
    expect(
      rest.klinesRequest({
        market: "BTC-USDT",
        interval: "1h",
        startTime: 1631440800000,
        endTime: 1631448000999,
        limit: 5000,
      }).query,
    ).toEqual({ market: "BTC_USDT", interval: "1h", start: 1631440800, end: 1631448000, limit: 1440 });
    // only an end: the page ends there
    expect(
      rest.klinesRequest({ market: "BTC-USDT", interval: "1d", endTime: 1631448000000, limit: 3 }).query,
    ).toEqual({
      market: "BTC_USDT",
      interval: "1d",
      start: 1631448000 - 2 * 86400,
      end: 1631448000,
      limit: 3,
    });
    expect(rest.klinesRequest({ market: "ETH-BTC", interval: "1M" }).query).toEqual({
      market: "ETH_BTC",
      interval: "1M",
      limit: 1440,
    });
    expect(() => rest.klinesRequest({ market: "BTC-USDT", interval: "1s" })).toThrow(/1s/);
    expect(() => rest.klinesRequest({ market: "BTC-USDT-PERP", interval: "1m" })).toThrow(/perp/);
  });

  test("rows [time, open, close, high, low, volume, deal] → candles; the last one still open", () => {
    const body = KLINES_BODY;
    const recvTs = 1591488150000; // during the third minute
    const candles = rest.parseKlines(body, { recvTs, market: "ETH-BTC", interval: "1m" });
    expect(candles[0]).toEqual({
      type: "candle",
      exchange: "whitebit",
      market: "ETH-BTC",
      symbol: "ETH_BTC",
      ts: 1591488059999,
      recvTs,
      interval: "1m",
      openTime: 1591488000000,
      closeTime: 1591488059999,
      open: 0.025025,
      high: 0.025029,
      low: 0.025023,
      close: 0.025025,
      volume: 6.181,
      quoteVolume: 0.154686629,
      trades: null,
      closed: true,
    });
    expect(candles.map((c) => [c.close, c.closed, c.ts])).toEqual([
      [0.025025, true, 1591488059999],
      [0.025033, true, 1591488119999],
      [0.02505, false, recvTs],
    ]);
    for (const c of candles) expect(Value.Check(CandleSchema, c)).toBe(true);
  });

  test("refusals and bad rows throw ParseError", () => {
    const ctx = { recvTs: RECV_TS, market: "BTC-USDT", interval: "1m" as const };
    expect(() =>
      rest.parseKlines(
        { success: false, message: { market: ["Market is not available."] }, result: null },
        ctx,
      ),
    ).toThrow(/Market is not available/);
    expect(() => rest.parseKlines([], ctx)).toThrow(ParseError);
    expect(() => rest.parseKlines({ success: true, result: {} }, ctx)).toThrow(/not an array/);
    expect(() => rest.parseKlines({ success: true, result: [[1, "1"]] }, ctx)).toThrow(/row 0/);
    expect(() =>
      rest.parseKlines({ success: true, result: [[1.5, "1", "1", "1", "1", "1", "1"]] }, ctx),
    ).toThrow(/non-numeric/);
    expect(rest.parseKlines({ success: true, message: "", result: [] }, ctx)).toEqual([]);
  });
});

describe("trades", () => {
  test("recent: GET /api/v4/public/trades/{market} (the last 100, no limit parameter)", () => {
    expect(rest.tradesRequest({ market: "BTC-USDT", limit: 10, startTime: 1 })).toEqual({
      method: "GET",
      path: "/api/v4/public/trades/BTC_USDT",
      query: {},
      weight: 1,
    });
  });

  test("after an id: GET /api/v1/public/history?lastId=fromId-1, limit ≤ 100", () => {
    expect(rest.tradesRequest({ market: "ETH-BTC", fromId: "156720315", limit: 500 })).toEqual({
      method: "GET",
      path: "/api/v1/public/history",
      query: { market: "ETH_BTC", lastId: 156720314, limit: 100 },
      weight: 2,
    });
    expect(rest.tradesRequest({ market: "ETH-BTC", fromId: "7", limit: 20 }).query.limit).toBe(20);
    expect(() => rest.tradesRequest({ market: "ETH-BTC", fromId: "abc" })).toThrow(/fromId/);
    expect(() => rest.tradesRequest({ market: "ETH-BTC", fromId: "0" })).toThrow(/fromId/);
  });

  test("v4 body: quote_volume is the base amount (WhiteBIT's reversed naming); whole-second times; oldest first", () => {
    const body = [
      {
        tradeID: 158056419,
        price: "9186.13",
        quote_volume: "0.0021",
        base_volume: "19.29",
        trade_timestamp: 1594391747,
        type: "sell",
        rpi: true,
      },
      {
        tradeID: 158056416,
        price: "9186.13",
        quote_volume: "0.002751",
        base_volume: "25.27",
        trade_timestamp: 1594391746,
        type: "buy",
        rpi: false,
      },
    ];
    const trades = rest.parseTrades(body, { recvTs: RECV_TS, market: "BTC-USDT" });
    expect(trades).toEqual([
      {
        type: "trade",
        exchange: "whitebit",
        market: "BTC-USDT",
        symbol: "BTC_USDT",
        ts: 1594391746000,
        recvTs: RECV_TS,
        id: "158056416",
        price: 9186.13,
        amount: 0.002751,
        side: "buy",
      },
      {
        type: "trade",
        exchange: "whitebit",
        market: "BTC-USDT",
        symbol: "BTC_USDT",
        ts: 1594391747000,
        recvTs: RECV_TS,
        id: "158056419",
        price: 9186.13,
        amount: 0.0021,
        side: "sell",
      },
    ]);
    for (const t of trades) expect(Value.Check(TradeSchema, t)).toBe(true);
  });

  test("v1 history body: fractional-second times like the WebSocket's", () => {
    const body = {
      success: true,
      message: null,
      result: [
        { id: 156720314, time: 1594240477.849703, price: "9429.66", amount: "0.002784", type: "sell" },
        { id: 156720313, time: 1594240476.5, price: "9429.7", amount: "0.1", type: "buy" },
      ],
    };
    const trades = rest.parseTrades(body, { recvTs: RECV_TS, market: "BTC-USDT" });
    expect(trades.map((t) => [t.id, t.ts, t.price, t.amount, t.side])).toEqual([
      ["156720313", 1594240476500, 9429.7, 0.1, "buy"],
      ["156720314", 1594240477849.703, 9429.66, 0.002784, "sell"],
    ]);
  });

  test("bad bodies throw ParseError", () => {
    const ctx = { recvTs: RECV_TS, market: "BTC-USDT" };
    expect(() => rest.parseTrades({ market: ["Market is not available."] }, ctx)).toThrow(ParseError);
    expect(() => rest.parseTrades([5], ctx)).toThrow(/row 0/);
    expect(() =>
      rest.parseTrades([{ tradeID: 1, price: "1", quote_volume: "1", trade_timestamp: 1, type: "x" }], ctx),
    ).toThrow(/row 0/);
    expect(() =>
      rest.parseTrades(
        { success: true, result: [{ id: 1, time: "x", price: "1", amount: "1", type: "buy" }] },
        ctx,
      ),
    ).toThrow(/row 0/);
  });
});

describe("depth", () => {
  test("GET /api/v4/public/orderbook/{market}?limit (≤ 100), cost 4", () => {
    expect(rest.depthRequest("BTC-USDT", 5000)).toEqual({
      method: "GET",
      path: "/api/v4/public/orderbook/BTC_USDT",
      query: { limit: 100 },
      weight: 4,
    });
    expect(rest.depthRequest("BTC-USDT", 20).query).toEqual({ limit: 20 });
  });

  test("bad bodies throw ParseError", () => {
    const ctx = { recvTs: RECV_TS, market: "BTC-USDT" };
    expect(() => rest.parseDepth([], ctx)).toThrow(ParseError);
    expect(() => rest.parseDepth({ asks: [], bids: "x" }, ctx)).toThrow(/bids/);
    expect(() => rest.parseDepth({ asks: [[1]], bids: [] }, ctx)).toThrow(/asks/);
    expect(() => rest.parseDepth({ asks: [], bids: [], timestamp: "now" }, ctx)).toThrow(/timestamp/);
    expect(rest.parseDepth({ asks: [], bids: [] }, ctx).ts).toBe(RECV_TS);
  });
});

describe("candles poll: the final 1m candles (the stream's close misses its last ≤ 0.5 s)", () => {
  const poll = rest.polls?.find((p) => p.name === "candles");
  const body = KLINES_BODY;

  test("one kline request for the window, in seconds", () => {
    expect(rest.polls?.map((p) => p.name)).toEqual(["candles"]);
    expect(poll!.requests({ market: "ETH-BTC", from: 1591488000000, to: 1591488150000 })).toEqual([
      rest.klinesRequest({
        market: "ETH-BTC",
        interval: "1m",
        startTime: 1591488000000,
        endTime: 1591488150000,
      }),
    ]);
  });

  test("only candles closed 5 s or more: the stream's own close of the latest one must not land after", () => {
    // 2 s after the second minute closed: the first is final, the second too recent, the third open
    const candles = poll!.parse([body], { recvTs: 1591488122000, market: "ETH-BTC" });
    expect(candles.map((c) => c.type === "candle" && [c.openTime, c.ts, c.closed])).toEqual([
      [1591488000000, 1591488059999, true],
    ]);
    // the next poll (its window reaches back) publishes the second
    const later = poll!.parse([body], { recvTs: 1591488126000, market: "ETH-BTC" });
    expect(later.map((c) => c.type === "candle" && c.openTime)).toEqual([1591488000000, 1591488060000]);
    for (const c of later) expect(Value.Check(CandleSchema, c)).toBe(true);
  });
});
