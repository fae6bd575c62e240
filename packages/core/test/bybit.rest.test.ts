import { describe, expect, test } from "bun:test";
import { Value } from "@sinclair/typebox/value";
import { ParseError, TransientError } from "../src/errors.ts";
import { bybitLinear, bybitSpot } from "../src/exchanges/bybit/index.ts";
import { MarketInfoSchema } from "../src/schemas/market-info.ts";
import { BookSchema, CandleSchema, TradeSchema } from "../src/schemas/messages.ts";

/** The response bodies below are the examples of Bybit's v5 market documentation (bybit-exchange/docs). */

const spot = bybitSpot.rest;
const linear = bybitLinear.rest;

describe("bybit REST spec", () => {
  test("endpoint and limits: 600 requests per 5 s, no used-weight header, 403 = over the limit (10 min ban)", () => {
    for (const r of [spot, linear]) {
      expect(r.defaultUrl).toBe("https://api.bybit.com");
      expect(r.limits).toEqual({
        budget: 600,
        windowMs: 5000,
        rateLimitStatuses: [403],
        rateLimitBackoffMs: 600_000,
      });
      expect(r.klinesPageLimit).toBe(1000);
    }
  });
});

describe("markets", () => {
  test("requests: spot without paging, linear with limit 1000", () => {
    expect(spot.marketsRequest()).toEqual({
      method: "GET",
      path: "/v5/market/instruments-info",
      query: { category: "spot" },
      weight: 1,
    });
    expect(linear.marketsRequest().query).toEqual({ category: "linear", limit: 1000 });
  });

  test("spot: tick size, base precision as lot, min order amount", () => {
    const body = {
      retCode: 0,
      retMsg: "OK",
      result: {
        category: "spot",
        list: [
          {
            symbol: "BTCUSDT",
            baseCoin: "BTC",
            quoteCoin: "USDT",
            innovation: "0",
            status: "Trading",
            marginTrading: "utaOnly",
            lotSizeFilter: {
              basePrecision: "0.000001",
              quotePrecision: "0.00000001",
              minOrderQty: "0.000048",
              maxOrderQty: "71.73956243",
              minOrderAmt: "1",
              maxOrderAmt: "2000000",
            },
            priceFilter: { tickSize: "0.01" },
          },
          { symbol: "ΔUSDT", baseCoin: "Δ", quoteCoin: "USDT", status: "Trading" }, // no market name: skipped
        ],
      },
      retExtInfo: {},
      time: 1672712468011,
    };
    const markets = spot.parseMarkets(body);
    expect(markets).toEqual([
      {
        exchange: "bybit",
        market: "BTC-USDT",
        symbol: "BTCUSDT",
        base: "BTC",
        quote: "USDT",
        type: "spot",
        status: "trading",
        tickSize: 0.01,
        lotSize: 0.000001,
        minNotional: 1,
      },
    ]);
    for (const m of markets) expect(Value.Check(MarketInfoSchema, m)).toBe(true);
  });

  test("linear: perpetuals (USDT and USDC) and dated futures; statuses", () => {
    const base = {
      priceFilter: { minPrice: "0.10", maxPrice: "199999.80", tickSize: "0.10" },
      lotSizeFilter: {
        maxOrderQty: "100.000",
        minOrderQty: "0.001",
        qtyStep: "0.001",
        minNotionalValue: "5",
      },
    };
    const body = {
      retCode: 0,
      retMsg: "OK",
      result: {
        category: "linear",
        nextPageCursor: "",
        list: [
          {
            ...base,
            symbol: "BTCUSDT",
            contractType: "LinearPerpetual",
            status: "Trading",
            baseCoin: "BTC",
            quoteCoin: "USDT",
            settleCoin: "USDT",
            deliveryTime: "0",
          },
          {
            ...base,
            symbol: "BTCPERP",
            contractType: "LinearPerpetual",
            status: "Trading",
            baseCoin: "BTC",
            quoteCoin: "USDC",
            settleCoin: "USDC",
            deliveryTime: "0",
          },
          {
            ...base,
            symbol: "BTCUSDT-26DEC25",
            contractType: "LinearFutures",
            status: "Delivering",
            baseCoin: "BTC",
            quoteCoin: "USDT",
            settleCoin: "USDT",
            deliveryTime: "1766736000000",
          },
          {
            ...base,
            symbol: "XUSDT",
            contractType: "LinearPerpetual",
            status: "PreLaunch",
            baseCoin: "X",
            quoteCoin: "USDT",
            settleCoin: "USDT",
          },
          {
            ...base,
            symbol: "YUSDT",
            contractType: "LinearPerpetual",
            status: "Closed",
            baseCoin: "Y",
            quoteCoin: "USDT",
            settleCoin: "USDT",
          },
          {
            ...base,
            symbol: "ZUSD",
            contractType: "InversePerpetual",
            status: "Trading",
            baseCoin: "Z",
            quoteCoin: "USD",
            settleCoin: "Z",
          },
        ],
      },
    };
    const markets = linear.parseMarkets(body);
    expect(markets.map((m) => [m.market, m.symbol, m.type, m.status])).toEqual([
      ["BTC-USDT-PERP", "BTCUSDT", "perp", "trading"],
      ["BTC-USDC-PERP", "BTCPERP", "perp", "trading"],
      ["BTC-USDT-251226", "BTCUSDT-26DEC25", "future", "halted"],
      ["X-USDT-PERP", "XUSDT", "perp", "halted"],
      ["Y-USDT-PERP", "YUSDT", "perp", "delisted"],
    ]);
    expect(markets[0]).toMatchObject({ tickSize: 0.1, lotSize: 0.001, minNotional: 5 });
    // our own symbol mapping agrees with the list
    for (const m of markets) expect(bybitLinear.symbolOf(m.market)).toBe(m.symbol);
    for (const m of markets) expect(Value.Check(MarketInfoSchema, m)).toBe(true);
  });

  test("bad bodies throw ParseError; too-many-visits is transient", () => {
    expect(() => spot.parseMarkets([])).toThrow(ParseError);
    expect(() => spot.parseMarkets({ retCode: 10001, retMsg: "params error" })).toThrow(/10001/);
    expect(() => spot.parseMarkets({ retCode: 0, result: {} })).toThrow(/list/);
    expect(() => spot.parseMarkets({ retCode: 0, result: { list: [{ symbol: 1 }] } })).toThrow(/list\[0\]/);
    const busy = (() => {
      try {
        spot.parseMarkets({ retCode: 10006, retMsg: "Too many visits!" });
      } catch (e) {
        return e;
      }
    })();
    expect(busy).toBeInstanceOf(TransientError);
    expect((busy as TransientError).retryable).toBe(true);
  });
});

