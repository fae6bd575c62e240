import { describe, expect, test } from "bun:test";
import { Value } from "@sinclair/typebox/value";
import { ParseError } from "../src/errors.ts";
import {
  binanceUsdm,
  usdmDepthLimit,
  usdmDepthWeight,
  usdmKlinesWeight,
} from "../src/exchanges/binance/index.ts";
import { MarketInfoSchema } from "../src/schemas/market-info.ts";
import { BookSchema, CandleSchema, DerivSchema, TradeSchema } from "../src/schemas/messages.ts";
import { readJson } from "./fixtures.ts";

const { rest } = binanceUsdm;
const RECV = 1_800_000_000_000;

describe("USD-M REST spec", () => {
  test("endpoint and limits: fapi, 2400 weight per minute, metered apart from spot", () => {
    expect(rest.defaultUrl).toBe("https://fapi.binance.com");
    expect(rest.limits).toEqual({
      budget: 2400,
      windowMs: 60_000,
      usedHeader: "x-mbx-used-weight-1m",
      scope: "binance-usdm",
    });
    expect(rest.klinesPageLimit).toBe(1000);
  });
});

describe("depth", () => {
  test("request: only fapi's limits (5..1000), weight 2/5/10/20", () => {
    const req = (limit: number) => rest.depthRequest("BTC-USDT-PERP", limit);
    expect(req(1000)).toEqual({
      method: "GET",
      path: "/fapi/v1/depth",
      query: { symbol: "BTCUSDT", limit: 1000 },
      weight: 20,
    });
    const rows = [1, 5, 7, 20, 50, 51, 100, 101, 500, 501, 1000, 5000].map((l) => [
      req(l).query.limit,
      req(l).weight,
    ]);
    expect(rows).toEqual([
      [5, 2],
      [5, 2],
      [10, 2],
      [20, 2],
      [50, 2],
      [100, 5],
      [100, 5],
      [500, 10],
      [500, 10],
      [1000, 20],
      [1000, 20],
      [1000, 20],
    ]);
    expect([usdmDepthWeight(50), usdmDepthWeight(100), usdmDepthWeight(500), usdmDepthWeight(1000)]).toEqual([
      2, 5, 10, 20,
    ]);
    expect(usdmDepthLimit(0)).toBe(5);
    expect(() => rest.depthRequest("BTC-USDT", 100)).toThrow(/spot/);
  });

  test("the recorded snapshots → book snapshots, seq = lastUpdateId, ts = T", () => {
    const cases = [
      [
        "AKROUSDT",
        "AKRO-USDT-PERP",
        600859605486,
        1626992741238,
        [0.01731, 57618],
        [0.01732, 72524],
        609,
        763,
      ],
      ["KEEPUSDT", "KEEP-USDT-PERP", 600859619434, 1626992742012, [0.2463, 631], [0.2464, 317], 400, 612],
      ["SUSHIUSDT", "SUSHI-USDT-PERP", 600859605926, 1626992741261, [7.611, 6], [7.612, 297], 1000, 1000],
    ] as const;
    for (const [symbol, market, seq, ts, bid, ask, nb, na] of cases) {
      const b = rest.parseDepth(readJson(`binance-futures/usdm_${symbol}_rest_depth_snapshot.json`), {
        recvTs: RECV,
        market,
      });
      expect(Value.Check(BookSchema, b)).toBe(true);
      expect([b.symbol, b.market, b.kind, b.seq, b.prevSeq, b.ts, b.recvTs]).toEqual([
        symbol,
        market,
        "snapshot",
        seq,
        null,
        ts,
        RECV,
      ]);
      expect([b.bids[0], b.asks[0], b.bids.length, b.asks.length]).toEqual([bid, ask, nb, na] as never);
    }
  });

  test("bad bodies throw ParseError", () => {
    const c = { recvTs: RECV, market: "BTC-USDT-PERP" };
    expect(() => rest.parseDepth(null, c)).toThrow(ParseError);
    expect(() => rest.parseDepth({ lastUpdateId: "x", bids: [], asks: [] }, c)).toThrow(ParseError);
    expect(() => rest.parseDepth({ lastUpdateId: 1, bids: [["1"]], asks: [] }, c)).toThrow(ParseError);
    // without T (older bodies) the snapshot is stamped with the receive time
    expect(rest.parseDepth({ lastUpdateId: 1, bids: [], asks: [] }, c).ts).toBe(RECV);
  });
});

