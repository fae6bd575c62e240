import { describe, expect, test } from "bun:test";
import { Value } from "@sinclair/typebox/value";
import { ParseError } from "../src/errors.ts";
import { binance, depthWeight } from "../src/exchanges/binance/index.ts";
import { MarketInfoSchema } from "../src/schemas/market-info.ts";
import { BookSchema, CandleSchema, TradeSchema } from "../src/schemas/messages.ts";
import { readJson } from "./fixtures.ts";

const { rest } = binance;

describe("binance REST spec", () => {
  test("endpoint and limits", () => {
    expect(rest.defaultUrl).toBe("https://api.binance.com");
    expect(rest.limits).toEqual({ budget: 6000, windowMs: 60_000, usedHeader: "x-mbx-used-weight-1m" });
    expect(rest.klinesPageLimit).toBe(1000);
  });
});

describe("klines", () => {
  test("request: path, query, weight, limit capped at 1000", () => {
    expect(
      rest.klinesRequest({
        market: "BTC-USDT",
        interval: "1m",
        startTime: 1634943780000,
        endTime: 1634944379999,
      }),
    ).toEqual({
      method: "GET",
      path: "/api/v3/klines",
      query: {
        symbol: "BTCUSDT",
        interval: "1m",
        startTime: 1634943780000,
        endTime: 1634944379999,
        limit: 1000,
      },
      weight: 2,
    });
    expect(rest.klinesRequest({ market: "ETH-BTC", interval: "1M", limit: 5000 }).query).toEqual({
      symbol: "ETHBTC",
      interval: "1M",
      limit: 1000,
    });
    expect(rest.klinesRequest({ market: "ETH-BTC", interval: "1s", limit: 10 }).query.limit).toBe(10);
    expect(() => rest.klinesRequest({ market: "BTC-USDT-PERP", interval: "1m" })).toThrow(/perp/);
  });

  test("spot_rest_klines_BTCUSDT_1m.json → 10 candles; the last one still open", () => {
    // received during the last candle's minute (open times 1634943780000..1634944320000)
    const recvTs = 1634944340000;
    const candles = rest.parseKlines(readJson("binance/spot_rest_klines_BTCUSDT_1m.json"), {
      recvTs,
      market: "BTC-USDT",
      interval: "1m",
    });
    expect(candles).toHaveLength(10);
    expect(candles[0]).toEqual({
      type: "candle",
      exchange: "binance",
      market: "BTC-USDT",
      symbol: "BTCUSDT",
      ts: 1634943839999,
      recvTs,
      interval: "1m",
      openTime: 1634943780000,
      closeTime: 1634943839999,
      open: 60685.22,
      high: 60729.84,
      low: 60670.9,
      close: 60719.27,
      volume: 21.63272,
      quoteVolume: 1313200.0134041,
      trades: 617,
      closed: true,
    });
    const last = candles[9]!;
    expect([
      last.openTime,
      last.closeTime,
      last.open,
      last.close,
      last.volume,
      last.quoteVolume,
      last.trades,
    ]).toEqual([1634944320000, 1634944379999, 60739.85, 60739.85, 0.04734, 2875.424499, 7]);
    expect(last.closed).toBe(false);
    expect(last.ts).toBe(recvTs);
    expect(candles.map((c) => c.closed)).toEqual([
      true,
      true,
      true,
      true,
      true,
      true,
      true,
      true,
      true,
      false,
    ]);
    for (let i = 1; i < candles.length; i++)
      expect(candles[i]!.openTime - candles[i - 1]!.openTime).toBe(60_000);
    for (const c of candles) expect(Value.Check(CandleSchema, c)).toBe(true);
  });

  test("bad bodies throw ParseError", () => {
    const ctx = { recvTs: 1, market: "BTC-USDT", interval: "1m" as const };
    expect(() => rest.parseKlines({ code: -1121, msg: "Invalid symbol." }, ctx)).toThrow(ParseError);
    expect(() => rest.parseKlines([[1, "1"]], ctx)).toThrow(/row 0/);
    expect(() =>
      rest.parseKlines([[1634943780000, "x", "1", "1", "1", "1", 1634943839999, "1", 1, "0", "0", "0"]], ctx),
    ).toThrow(ParseError);
  });
});