describe("klines", () => {
  test("request: interval names, limit ≤ 1000, end capped so a page starts at start (forward paging)", () => {
    expect(
      linear.klinesRequest({ market: "BTC-USDT-PERP", interval: "1h", startTime: 1670601600000 }),
    ).toEqual({
      method: "GET",
      path: "/v5/market/kline",
      query: {
        category: "linear",
        symbol: "BTCUSDT",
        interval: "60",
        start: 1670601600000,
        end: 1670601600000 + 1000 * 3_600_000 - 1,
        limit: 1000,
      },
      weight: 1,
    });
    // an earlier end wins
    expect(
      spot.klinesRequest({
        market: "BTC-USDT",
        interval: "1m",
        startTime: 1670601600000,
        endTime: 1670601900000,
        limit: 5000,
      }).query,
    ).toEqual({
      category: "spot",
      symbol: "BTCUSDT",
      interval: "1",
      start: 1670601600000,
      end: 1670601900000,
      limit: 1000,
    });
    // months count 28 days, so a page never holds more than `limit` candles
    expect(
      spot.klinesRequest({ market: "BTC-USDT", interval: "1M", startTime: 0, limit: 10 }).query.end,
    ).toBe(10 * 28 * 86_400_000 - 1);
    expect(spot.klinesRequest({ market: "BTC-USDT", interval: "1w", limit: 3 }).query).toEqual({
      category: "spot",
      symbol: "BTCUSDT",
      interval: "W",
      limit: 3,
    });
    expect(() => spot.klinesRequest({ market: "BTC-USDT", interval: "1s" })).toThrow(/interval/);
    expect(() => spot.klinesRequest({ market: "BTC-USDT-PERP", interval: "1m" })).toThrow(/perp/);
  });

  test("the documented response: newest first → candles oldest first; the last still open", () => {
    const body = {
      retCode: 0,
      retMsg: "OK",
      result: {
        symbol: "BTCUSDT",
        category: "linear",
        list: [
          ["1670608800000", "17071", "17073", "17027", "17055.5", "268611", "15.74462667"],
          ["1670605200000", "17071.5", "17071.5", "17061", "17071", "4177", "0.24469757"],
          ["1670601600000", "17086.5", "17088", "16978", "17071.5", "6356", "0.37288112"],
        ],
      },
      retExtInfo: {},
      time: 1672025956592,
    };
    const recvTs = 1670609000000; // inside the newest hour
    const candles = linear.parseKlines(body, { recvTs, market: "BTC-USDT-PERP", interval: "1h" });
    expect(candles.map((c) => c.openTime)).toEqual([1670601600000, 1670605200000, 1670608800000]);
    expect(candles[0]).toEqual({
      type: "candle",
      exchange: "bybit",
      market: "BTC-USDT-PERP",
      symbol: "BTCUSDT",
      ts: 1670605199999,
      recvTs,
      interval: "1h",
      openTime: 1670601600000,
      closeTime: 1670605199999,
      open: 17086.5,
      high: 17088,
      low: 16978,
      close: 17071.5,
      volume: 6356,
      quoteVolume: 0.37288112,
      trades: null,
      closed: true,
    });
    expect(candles.map((c) => c.closed)).toEqual([true, true, false]);
    expect(candles[2]!.ts).toBe(recvTs);
    for (const c of candles) expect(Value.Check(CandleSchema, c)).toBe(true);
  });

  test("bad bodies", () => {
    const ctx = { recvTs: 1, market: "BTC-USDT", interval: "1m" as const };
    expect(() => spot.parseKlines({ retCode: 10001, retMsg: "Illegal category" }, ctx)).toThrow(ParseError);
    expect(() => spot.parseKlines({ retCode: 0, result: { list: [["1", "2"]] } }, ctx)).toThrow(/row 0/);
    expect(() =>
      spot.parseKlines({ retCode: 0, result: { list: [["1", "x", "1", "1", "1", "1", "1"]] } }, ctx),
    ).toThrow(/non-numeric/);
    expect(() => spot.parseKlines({ retCode: 0, result: { list: [] } }, { ...ctx, interval: "8h" })).toThrow(
      /interval/,
    );
  });
});