describe("klines", () => {
  test("request: /fapi/v1/klines, page 1000 (weight 5), up to 1500 (weight 10); no 1s", () => {
    expect(
      rest.klinesRequest({ market: "BTC-USDT-PERP", interval: "1m", startTime: 1.5, endTime: 60_000 }),
    ).toEqual({
      method: "GET",
      path: "/fapi/v1/klines",
      query: { symbol: "BTCUSDT", interval: "1m", startTime: 1, endTime: 60_000, limit: 1000 },
      weight: 5,
    });
    const w = (limit: number) => rest.klinesRequest({ market: "ETH-USDT-PERP", interval: "1M", limit });
    expect(
      [w(99), w(100), w(499), w(500), w(1000), w(1001), w(9999)].map((r) => [r.query.limit, r.weight]),
    ).toEqual([
      [99, 1],
      [100, 2],
      [499, 2],
      [500, 5],
      [1000, 5],
      [1001, 10],
      [1500, 10],
    ]);
    expect(usdmKlinesWeight(1)).toBe(1);
    expect(() => rest.klinesRequest({ market: "BTC-USDT-PERP", interval: "1s" })).toThrow(/1s/);
  });

  test("rows → candles (same row format as spot); closed = closeTime < recvTs", () => {
    const body = [
      [
        1626992700000,
        "0.01731",
        "0.01733",
        "0.01731",
        "0.01733",
        "235736",
        1626992759999,
        "4082.63755",
        29,
        "101629",
        "1760.37292",
        "0",
      ],
      [
        1626992760000,
        "0.01733",
        "0.01735",
        "0.01732",
        "0.01734",
        "1000",
        1626992819999,
        "17.34",
        3,
        "500",
        "8.67",
        "0",
      ],
    ];
    const candles = rest.parseKlines(body, {
      recvTs: 1626992790000,
      market: "AKRO-USDT-PERP",
      interval: "1m",
    });
    expect(candles.every((c) => Value.Check(CandleSchema, c))).toBe(true);
    expect(candles[0]).toEqual({
      type: "candle",
      exchange: "binance",
      market: "AKRO-USDT-PERP",
      symbol: "AKROUSDT",
      ts: 1626992759999,
      recvTs: 1626992790000,
      interval: "1m",
      openTime: 1626992700000,
      closeTime: 1626992759999,
      open: 0.01731,
      high: 0.01733,
      low: 0.01731,
      close: 0.01733,
      volume: 235736,
      quoteVolume: 4082.63755,
      trades: 29,
      closed: true,
    });
    expect([candles[1]!.closed, candles[1]!.ts]).toEqual([false, 1626992790000]);
    expect(() => rest.parseKlines({}, { recvTs: 1, market: "AKRO-USDT-PERP", interval: "1m" })).toThrow(
      ParseError,
    );
  });
});

