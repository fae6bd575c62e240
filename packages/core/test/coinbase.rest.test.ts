import { describe, expect, test } from "bun:test";
import { Value } from "@sinclair/typebox/value";
import { ParseError } from "../src/errors.ts";
import { coinbase, REST_INTERVALS } from "../src/exchanges/coinbase/index.ts";
import { MarketInfoSchema } from "../src/schemas/market-info.ts";
import { BookSchema, CandleSchema, TradeSchema } from "../src/schemas/messages.ts";

/**
 * There are no recorded Coinbase REST bodies in the fixtures; the bodies below follow the documented
 * Advanced Trade responses (get-public-products, get-public-product-candles, get-public-market-trades,
 * get-public-product-book) field for field.
 */

const { rest } = coinbase;

describe("coinbase REST spec", () => {
  test("endpoint and limits: 10 public requests per second, no usage header", () => {
    expect(rest.defaultUrl).toBe("https://api.coinbase.com");
    expect(rest.limits).toEqual({ budget: 10, windowMs: 1000 });
    expect(rest.klinesPageLimit).toBe(350);
  });
});

describe("markets", () => {
  test("request: public products, spot only, weight 1", () => {
    expect(rest.marketsRequest()).toEqual({
      method: "GET",
      path: "/api/v3/brokerage/market/products",
      query: { product_type: "SPOT" },
      weight: 1,
    });
  });

  const product = (patch: Record<string, unknown>) => ({
    product_id: "BTC-USD",
    price: "68923.67",
    price_percentage_change_24h: "1.2",
    volume_24h: "12345.6",
    base_increment: "0.00000001",
    quote_increment: "0.01",
    quote_min_size: "1",
    quote_max_size: "150000000",
    base_min_size: "0.00000001",
    base_max_size: "3400",
    base_name: "Bitcoin",
    quote_name: "US Dollar",
    is_disabled: false,
    status: "online",
    cancel_only: false,
    limit_only: false,
    post_only: false,
    trading_disabled: false,
    auction_mode: false,
    product_type: "SPOT",
    quote_currency_id: "USD",
    base_currency_id: "BTC",
    base_display_symbol: "BTC",
    quote_display_symbol: "USD",
    price_increment: "0.01",
    display_name: "BTC-USD",
    ...patch,
  });

  test("products → markets with tick, lot, min notional and status", () => {
    const markets = rest.parseMarkets({
      products: [
        product({}),
        product({
          product_id: "ETH-BTC",
          price_increment: "0.00001",
          base_increment: "0.00000001",
          quote_min_size: "0.00001",
        }),
        product({ product_id: "DOGE-USD", trading_disabled: true }),
        product({ product_id: "OLD-USD", status: "delisted" }),
        product({ product_id: "X-USD", cancel_only: true, status: "online" }),
        product({ product_id: "BIT-28JUL23-CDE", product_type: "FUTURE" }),
        product({ product_id: "BIP-20DEC30-CDE", product_type: undefined }),
      ],
      num_products: 7,
    });
    expect(markets).toHaveLength(5);
    expect(markets[0]).toEqual({
      exchange: "coinbase",
      market: "BTC-USD",
      symbol: "BTC-USD",
      base: "BTC",
      quote: "USD",
      type: "spot",
      status: "trading",
      tickSize: 0.01,
      lotSize: 0.00000001,
      minNotional: 1,
    });
    expect(markets.map((m) => [m.market, m.status, m.tickSize])).toEqual([
      ["BTC-USD", "trading", 0.01],
      ["ETH-BTC", "trading", 0.00001],
      ["DOGE-USD", "halted", 0.01],
      ["OLD-USD", "delisted", 0.01],
      ["X-USD", "halted", 0.01],
    ]);
    for (const m of markets) expect(Value.Check(MarketInfoSchema, m)).toBe(true);
  });

  test("bad bodies throw ParseError", () => {
    expect(() => rest.parseMarkets({ error: "NOT_FOUND", message: "x" })).toThrow(ParseError);
    expect(() => rest.parseMarkets({ products: [{ id: "BTC-USD" }] })).toThrow(/products\[0\]/);
  });
});