describe("depth", () => {
  test("request: weight by limit, limit clamped to 1..5000", () => {
    expect(rest.depthRequest("NKN-USDT", 1000)).toEqual({
      method: "GET",
      path: "/api/v3/depth",
      query: { symbol: "NKNUSDT", limit: 1000 },
      weight: 50,
    });
    const weights = [1, 5, 100, 101, 500, 501, 1000, 1001, 5000].map(
      (l) => rest.depthRequest("BTC-USDT", l).weight,
    );
    expect(weights).toEqual([5, 5, 5, 25, 25, 50, 50, 250, 250]);
    expect(rest.depthRequest("BTC-USDT", 10_000).query.limit).toBe(5000);
    expect(rest.depthRequest("BTC-USDT", 0).query.limit).toBe(1);
    expect(depthWeight(5000)).toBe(250);
  });

  test("spot_NKNUSDT_rest_depth_snapshot.json → snapshot with seq = lastUpdateId", () => {
    const recvTs = 1633998512320.639;
    const book = rest.parseDepth(readJson("binance/spot_NKNUSDT_rest_depth_snapshot.json"), {
      recvTs,
      market: "NKN-USDT",
    });
    expect(book.type).toBe("book");
    expect(book.kind).toBe("snapshot");
    expect(book.seq).toBe(499869752);
    expect(book.prevSeq).toBeNull();
    expect([book.exchange, book.market, book.symbol, book.ts, book.recvTs]).toEqual([
      "binance",
      "NKN-USDT",
      "NKNUSDT",
      recvTs,
      recvTs,
    ]);
    expect(book.bids).toHaveLength(609);
    expect(book.asks).toHaveLength(1000);
    expect(book.bids[0]).toEqual([0.3521, 672]);
    expect(book.asks[0]).toEqual([0.3525, 3959]);
    expect(book.bids[608]).toEqual([0.00212, 117924.5]);
    expect(book.asks[999]).toEqual([0.5506, 14418]);
    expect(Value.Check(BookSchema, book)).toBe(true);
  });

  test("bad bodies throw ParseError", () => {
    const ctx = { recvTs: 1, market: "BTC-USDT" };
    expect(() => rest.parseDepth(null, ctx)).toThrow(ParseError);
    expect(() => rest.parseDepth({ bids: [], asks: [] }, ctx)).toThrow(/lastUpdateId/);
    expect(() => rest.parseDepth({ lastUpdateId: 1, bids: [["1"]], asks: [] }, ctx)).toThrow(/bids/);
    expect(() => rest.parseDepth({ lastUpdateId: 1, bids: [], asks: [["1", "abc"]] }, ctx)).toThrow(/asks/);
  });
});

describe("trades", () => {
  test("requests: recent trades, or historicalTrades from an id", () => {
    expect(rest.tradesRequest({ market: "BTC-USDT" })).toEqual({
      method: "GET",
      path: "/api/v3/trades",
      query: { symbol: "BTCUSDT", limit: 1000 },
      weight: 25,
    });
    expect(
      rest.tradesRequest({ market: "BTC-USDT", fromId: "388510", limit: 500, startTime: 1, endTime: 2 }),
    ).toEqual({
      method: "GET",
      path: "/api/v3/historicalTrades",
      query: { symbol: "BTCUSDT", fromId: "388510", limit: 500 },
      weight: 25,
    });
    expect(rest.tradesRequest({ market: "BTC-USDT", limit: 5000 }).query.limit).toBe(1000);
    expect(() => rest.tradesRequest({ market: "BTC-USDT", fromId: "abc" })).toThrow(/fromId/);
  });

  test("the first trade id at a time: one aggTrades row (weight 4), its first trade id `f`", () => {
    const first = rest.firstTradeId!;
    expect(first.request("BTC-USDT", 1_700_000_000_000.5)).toEqual({
      method: "GET",
      path: "/api/v3/aggTrades",
      // at most an hour between startTime and endTime
      query: { symbol: "BTCUSDT", startTime: 1_700_000_000_001, endTime: 1_700_003_600_000, limit: 1 },
      weight: 4,
    });
    // GET /api/v3/aggTrades response shape (rest-api.md)
    const row = {
      a: 26129,
      p: "0.01633102",
      q: "4.70443515",
      f: 27781,
      l: 27781,
      T: 1498793709153,
      m: true,
      M: true,
    };
    expect(first.parse([row])).toBe("27781");
    expect(first.parse([])).toBeUndefined();
    expect(() => first.parse([{ ...row, f: "x" }])).toThrow(ParseError);
    expect(() => first.parse({ code: -1121 })).toThrow(ParseError);
  });

  test("rows → trades, side from isBuyerMaker", () => {
    // GET /api/v3/trades response shape (rest-api.md)
    const body = [
      {
        id: 28457,
        price: "4.00000100",
        qty: "12.00000000",
        quoteQty: "48.000012",
        time: 1499865549590,
        isBuyerMaker: true,
        isBestMatch: true,
      },
      {
        id: 28458,
        price: "4.00000200",
        qty: "0.50000000",
        quoteQty: "2.000001",
        time: 1499865549591,
        isBuyerMaker: false,
        isBestMatch: true,
      },
    ];
    const trades = rest.parseTrades(body, { recvTs: 1499865550000, market: "BNB-BTC" });
    expect(trades).toEqual([
      {
        type: "trade",
        exchange: "binance",
        market: "BNB-BTC",
        symbol: "BNBBTC",
        ts: 1499865549590,
        recvTs: 1499865550000,
        id: "28457",
        price: 4.000001,
        amount: 12,
        side: "sell",
      },
      {
        type: "trade",
        exchange: "binance",
        market: "BNB-BTC",
        symbol: "BNBBTC",
        ts: 1499865549591,
        recvTs: 1499865550000,
        id: "28458",
        price: 4.000002,
        amount: 0.5,
        side: "buy",
      },
    ]);
    for (const t of trades) expect(Value.Check(TradeSchema, t)).toBe(true);
  });

  test("bad bodies throw ParseError", () => {
    const ctx = { recvTs: 1, market: "BTC-USDT" };
    expect(() => rest.parseTrades({}, ctx)).toThrow(ParseError);
    expect(() => rest.parseTrades([{ id: 1, price: "1", qty: "1", time: 1 }], ctx)).toThrow(/row 0/);
    expect(() => rest.parseTrades(["x"], ctx)).toThrow(ParseError);
  });
});