describe("trades", () => {
  test("request: recent trades only (spot ≤ 60, linear ≤ 1000); no history by id or time", () => {
    expect(spot.tradesRequest({ market: "BTC-USDT" })).toEqual({
      method: "GET",
      path: "/v5/market/recent-trade",
      query: { category: "spot", symbol: "BTCUSDT", limit: 60 },
      weight: 1,
    });
    expect(
      linear.tradesRequest({ market: "BTC-USDT-PERP", fromId: "x", startTime: 1, limit: 5000 }).query,
    ).toEqual({
      category: "linear",
      symbol: "BTCUSDT",
      limit: 1000,
    });
    expect(linear.tradesRequest({ market: "ETH-USDT-PERP", limit: 7 }).query.limit).toBe(7);
  });

  test("the documented response, newest first → oldest first; taker side", () => {
    const body = {
      retCode: 0,
      retMsg: "OK",
      result: {
        category: "spot",
        list: [
          {
            execId: "2100000000007764264",
            symbol: "BTCUSDT",
            price: "16618.50",
            size: "0.1",
            side: "Sell",
            time: "1672052955759",
            isBlockTrade: false,
          },
          {
            execId: "2100000000007764263",
            symbol: "BTCUSDT",
            price: "16618.49",
            size: "0.00012",
            side: "Buy",
            time: "1672052955758",
            isBlockTrade: false,
          },
        ],
      },
      retExtInfo: {},
      time: 1672053054358,
    };
    const trades = spot.parseTrades(body, { recvTs: 5, market: "BTC-USDT" });
    expect(trades).toEqual([
      {
        type: "trade",
        exchange: "bybit",
        market: "BTC-USDT",
        symbol: "BTCUSDT",
        ts: 1672052955758,
        recvTs: 5,
        id: "2100000000007764263",
        price: 16618.49,
        amount: 0.00012,
        side: "buy",
      },
      {
        type: "trade",
        exchange: "bybit",
        market: "BTC-USDT",
        symbol: "BTCUSDT",
        ts: 1672052955759,
        recvTs: 5,
        id: "2100000000007764264",
        price: 16618.5,
        amount: 0.1,
        side: "sell",
      },
    ]);
    for (const t of trades) expect(Value.Check(TradeSchema, t)).toBe(true);
  });

  test("bad bodies", () => {
    const ctx = { recvTs: 1, market: "BTC-USDT" };
    const row = { execId: "1", symbol: "BTCUSDT", price: "1", size: "1", side: "Buy", time: "1" };
    expect(() => spot.parseTrades({ retCode: 0, result: { list: [{ ...row, side: "buy" }] } }, ctx)).toThrow(
      /row 0/,
    );
    expect(() => spot.parseTrades({ retCode: 0, result: { list: [{ ...row, execId: 1 }] } }, ctx)).toThrow(
      ParseError,
    );
    expect(() =>
      spot.parseTrades({ retCode: 0, result: { list: [{ ...row, symbol: "ETHUSDT" }] } }, ctx),
    ).toThrow(/ETHUSDT/);
    expect(() => spot.parseTrades({ retCode: 0, result: { list: [7] } }, ctx)).toThrow(/not an object/);
  });
});