describe("trades: /fapi/v1/aggTrades, the id space of @aggTrade", () => {
  test("the first aggregate trade id at a time: one aggTrades row from startTime", () => {
    const first = rest.firstTradeId!;
    expect(first.request("BTC-USDT-PERP", 1_700_000_000_000.5)).toEqual({
      method: "GET",
      path: "/fapi/v1/aggTrades",
      query: { symbol: "BTCUSDT", startTime: 1_700_000_000_001, endTime: 1_700_003_600_000, limit: 1 },
      weight: 20,
    });
    // GET /fapi/v1/aggTrades response shape
    const row = { a: 26129, p: "0.01633102", q: "4.70443515", f: 27781, l: 27781, T: 1498793709153, m: true };
    expect(first.parse([row])).toBe("26129");
    expect(first.parse([])).toBeUndefined();
    expect(() => first.parse([{ ...row, a: "x" }])).toThrow(ParseError);
  });

  test("requests: recent, from an id, or a window cut below one hour", () => {
    expect(rest.tradesRequest({ market: "BTC-USDT-PERP" })).toEqual({
      method: "GET",
      path: "/fapi/v1/aggTrades",
      query: { symbol: "BTCUSDT", limit: 1000 },
      weight: 20,
    });
    expect(
      rest.tradesRequest({ market: "BTC-USDT-PERP", fromId: "14888302", startTime: 5, limit: 10 }).query,
    ).toEqual({ symbol: "BTCUSDT", fromId: "14888302", limit: 10 });
    expect(rest.tradesRequest({ market: "BTC-USDT-PERP", startTime: 1000, endTime: 2000 }).query).toEqual({
      symbol: "BTCUSDT",
      startTime: 1000,
      endTime: 2000,
      limit: 1000,
    });
    expect(
      rest.tradesRequest({ market: "BTC-USDT-PERP", startTime: 0, endTime: 7_200_000 }).query,
    ).toMatchObject({
      startTime: 0,
      endTime: 3_599_999,
    });
    expect(rest.tradesRequest({ market: "BTC-USDT-PERP", startTime: 10 }).query).toMatchObject({
      startTime: 10,
      endTime: 3_600_009,
    });
    expect(rest.tradesRequest({ market: "BTC-USDT-PERP", endTime: 3_600_000 }).query).toMatchObject({
      startTime: 1,
      endTime: 3_600_000,
    });
    expect(() => rest.tradesRequest({ market: "BTC-USDT-PERP", fromId: "abc" })).toThrow(/fromId/);
  });

  test("rows → trades: id = a, side from m", () => {
    const body = [
      { a: 26129, p: "0.01633102", q: "4.70443515", f: 27781, l: 27781, T: 1498793709153, m: true },
      { a: 26130, p: "0.01633103", q: "1", f: 27782, l: 27790, T: 1498793709154, m: false },
    ];
    const trades = rest.parseTrades(body, { recvTs: RECV, market: "BNB-BTC-PERP" });
    expect(trades.every((t) => Value.Check(TradeSchema, t))).toBe(true);
    expect(trades[0]).toEqual({
      type: "trade",
      exchange: "binance",
      market: "BNB-BTC-PERP",
      symbol: "BNBBTC",
      ts: 1498793709153,
      recvTs: RECV,
      id: "26129",
      price: 0.01633102,
      amount: 4.70443515,
      side: "sell",
    });
    expect([trades[1]!.id, trades[1]!.side]).toEqual(["26130", "buy"]);
    const c = { recvTs: RECV, market: "BTC-USDT-PERP" };
    expect(() => rest.parseTrades({}, c)).toThrow(ParseError);
    expect(() => rest.parseTrades([null], c)).toThrow(ParseError);
    expect(() => rest.parseTrades([{ ...body[0], a: "x" }], c)).toThrow(ParseError);
    expect(() => rest.parseTrades([{ ...body[0], m: 1 }], c)).toThrow(ParseError);
  });
});

describe("open interest: REST only on USD-M (the deriv poll)", () => {
  const poll = rest.polls?.find((p) => p.name === "deriv");
  const parseOpenInterest = (body: unknown, ctx: { recvTs: number; market: string }) =>
    poll!.parse([body], ctx)[0]!;

  test("one poll, deriv: request and parse the documented body → a deriv message with only openInterest", () => {
    expect(rest.polls?.map((p) => p.name)).toEqual(["deriv"]);
    expect(poll!.requests({ market: "BTC-USDT-PERP", from: 0, to: 1 })).toEqual([
      {
        method: "GET",
        path: "/fapi/v1/openInterest",
        query: { symbol: "BTCUSDT" },
        weight: 1,
      },
    ]);
    const d = parseOpenInterest(
      { openInterest: "10659.509", symbol: "BTCUSDT", time: 1589437530011 },
      { recvTs: RECV, market: "BTC-USDT-PERP" },
    );
    expect(Value.Check(DerivSchema, d)).toBe(true);
    expect(d).toEqual({
      type: "deriv",
      exchange: "binance",
      market: "BTC-USDT-PERP",
      symbol: "BTCUSDT",
      ts: 1589437530011,
      recvTs: RECV,
      markPrice: null,
      indexPrice: null,
      fundingRate: null,
      nextFundingTime: null,
      openInterest: 10659.509,
    });
    const c = { recvTs: RECV, market: "BTC-USDT-PERP" };
    expect(() => parseOpenInterest([], c)).toThrow(ParseError);
    expect(() => parseOpenInterest({ openInterest: "x", symbol: "BTCUSDT" }, c)).toThrow(ParseError);
    expect(() => parseOpenInterest({ openInterest: "1", symbol: "ETHUSDT" }, c)).toThrow(ParseError);
  });
});