describe("candles", () => {
  test("request from startTime: a forward page of at most 350 candles in UNIX seconds", () => {
    const start = Date.UTC(2024, 3, 4, 0, 0);
    expect(rest.klinesRequest({ market: "BTC-USD", interval: "1h", startTime: start })).toEqual({
      method: "GET",
      path: "/api/v3/brokerage/market/products/BTC-USD/candles",
      query: { start: start / 1000, end: start / 1000 + 350 * 3600 - 1, granularity: "ONE_HOUR", limit: 350 },
      weight: 1,
    });
    const q = rest.klinesRequest({
      market: "ETH-BTC",
      interval: "1m",
      startTime: start + 999,
      endTime: start + 600_000,
      limit: 5000,
    }).query;
    expect(q).toEqual({
      start: start / 1000,
      end: start / 1000 + 600,
      granularity: "ONE_MINUTE",
      limit: 350,
    });
  });

  test("request from endTime alone: the page ends with the candle that holds it", () => {
    const end = Date.UTC(2024, 3, 4, 1, 0);
    expect(rest.klinesRequest({ market: "BTC-USD", interval: "5m", endTime: end, limit: 10 }).query).toEqual({
      start: end / 1000 - 10 * 300 + 1,
      end: end / 1000,
      granularity: "FIVE_MINUTE",
      limit: 10,
    });
  });

  test("every Advanced Trade granularity, nothing else; a time range is required", () => {
    expect(REST_INTERVALS).toEqual(["1m", "5m", "15m", "30m", "1h", "2h", "6h", "1d"]);
    const names = REST_INTERVALS.map(
      (interval) => rest.klinesRequest({ market: "BTC-USD", interval, startTime: 0 }).query.granularity,
    );
    expect(names).toEqual([
      "ONE_MINUTE",
      "FIVE_MINUTE",
      "FIFTEEN_MINUTE",
      "THIRTY_MINUTE",
      "ONE_HOUR",
      "TWO_HOUR",
      "SIX_HOUR",
      "ONE_DAY",
    ]);
    for (const interval of ["1s", "3m", "4h", "8h", "12h", "3d", "1w", "1M"] as const) {
      expect(() => rest.klinesRequest({ market: "BTC-USD", interval, startTime: 0 })).toThrow(
        /unsupported interval/,
      );
    }
    expect(() => rest.klinesRequest({ market: "BTC-USD", interval: "1m" })).toThrow(/time range/);
    expect(() => rest.klinesRequest({ market: "BTC-USD-PERP", interval: "1m", startTime: 0 })).toThrow(
      /perp/,
    );
  });

  test("newest-first candles → oldest first; closed by the clock; no quote volume or count (null)", () => {
    const body = {
      candles: [
        {
          start: "1712192400",
          low: "66055.14",
          high: "66331.99",
          open: "66312.4",
          close: "66181.6",
          volume: "355.82896243",
        },
        {
          start: "1712188800",
          low: "65857.35",
          high: "66387.77",
          open: "65984.18",
          close: "66314.59",
          volume: "358.74851052",
        },
      ],
    };
    const recvTs = 1712192400_000 + 1_800_000; // half-way through the newer hour
    const candles = rest.parseKlines(body, { recvTs, market: "BTC-USD", interval: "1h" });
    expect(candles[0]).toEqual({
      type: "candle",
      exchange: "coinbase",
      market: "BTC-USD",
      symbol: "BTC-USD",
      ts: 1712192399999,
      recvTs,
      interval: "1h",
      openTime: 1712188800000,
      closeTime: 1712192399999,
      open: 65984.18,
      high: 66387.77,
      low: 65857.35,
      close: 66314.59,
      volume: 358.74851052,
      quoteVolume: null,
      trades: null,
      closed: true,
    });
    expect([candles[1]!.openTime, candles[1]!.closed, candles[1]!.ts, candles[1]!.close]).toEqual([
      1712192400000,
      false,
      recvTs,
      66181.6,
    ]);
    for (const c of candles) expect(Value.Check(CandleSchema, c)).toBe(true);
  });

  test("bad bodies throw ParseError", () => {
    const ctx = { recvTs: 1, market: "BTC-USD", interval: "1m" as const };
    expect(() => rest.parseKlines([], ctx)).toThrow(ParseError);
    expect(() => rest.parseKlines({ candles: [{ start: "x" }] }, ctx)).toThrow(/row 0/);
    expect(() => rest.parseKlines({ candles: [7] }, ctx)).toThrow(ParseError);
  });
});

