import { describe, expect, test } from "bun:test";
import { Value } from "@sinclair/typebox/value";
import { ParseError, TransientError } from "../src/errors.ts";
import { kraken } from "../src/exchanges/kraken/index.ts";
import { MarketInfoSchema } from "../src/schemas/market-info.ts";
import { BookSchema, CandleSchema, TradeSchema } from "../src/schemas/messages.ts";

const { rest } = kraken;

// Bodies below follow the shapes documented at docs.kraken.com (api-reference, spot REST market data).

describe("kraken REST spec", () => {
  test("endpoint, budget (≈1 public call per second), page sizes", () => {
    expect(rest.defaultUrl).toBe("https://api.kraken.com");
    expect(rest.limits).toEqual({ budget: 10, windowMs: 10_000 });
    expect(rest.limits.usedHeader).toBeUndefined();
    expect(rest.klinesPageLimit).toBe(720);
  });

  test("Kraken error bodies: retryable ones are TransientError, the rest ParseError", () => {
    const ctx = { recvTs: 1, market: "BTC-USD" };
    expect(() => rest.parseTrades({ error: ["EQuery:Unknown asset pair"] }, ctx)).toThrow(ParseError);
    expect(() => rest.parseTrades({ error: ["EQuery:Unknown asset pair"] }, ctx)).toThrow(
      /Unknown asset pair/,
    );
    expect(() => rest.parseTrades({ error: ["EAPI:Rate limit exceeded"] }, ctx)).toThrow(TransientError);
    expect(() => rest.parseDepth({ error: ["EService:Unavailable"] }, ctx)).toThrow(TransientError);
    expect(() => rest.parseMarkets({ error: ["EGeneral:Too many requests"] })).toThrow(TransientError);
    expect(() => rest.parseMarkets([])).toThrow(ParseError);
    expect(() => rest.parseMarkets({ error: [] })).toThrow(/result/);
    expect(() => rest.parseTrades({ error: [], result: {} }, ctx)).toThrow(/no pair/);
  });
});

describe("markets (AssetPairs)", () => {
  const body = {
    error: [],
    result: {
      XXBTZUSD: {
        altname: "XBTUSD",
        wsname: "XBT/USD",
        base: "XXBT",
        quote: "ZUSD",
        pair_decimals: 1,
        cost_decimals: 5,
        lot_decimals: 8,
        ordermin: "0.00005",
        costmin: "0.5",
        tick_size: "0.1",
        status: "online",
      },
      XDGEUR: {
        altname: "XDGEUR",
        wsname: "XDG/EUR",
        base: "XXDG",
        quote: "ZEUR",
        pair_decimals: 7,
        lot_decimals: 8,
        status: "cancel_only",
      },
      "ETH2.SETH": { altname: "ETH2.SETH", wsname: "ETH2.S/ETH", pair_decimals: 4, lot_decimals: 8 },
      "XBTUSD.d": { altname: "XBTUSD.d", base: "XXBT", quote: "ZUSD", pair_decimals: 1, lot_decimals: 8 },
    },
  };

  test("request", () => {
    expect(rest.marketsRequest()).toEqual({
      method: "GET",
      path: "/0/public/AssetPairs",
      query: {},
      weight: 1,
    });
  });

  test("wsname → market and v2 symbol; tick from tick_size or pair_decimals; status; skips", () => {
    const markets = rest.parseMarkets(body);
    expect(markets).toEqual([
      {
        exchange: "kraken",
        market: "BTC-USD",
        symbol: "BTC/USD",
        base: "BTC",
        quote: "USD",
        type: "spot",
        status: "trading",
        tickSize: 0.1,
        lotSize: 1e-8,
        minNotional: 0.5,
      },
      {
        exchange: "kraken",
        market: "DOGE-EUR",
        symbol: "DOGE/EUR",
        base: "DOGE",
        quote: "EUR",
        type: "spot",
        status: "halted",
        tickSize: 1e-7,
        lotSize: 1e-8,
        minNotional: null,
      },
    ]);
    for (const m of markets) expect(Value.Check(MarketInfoSchema, m)).toBe(true);
    expect(() => rest.parseMarkets({ error: [], result: { X: 7 } })).toThrow(/X is not an object/);
  });
});