describe("exchangeInfo", () => {
  test("request", () => {
    expect(rest.marketsRequest()).toEqual({
      method: "GET",
      path: "/fapi/v1/exchangeInfo",
      query: {},
      weight: 1,
    });
  });

  const filters = (tick: string, step: string, notional: string) => [
    { filterType: "PRICE_FILTER", minPrice: "556.80", maxPrice: "4529764", tickSize: tick },
    { filterType: "LOT_SIZE", minQty: step, maxQty: "1000", stepSize: step },
    { filterType: "MARKET_LOT_SIZE", minQty: step, maxQty: "120", stepSize: step },
    { filterType: "MAX_NUM_ORDERS", limit: 200 },
    { filterType: "MIN_NOTIONAL", notional },
    { filterType: "PERCENT_PRICE", multiplierUp: "1.0500", multiplierDown: "0.9500", multiplierDecimal: "4" },
  ];
  const row = (
    symbol: string,
    base: string,
    quote: string,
    contractType: string,
    status: string,
    f = filters("0.10", "0.001", "100"),
  ) => ({
    symbol,
    pair: base + quote,
    contractType,
    deliveryDate: 4133404800000,
    onboardDate: 1569398400000,
    status,
    baseAsset: base,
    quoteAsset: quote,
    marginAsset: quote,
    pricePrecision: 2,
    quantityPrecision: 3,
    underlyingType: "COIN",
    settlePlan: 0,
    triggerProtect: "0.0500",
    filters: f,
    orderTypes: ["LIMIT", "MARKET"],
    timeInForce: ["GTC", "IOC", "FOK", "GTX"],
  });
  // GET /fapi/v1/exchangeInfo, trimmed; fields as fapi sends them
  const body = {
    timezone: "UTC",
    serverTime: 1790757176000,
    futuresType: "U_MARGINED",
    rateLimits: [{ rateLimitType: "REQUEST_WEIGHT", interval: "MINUTE", intervalNum: 1, limit: 2400 }],
    exchangeFilters: [],
    assets: [],
    symbols: [
      row("BTCUSDT", "BTC", "USDT", "PERPETUAL", "TRADING"),
      row("BTCUSDT_260925", "BTC", "USDT", "CURRENT_QUARTER", "TRADING"),
      row("1000SHIBUSDT", "1000SHIB", "USDT", "PERPETUAL", "TRADING", filters("0.000001", "1", "5")),
      row("XAUUSDT", "XAU", "USDT", "TRADIFI_PERPETUAL", "TRADING"),
      row("ETHUSDC", "ETH", "USDC", "PERPETUAL", "SETTLING"),
      row("SRMUSDT", "SRM", "USDT", "PERPETUAL", "CLOSE"),
      row("ETHUSDT_230331", "ETH", "USDT", "", "DELIVERED"),
    ],
  };

  test("parseMarkets: perps and dated futures, status, tick/lot/min notional (MIN_NOTIONAL.notional)", () => {
    const markets = rest.parseMarkets(body);
    expect(markets.every((m) => Value.Check(MarketInfoSchema, m))).toBe(true);
    expect(markets.map((m) => [m.market, m.symbol, m.type, m.status])).toEqual([
      ["BTC-USDT-PERP", "BTCUSDT", "perp", "trading"],
      ["BTC-USDT-260925", "BTCUSDT_260925", "future", "trading"],
      ["1000SHIB-USDT-PERP", "1000SHIBUSDT", "perp", "trading"],
      ["XAU-USDT-PERP", "XAUUSDT", "perp", "trading"],
      ["ETH-USDC-PERP", "ETHUSDC", "perp", "halted"],
      ["SRM-USDT-PERP", "SRMUSDT", "perp", "delisted"],
      ["ETH-USDT-230331", "ETHUSDT_230331", "future", "delisted"],
    ]);
    expect(markets[0]).toEqual({
      exchange: "binance",
      market: "BTC-USDT-PERP",
      symbol: "BTCUSDT",
      base: "BTC",
      quote: "USDT",
      type: "perp",
      status: "trading",
      tickSize: 0.1,
      lotSize: 0.001,
      minNotional: 100,
    });
    expect([markets[2]!.tickSize, markets[2]!.lotSize, markets[2]!.minNotional]).toEqual([0.000001, 1, 5]);
    // the market names map back to the symbols
    for (const m of markets) expect(binanceUsdm.symbolOf(m.market)).toBe(m.symbol);
  });

  test("rows without a contract type are skipped; bad bodies throw ParseError", () => {
    const noType = {
      ...body,
      symbols: [{ ...row("OLDUSDT", "OLD", "USDT", "", "CLOSE"), contractType: undefined }],
    };
    expect(rest.parseMarkets(noType)).toEqual([]);
    expect(() => rest.parseMarkets({})).toThrow(ParseError);
    expect(() => rest.parseMarkets({ symbols: [{ symbol: "X" }] })).toThrow(ParseError);
  });
});