describe("trades", () => {
  test("request: market trades by time window, limit ≤ 1000; no paging by id", () => {
    expect(rest.tradesRequest({ market: "BTC-USD" })).toEqual({
      method: "GET",
      path: "/api/v3/brokerage/market/products/BTC-USD/ticker",
      query: { limit: 1000 },
      weight: 1,
    });
    expect(
      rest.tradesRequest({ market: "BTC-USD", startTime: 1712188800123, endTime: 1712192400001, limit: 50 })
        .query,
    ).toEqual({ limit: 50, start: 1712188800, end: 1712192401 });
    expect(() => rest.tradesRequest({ market: "BTC-USD", fromId: "995098661" })).toThrow(/trade id/);
  });

  test("newest-first trades → oldest first, maker side flipped as on the WebSocket", () => {
    const body = {
      trades: [
        {
          trade_id: "995098663",
          product_id: "BTC-USD",
          price: "68923.67",
          size: "0.00064",
          time: "2026-04-07T00:28:58.544778Z",
          side: "SELL",
          bid: "",
          ask: "",
          exchange: "coinbase",
        },
        {
          trade_id: "995098662",
          product_id: "BTC-USD",
          price: "68923.67",
          size: "0.00123858",
          time: "2026-04-07T00:28:58.250358Z",
          side: "SELL",
          bid: "",
          ask: "",
          exchange: "coinbase",
        },
        {
          trade_id: "995098661",
          product_id: "BTC-USD",
          price: "68924.94",
          size: "0.01450854",
          time: "2026-04-07T00:28:57.296283Z",
          side: "BUY",
          bid: "",
          ask: "",
          exchange: "coinbase",
        },
      ],
      best_bid: "68923.66",
      best_ask: "68923.67",
    };
    const trades = rest.parseTrades(body, { recvTs: 5, market: "BTC-USD" });
    expect(trades.map((t) => [t.id, t.side])).toEqual([
      ["995098661", "sell"],
      ["995098662", "buy"],
      ["995098663", "buy"],
    ]);
    expect(trades[2]).toEqual({
      type: "trade",
      exchange: "coinbase",
      market: "BTC-USD",
      symbol: "BTC-USD",
      ts: Date.UTC(2026, 3, 7, 0, 28, 58) + 544.778,
      recvTs: 5,
      id: "995098663",
      price: 68923.67,
      amount: 0.00064,
      side: "buy", // SELL at the best ask (68923.67): a resting offer was lifted
    });
    for (const t of trades) expect(Value.Check(TradeSchema, t)).toBe(true);
  });

  test("bad bodies throw ParseError", () => {
    const ctx = { recvTs: 1, market: "BTC-USD" };
    expect(() => rest.parseTrades([], ctx)).toThrow(ParseError);
    expect(() =>
      rest.parseTrades({ trades: [{ trade_id: "1", price: "1", size: "1", time: "x", side: "BUY" }] }, ctx),
    ).toThrow(/row 0/);
  });
});