describe("exchangeInfo", () => {
  test("request", () => {
    expect(rest.marketsRequest()).toEqual({
      method: "GET",
      path: "/api/v3/exchangeInfo",
      query: {},
      weight: 20,
    });
  });

  // GET /api/v3/exchangeInfo, trimmed to four symbols, fields as Binance sends them
  const exchangeInfo = {
    timezone: "UTC",
    serverTime: 1789295134226,
    rateLimits: [
      { rateLimitType: "REQUEST_WEIGHT", interval: "MINUTE", intervalNum: 1, limit: 6000 },
      { rateLimitType: "ORDERS", interval: "SECOND", intervalNum: 10, limit: 100 },
      { rateLimitType: "RAW_REQUESTS", interval: "MINUTE", intervalNum: 5, limit: 61000 },
    ],
    exchangeFilters: [],
    symbols: [
      {
        symbol: "BTCUSDT",
        status: "TRADING",
        baseAsset: "BTC",
        baseAssetPrecision: 8,
        quoteAsset: "USDT",
        quotePrecision: 8,
        quoteAssetPrecision: 8,
        baseCommissionPrecision: 8,
        quoteCommissionPrecision: 8,
        orderTypes: ["LIMIT", "LIMIT_MAKER", "MARKET", "STOP_LOSS_LIMIT", "TAKE_PROFIT_LIMIT"],
        icebergAllowed: true,
        ocoAllowed: true,
        otoAllowed: true,
        quoteOrderQtyMarketAllowed: true,
        allowTrailingStop: true,
        cancelReplaceAllowed: true,
        amendAllowed: true,
        isSpotTradingAllowed: true,
        isMarginTradingAllowed: true,
        filters: [
          {
            filterType: "PRICE_FILTER",
            minPrice: "0.01000000",
            maxPrice: "1000000.00000000",
            tickSize: "0.01000000",
          },
          { filterType: "LOT_SIZE", minQty: "0.00001000", maxQty: "9000.00000000", stepSize: "0.00001000" },
          { filterType: "ICEBERG_PARTS", limit: 10 },
          {
            filterType: "MARKET_LOT_SIZE",
            minQty: "0.00000000",
            maxQty: "98.48916151",
            stepSize: "0.00000000",
          },
          {
            filterType: "TRAILING_DELTA",
            minTrailingAboveDelta: 10,
            maxTrailingAboveDelta: 2000,
            minTrailingBelowDelta: 10,
            maxTrailingBelowDelta: 2000,
          },
          {
            filterType: "PERCENT_PRICE_BY_SIDE",
            bidMultiplierUp: "5",
            bidMultiplierDown: "0.2",
            askMultiplierUp: "5",
            askMultiplierDown: "0.2",
            avgPriceMins: 5,
          },
          {
            filterType: "NOTIONAL",
            minNotional: "5.00000000",
            applyMinToMarket: true,
            maxNotional: "9000000.00000000",
            applyMaxToMarket: false,
            avgPriceMins: 5,
          },
          { filterType: "MAX_NUM_ORDERS", maxNumOrders: 200 },
          { filterType: "MAX_NUM_ALGO_ORDERS", maxNumAlgoOrders: 5 },
        ],
        permissions: [],
        permissionSets: [["SPOT", "MARGIN"]],
        defaultSelfTradePreventionMode: "EXPIRE_MAKER",
        allowedSelfTradePreventionModes: ["EXPIRE_TAKER", "EXPIRE_MAKER", "EXPIRE_BOTH", "DECREMENT"],
      },
      {
        symbol: "ETHBTC",
        status: "HALT",
        baseAsset: "ETH",
        baseAssetPrecision: 8,
        quoteAsset: "BTC",
        quotePrecision: 8,
        quoteAssetPrecision: 8,
        orderTypes: ["LIMIT", "MARKET"],
        icebergAllowed: true,
        ocoAllowed: true,
        isSpotTradingAllowed: true,
        isMarginTradingAllowed: false,
        filters: [
          {
            filterType: "PRICE_FILTER",
            minPrice: "0.00001000",
            maxPrice: "922327.00000000",
            tickSize: "0.00001000",
          },
          { filterType: "LOT_SIZE", minQty: "0.00010000", maxQty: "100000.00000000", stepSize: "0.00010000" },
          { filterType: "MIN_NOTIONAL", minNotional: "0.00010000", applyToMarket: true, avgPriceMins: 5 },
        ],
        permissions: ["SPOT"],
      },
      {
        symbol: "BCCBTC",
        status: "BREAK",
        baseAsset: "BCC",
        quoteAsset: "BTC",
        filters: [
          {
            filterType: "PRICE_FILTER",
            minPrice: "0.00000000",
            maxPrice: "0.00000000",
            tickSize: "0.00000000",
          },
        ],
        permissions: [],
        permissionSets: [["SPOT"]],
      },
      {
        symbol: "NEWUSDT",
        status: "PRE_TRADING",
        baseAsset: "NEW",
        quoteAsset: "USDT",
        filters: [],
        permissionSets: [["SPOT"]],
      },
      {
        // assets that cannot form a market name are skipped
        symbol: "币安人生USDT",
        status: "TRADING",
        baseAsset: "币安人生",
        quoteAsset: "USDT",
        filters: [],
      },
    ],
  };

  test("parseMarkets: base/quote, status, tick/lot/minNotional from filters", () => {
    const markets = rest.parseMarkets(exchangeInfo);
    expect(markets).toEqual([
      {
        exchange: "binance",
        market: "BTC-USDT",
        symbol: "BTCUSDT",
        base: "BTC",
        quote: "USDT",
        type: "spot",
        status: "trading",
        tickSize: 0.01,
        lotSize: 0.00001,
        minNotional: 5,
      },
      {
        exchange: "binance",
        market: "ETH-BTC",
        symbol: "ETHBTC",
        base: "ETH",
        quote: "BTC",
        type: "spot",
        status: "halted",
        tickSize: 0.00001,
        lotSize: 0.0001,
        minNotional: 0.0001,
      },
      {
        exchange: "binance",
        market: "BCC-BTC",
        symbol: "BCCBTC",
        base: "BCC",
        quote: "BTC",
        type: "spot",
        status: "halted",
        tickSize: null, // tickSize 0 = no constraint
        lotSize: null,
        minNotional: null,
      },
      {
        exchange: "binance",
        market: "NEW-USDT",
        symbol: "NEWUSDT",
        base: "NEW",
        quote: "USDT",
        type: "spot",
        status: "delisted",
        tickSize: null,
        lotSize: null,
        minNotional: null,
      },
    ]);
    for (const m of markets) expect(Value.Check(MarketInfoSchema, m)).toBe(true);
    // the market list round-trips through symbolOf
    for (const m of markets) expect(binance.symbolOf(m.market)).toBe(m.symbol);
  });

  test("bad bodies throw ParseError", () => {
    expect(() => rest.parseMarkets([])).toThrow(ParseError);
    expect(() => rest.parseMarkets({ code: -1003, msg: "Too many requests" })).toThrow(/symbols/);
    expect(() => rest.parseMarkets({ symbols: [{ symbol: "BTCUSDT", status: "TRADING" }] })).toThrow(
      /symbols\[0\]/,
    );
    let caught: unknown;
    try {
      rest.parseMarkets(null);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ParseError);
    expect((caught as ParseError).retryable).toBe(false);
    expect((caught as ParseError).code).toBe("parse_error");
  });
});