describe("klines (OHLC)", () => {
  test("request: pair altname, interval in minutes, since one second before startTime", () => {
    expect(rest.klinesRequest({ market: "BTC-USD", interval: "1h", startTime: 1_700_000_000_000 })).toEqual({
      method: "GET",
      path: "/0/public/OHLC",
      query: { pair: "XBTUSD", interval: 60, since: 1_699_999_999 },
      weight: 1,
    });
    expect(rest.klinesRequest({ market: "ETH-EUR", interval: "1w", endTime: 5, limit: 10 }).query).toEqual({
      pair: "ETHEUR",
      interval: 10080,
    });
    expect(() => rest.klinesRequest({ market: "BTC-USD", interval: "3m" })).toThrow(/interval/);
    expect(() => rest.klinesRequest({ market: "BTC-USD-PERP", interval: "1m" })).toThrow(/perp/);
  });

  test("rows → candles; the last one still open", () => {
    const body = {
      error: [],
      result: {
        XXBTZUSD: [
          [1700000040, "37000.1", "37010.0", "36990.5", "37005.0", "37001.23456", "1.50000000", 12],
          [1700000100, "37005.0", "37005.0", "37005.0", "37005.0", "0.00000", "0.00000000", 0],
          [1700000160, "37005.0", "37020.0", "37000.0", "37019.9", "37012.00000", "0.25000000", 3],
        ],
        last: 1700000100,
      },
    };
    const recvTs = 1700000190_000;
    const candles = rest.parseKlines(body, { recvTs, market: "BTC-USD", interval: "1m" });
    expect(candles[0]).toEqual({
      type: "candle",
      exchange: "kraken",
      market: "BTC-USD",
      symbol: "BTC/USD",
      ts: 1700000099999,
      recvTs,
      interval: "1m",
      openTime: 1700000040000,
      closeTime: 1700000099999,
      open: 37000.1,
      high: 37010,
      low: 36990.5,
      close: 37005,
      volume: 1.5,
      quoteVolume: 37001.23456 * 1.5,
      trades: 12,
      closed: true,
    });
    expect(candles.map((c) => [c.closed, c.ts, c.trades])).toEqual([
      [true, 1700000099999, 12],
      [true, 1700000159999, 0],
      [false, recvTs, 3],
    ]);
    for (const c of candles) expect(Value.Check(CandleSchema, c)).toBe(true);
    const ctx = { recvTs, market: "BTC-USD", interval: "1m" as const };
    expect(() => rest.parseKlines({ error: [], result: { X: [[1, "a"]] } }, ctx)).toThrow(/row 0/);
    expect(() =>
      rest.parseKlines({ error: [], result: { X: [[1, "a", "1", "1", "1", "1", "1", 1]] } }, ctx),
    ).toThrow(ParseError);
    expect(() => rest.parseKlines({ error: [], result: { X: {} } }, ctx)).toThrow(/rows/);
  });
});