describe("depth", () => {
  test("request: product_book with a limit clamped to 1..1000", () => {
    expect(rest.depthRequest("BTC-USD", 100)).toEqual({
      method: "GET",
      path: "/api/v3/brokerage/market/product_book",
      query: { product_id: "BTC-USD", limit: 100 },
      weight: 1,
    });
    expect(rest.depthRequest("BTC-USD", 50_000).query.limit).toBe(1000);
    expect(rest.depthRequest("BTC-USD", 0).query.limit).toBe(1);
  });

  test("pricebook → snapshot; no sequence: seq = its time in µs", () => {
    const body = {
      pricebook: {
        product_id: "BTC-USD",
        bids: [
          { price: "68923.66", size: "0.5" },
          { price: "68923.01", size: "1.25" },
        ],
        asks: [{ price: "68923.67", size: "0.00064" }],
        time: "2026-04-07T00:28:58.600001Z",
      },
      last: "68923.67",
      mid_market: "68923.665",
      spread_bps: "0.0014",
      spread_absolute: "0.01",
    };
    const book = rest.parseDepth(body, { recvTs: 9, market: "BTC-USD" });
    const ts = Date.UTC(2026, 3, 7, 0, 28, 58) + 600.001;
    expect(book).toEqual({
      type: "book",
      exchange: "coinbase",
      market: "BTC-USD",
      symbol: "BTC-USD",
      ts,
      recvTs: 9,
      kind: "snapshot",
      seq: Math.round(ts * 1000),
      prevSeq: null,
      bids: [
        [68923.66, 0.5],
        [68923.01, 1.25],
      ],
      asks: [[68923.67, 0.00064]],
    });
    expect(Value.Check(BookSchema, book)).toBe(true);
    expect(() => rest.parseDepth({ bids: [] }, { recvTs: 1, market: "BTC-USD" })).toThrow(ParseError);
    expect(() =>
      rest.parseDepth({ pricebook: { bids: [["1", "2"]], asks: [] } }, { recvTs: 1, market: "BTC-USD" }),
    ).toThrow(/bids\[0\]/);
  });
});

describe("candles poll: 1m candles (the WebSocket streams 5m only)", () => {
  const poll = rest.polls?.find((p) => p.name === "candles");

  test("one request for the window, in UNIX seconds, one-minute granularity", () => {
    expect(rest.polls?.map((p) => p.name)).toEqual(["candles"]);
    const to = Date.UTC(2024, 3, 4, 0, 3, 30);
    expect(poll!.requests({ market: "BTC-USD", from: to - 180_000, to })).toEqual([
      {
        method: "GET",
        path: "/api/v3/brokerage/market/products/BTC-USD/candles",
        query: { start: (to - 180_000) / 1000, end: to / 1000, granularity: "ONE_MINUTE", limit: 350 },
        weight: 1,
      },
    ]);
  });

  test("a documented-shape body → 1m candles oldest first, the open one not closed, no invented fields", () => {
    const t0 = Date.UTC(2024, 3, 4, 0, 0) / 1000;
    const row = (start: number, close: string) => ({
      start: String(start),
      low: "1",
      high: "3",
      open: "2",
      close,
      volume: "0.5",
    });
    const body = { candles: [row(t0 + 120, "2.5"), row(t0 + 60, "2.2"), row(t0, "2.1")] };
    const recvTs = (t0 + 150) * 1000;
    const candles = poll!.parse([body], { recvTs, market: "BTC-USD" });
    expect(candles.map((c) => c.type === "candle" && [c.interval, c.openTime, c.close, c.closed])).toEqual([
      ["1m", t0 * 1000, 2.1, true],
      ["1m", (t0 + 60) * 1000, 2.2, true],
      ["1m", (t0 + 120) * 1000, 2.5, false],
    ]);
    for (const c of candles) {
      expect(Value.Check(CandleSchema, c)).toBe(true);
      expect(c).toMatchObject({ quoteVolume: null, trades: null });
    }
  });
});