describe("depth", () => {
  test("request: limit clamped to 1..1000", () => {
    expect(linear.depthRequest("BTC-USDT-PERP", 1000)).toEqual({
      method: "GET",
      path: "/v5/market/orderbook",
      query: { category: "linear", symbol: "BTCUSDT", limit: 1000 },
      weight: 1,
    });
    expect(spot.depthRequest("BTC-USDT", 5000).query.limit).toBe(1000);
    expect(spot.depthRequest("BTC-USDT", 0).query.limit).toBe(1);
  });

  test("the documented response → snapshot with seq = u and the exchange's ts", () => {
    const body = {
      retCode: 0,
      retMsg: "OK",
      result: {
        s: "BTCUSDT",
        a: [["16638.64", "0.008479"]],
        b: [["16638.27", "0.305749"]],
        ts: 1672765737733,
        u: 5277055,
      },
      retExtInfo: {},
      time: 1672765737734,
    };
    const book = spot.parseDepth(body, { recvTs: 9, market: "BTC-USDT" });
    expect(book).toEqual({
      type: "book",
      exchange: "bybit",
      market: "BTC-USDT",
      symbol: "BTCUSDT",
      ts: 1672765737733,
      recvTs: 9,
      kind: "snapshot",
      seq: 5277055,
      prevSeq: null,
      bids: [[16638.27, 0.305749]],
      asks: [[16638.64, 0.008479]],
    });
    expect(Value.Check(BookSchema, book)).toBe(true);
  });

  test("bad bodies", () => {
    const ctx = { recvTs: 1, market: "BTC-USDT" };
    const r = { s: "BTCUSDT", a: [], b: [], ts: 1, u: 1 };
    expect(() => spot.parseDepth({ retCode: 0, result: { ...r, s: "ETHUSDT" } }, ctx)).toThrow(/symbol/);
    expect(() => spot.parseDepth({ retCode: 0, result: { ...r, u: "x" } }, ctx)).toThrow(/u/);
    expect(() => spot.parseDepth({ retCode: 0, result: { ...r, b: [[1]] } }, ctx)).toThrow(/b is not/);
    expect(() => spot.parseDepth({ retCode: 0, result: { ...r, ts: null } }, ctx)).toThrow(/ts/);
    expect(() => spot.parseDepth({ retCode: 10016, retMsg: "server error" }, ctx)).toThrow(TransientError);
  });
});