describe("trades", () => {
  test("request: since in nanoseconds (as a string, 1 ns before startTime), count ≤ 1000; no paging by id", () => {
    expect(rest.tradesRequest({ market: "BTC-USD", startTime: 1_762_795_433_971, limit: 5000 })).toEqual({
      method: "GET",
      path: "/0/public/Trades",
      query: { pair: "XBTUSD", since: "1762795433970999999", count: 1000 },
      weight: 1,
    });
    expect(rest.tradesRequest({ market: "ETH-USD", limit: 10 }).query).toEqual({ pair: "ETHUSD", count: 10 });
    expect(rest.tradesRequest({ market: "ETH-USD", startTime: 5, fromId: "9" }).query.since).toBe("4999999");
    expect(rest.tradesRequest({ market: "ETH-USD", startTime: 0 }).query.since).toBe("0");
    expect(() => rest.tradesRequest({ market: "ETH-USD", fromId: "10218208" })).toThrow(/since/);
  });

  test("rows → trades with the trade_id WebSocket v2 also sends", () => {
    const body = {
      error: [],
      result: {
        XXBTZUSD: [
          ["105433.60000", "0.00027625", 1762795433.9717445, "b", "l", "", 10218208],
          ["105383.70000", "0.00007235", 1762795483.306824, "s", "m", "", 10218212],
        ],
        last: "1762795483306824000",
      },
    };
    const trades = rest.parseTrades(body, { recvTs: 7, market: "BTC-USD" });
    expect(trades).toEqual([
      {
        type: "trade",
        exchange: "kraken",
        market: "BTC-USD",
        symbol: "BTC/USD",
        ts: 1762795433971.745,
        recvTs: 7,
        id: "10218208",
        price: 105433.6,
        amount: 0.00027625,
        side: "buy",
      },
      {
        type: "trade",
        exchange: "kraken",
        market: "BTC-USD",
        symbol: "BTC/USD",
        ts: 1762795483306.824,
        recvTs: 7,
        id: "10218212",
        price: 105383.7,
        amount: 0.00007235,
        side: "sell",
      },
    ]);
    for (const t of trades) expect(Value.Check(TradeSchema, t)).toBe(true);
    const ctx = { recvTs: 7, market: "BTC-USD" };
    // rows without trade_id (before 2023) cannot be matched with the stream
    expect(() =>
      rest.parseTrades({ error: [], result: { X: [["1", "1", 1.5, "b", "l", ""]] } }, ctx),
    ).toThrow(/row 0/);
    expect(() =>
      rest.parseTrades({ error: [], result: { X: [["1", "1", 1.5, "x", "l", "", 1]] } }, ctx),
    ).toThrow(/side/);
  });
});

describe("depth", () => {
  test("request: count clamped to 1..500", () => {
    expect(rest.depthRequest("BTC-USD", 100)).toEqual({
      method: "GET",
      path: "/0/public/Depth",
      query: { pair: "XBTUSD", count: 100 },
      weight: 1,
    });
    expect(rest.depthRequest("BTC-USD", 5000).query.count).toBe(500);
    expect(rest.depthRequest("BTC-USD", 0).query.count).toBe(1);
  });

  test("asks/bids → snapshot with exact strings, seq = latest level time in µs", () => {
    const body = {
      error: [],
      result: {
        XXBTZUSD: {
          asks: [
            ["105944.30000", "0.136", 1762820248],
            ["105946.90000", "0.095", 1762820191],
          ],
          bids: [
            ["105944.20000", "0.002", 1762820233],
            ["105918.80000", "0.095", 1762820249],
          ],
        },
      },
    };
    const book = rest.parseDepth(body, { recvTs: 99, market: "BTC-USD" });
    expect(book).toEqual({
      type: "book",
      exchange: "kraken",
      market: "BTC-USD",
      symbol: "BTC/USD",
      ts: 99,
      recvTs: 99,
      kind: "snapshot",
      seq: 1762820249_000_000,
      prevSeq: null,
      bids: [
        [105944.2, 0.002],
        [105918.8, 0.095],
      ],
      asks: [
        [105944.3, 0.136],
        [105946.9, 0.095],
      ],
      exact: {
        bids: [
          ["105944.20000", "0.002"],
          ["105918.80000", "0.095"],
        ],
        asks: [
          ["105944.30000", "0.136"],
          ["105946.90000", "0.095"],
        ],
      },
    });
    expect(Value.Check(BookSchema, book)).toBe(true);
    const ctx = { recvTs: 1, market: "BTC-USD" };
    expect(() => rest.parseDepth({ error: [], result: { X: { asks: [], bids: 7 } } }, ctx)).toThrow(/bids/);
    expect(() => rest.parseDepth({ error: [], result: { X: { asks: [["1"]], bids: [] } } }, ctx)).toThrow(
      /asks/,
    );
    expect(() => rest.parseDepth({ error: [], result: { X: [] } }, ctx)).toThrow(ParseError);
  });
});
