import { describe, expect, test } from "bun:test";
import { ParseError } from "../src/errors.ts";
import { KLINES_PAGE_LIMIT, okxSpot, okxSwap, REST_LIMITS, WEIGHTS } from "../src/exchanges/okx/index.ts";

/** OKX REST request builders and parsers, on bodies in the shapes of OKX's API reference. */

const RECV_TS = 1_800_000_000_000;

const ok = (data: unknown[]) => ({ code: "0", msg: "", data });

describe("OKX REST spec", () => {
  test("endpoint, one budget of 40 per 2 s, no used-weight header", () => {
    for (const a of [okxSpot, okxSwap]) {
      expect(a.rest.defaultUrl).toBe("https://www.okx.com");
      expect(a.rest.limits).toEqual({ budget: 40, windowMs: 2000 });
      expect(a.rest.klinesPageLimit).toBe(100);
    }
    // each weight = 40 / the endpoint's own limit per 2 s (rounded up)
    expect(WEIGHTS).toEqual({
      instruments: 2,
      candles: 1,
      historyCandles: 2,
      trades: 1,
      historyTrades: 2,
      books: 1,
    });
    expect(REST_LIMITS.usedHeader).toBeUndefined();
  });
});

describe("instruments", () => {
  test("requests by instType", () => {
    expect(okxSpot.rest.marketsRequest()).toEqual({
      method: "GET",
      path: "/api/v5/public/instruments",
      query: { instType: "SPOT" },
      weight: 2,
    });
    expect(okxSwap.rest.marketsRequest().query).toEqual({ instType: "SWAP" });
  });

  test("spot: base/quote, tick and lot size, state → status; test instruments skipped", () => {
    const body = ok([
      {
        instType: "SPOT",
        instId: "BTC-USDT",
        baseCcy: "BTC",
        quoteCcy: "USDT",
        tickSz: "0.1",
        lotSz: "0.00000001",
        minSz: "0.00001",
        state: "live",
        ctVal: "",
        settleCcy: "",
      },
      {
        instType: "SPOT",
        instId: "ETH-BTC",
        baseCcy: "ETH",
        quoteCcy: "BTC",
        tickSz: "0.00001",
        lotSz: "0.000001",
        minSz: "0.001",
        state: "suspend",
      },
      {
        instType: "SPOT",
        instId: "NEW-USDT",
        baseCcy: "NEW",
        quoteCcy: "USDT",
        tickSz: "0.0001",
        lotSz: "1",
        minSz: "1",
        state: "preopen",
      },
      {
        instType: "SPOT",
        instId: "TST-USDT",
        baseCcy: "TST",
        quoteCcy: "USDT",
        tickSz: "1",
        lotSz: "1",
        minSz: "1",
        state: "test",
      },
    ]);
    expect(okxSpot.rest.parseMarkets(body)).toEqual([
      {
        exchange: "okx",
        market: "BTC-USDT",
        symbol: "BTC-USDT",
        base: "BTC",
        quote: "USDT",
        type: "spot",
        status: "trading",
        tickSize: 0.1,
        lotSize: 0.00000001,
        minNotional: null,
      },
      expect.objectContaining({ market: "ETH-BTC", status: "halted", tickSize: 0.00001 }),
      expect.objectContaining({ market: "NEW-USDT", status: "halted" }),
    ]);
  });

  test("swaps: empty baseCcy/quoteCcy, names from the instId; linear and inverse", () => {
    const body = ok([
      {
        instType: "SWAP",
        instId: "BTC-USDT-SWAP",
        uly: "BTC-USDT",
        instFamily: "BTC-USDT",
        baseCcy: "",
        quoteCcy: "",
        settleCcy: "USDT",
        ctVal: "0.01",
        ctValCcy: "BTC",
        ctType: "linear",
        tickSz: "0.1",
        lotSz: "0.01",
        minSz: "0.01",
        state: "live",
      },
      {
        instType: "SWAP",
        instId: "BTC-USD-SWAP",
        uly: "BTC-USD",
        baseCcy: "",
        quoteCcy: "",
        settleCcy: "BTC",
        ctVal: "100",
        ctValCcy: "USD",
        ctType: "inverse",
        tickSz: "0.1",
        lotSz: "1",
        minSz: "1",
        state: "live",
      },
    ]);
    expect(okxSwap.rest.parseMarkets(body)).toEqual([
      {
        exchange: "okx",
        market: "BTC-USDT-PERP",
        symbol: "BTC-USDT-SWAP",
        base: "BTC",
        quote: "USDT",
        type: "perp",
        status: "trading",
        tickSize: 0.1,
        lotSize: 0.01,
        minNotional: null,
        // ctVal 0.01 BTC per contract
        contractValue: 0.01,
        inverse: false,
      },
      expect.objectContaining({
        market: "BTC-USD-PERP",
        symbol: "BTC-USD-SWAP",
        lotSize: 1,
        // ctVal 100 USD per contract
        contractValue: 100,
        inverse: true,
      }),
    ]);
  });

  test("error bodies and bad shapes throw ParseError", () => {
    expect(() => okxSpot.rest.parseMarkets({ code: "50011", msg: "Too Many Requests", data: [] })).toThrow(
      ParseError,
    );
    expect(() => okxSpot.rest.parseMarkets([])).toThrow(ParseError);
    expect(() => okxSpot.rest.parseMarkets({ code: "0", msg: "", data: {} })).toThrow(ParseError);
    expect(() => okxSpot.rest.parseMarkets(ok([{ instId: 1 }]))).toThrow(ParseError);
  });
});

describe("candles", () => {
  test("no range: the recent endpoint; a range: history-candles with after/before, backwards", () => {
    expect(okxSpot.rest.klinesRequest({ market: "BTC-USDT", interval: "1h" })).toEqual({
      method: "GET",
      path: "/api/v5/market/candles",
      query: { instId: "BTC-USDT", bar: "1H", limit: 100 },
      weight: 1,
    });
    expect(okxSpot.rest.klinesRequest({ market: "BTC-USDT", interval: "1m", limit: 1000 }).query.limit).toBe(
      300,
    );
    expect(
      okxSwap.rest.klinesRequest({
        market: "BTC-USDT-PERP",
        interval: "1d",
        startTime: 1_700_000_000_000,
        endTime: 1_710_000_000_000,
        limit: 500,
      }),
    ).toEqual({
      method: "GET",
      path: "/api/v5/market/history-candles",
      // ts < after, ts > before: the page is [startTime, endTime], newest first
      query: {
        instId: "BTC-USDT-SWAP",
        bar: "1Dutc",
        after: 1_710_000_000_001,
        before: 1_699_999_999_999,
        limit: KLINES_PAGE_LIMIT,
      },
      weight: 2,
    });
    expect(okxSpot.rest.klinesRequest({ market: "BTC-USDT", interval: "1M", endTime: 5 }).query).toEqual({
      instId: "BTC-USDT",
      bar: "1Mutc",
      after: 6,
      limit: 100,
    });
    // a start at the epoch is no lower bound
    expect(
      okxSpot.rest.klinesRequest({ market: "BTC-USDT", interval: "1s", startTime: 0, endTime: 9 }).query,
    ).toEqual({
      instId: "BTC-USDT",
      bar: "1s",
      after: 10,
      limit: 100,
    });
    expect(() => okxSpot.rest.klinesRequest({ market: "BTC-USDT", interval: "8h" })).toThrow(/8h/);
    expect(() => okxSpot.rest.klinesRequest({ market: "BTC-USDT-PERP", interval: "1m" })).toThrow();
  });

  test("rows newest first → candles oldest first, closed = confirm, base volumes per market type", () => {
    const body = ok([
      ["1700000120000", "3", "4", "2", "3.5", "10", "35", "35", "0"],
      ["1700000060000", "2", "3", "1", "3", "20", "60", "60", "1"],
    ]);
    const spot = okxSpot.rest.parseKlines(body, { market: "BTC-USDT", interval: "1m", recvTs: RECV_TS });
    expect(spot.map((c) => c.openTime)).toEqual([1700000060000, 1700000120000]);
    expect(spot[0]).toEqual({
      type: "candle",
      exchange: "okx",
      market: "BTC-USDT",
      symbol: "BTC-USDT",
      ts: 1700000119999,
      recvTs: RECV_TS,
      interval: "1m",
      openTime: 1700000060000,
      closeTime: 1700000119999,
      open: 2,
      high: 3,
      low: 1,
      close: 3,
      volume: 20,
      quoteVolume: 60,
      trades: null,
      closed: true,
    });
    expect(spot[1]).toMatchObject({ closed: false, ts: RECV_TS });
    const swap = okxSwap.rest.parseKlines(
      ok([["1700000060000", "2", "3", "1", "3", "2000", "20", "60", "1"]]),
      { market: "BTC-USDT-PERP", interval: "1m", recvTs: RECV_TS },
    );
    // vol counts contracts; volCcy is base
    expect(swap[0]).toMatchObject({ symbol: "BTC-USDT-SWAP", volume: 20, quoteVolume: 60 });
  });

  test("bad bodies throw ParseError", () => {
    const c = { market: "BTC-USDT", interval: "1m" as const, recvTs: RECV_TS };
    expect(() =>
      okxSpot.rest.parseKlines({ code: "51001", msg: "Instrument ID does not exist", data: [] }, c),
    ).toThrow(/51001/);
    expect(() => okxSpot.rest.parseKlines(ok([["1", "x", "1", "1", "1", "1", "1", "1", "1"]]), c)).toThrow(
      ParseError,
    );
    expect(() => okxSpot.rest.parseKlines(ok([{}]), c)).toThrow(ParseError);
  });
});

describe("trades", () => {
  test("recent trades; history by trade id (before = fromId − 1) or by time (type 2, after)", () => {
    expect(okxSpot.rest.tradesRequest({ market: "BTC-USDT" })).toEqual({
      method: "GET",
      path: "/api/v5/market/trades",
      query: { instId: "BTC-USDT", limit: 100 },
      weight: 1,
    });
    expect(okxSpot.rest.tradesRequest({ market: "BTC-USDT", limit: 9999 }).query.limit).toBe(500);
    expect(okxSwap.rest.tradesRequest({ market: "ETH-USDT-PERP", fromId: "338476307", limit: 1000 })).toEqual(
      {
        method: "GET",
        path: "/api/v5/market/history-trades",
        query: { instId: "ETH-USDT-SWAP", type: 1, before: "338476306", limit: 100 },
        weight: 2,
      },
    );
    // ids beyond 2^53 stay exact
    expect(okxSpot.rest.tradesRequest({ market: "BTC-USDT", fromId: "90071992547409930" }).query.before).toBe(
      "90071992547409929",
    );
    expect(
      okxSpot.rest.tradesRequest({ market: "BTC-USDT", startTime: 1, endTime: 1_700_000_000_000 }),
    ).toEqual({
      method: "GET",
      path: "/api/v5/market/history-trades",
      query: { instId: "BTC-USDT", type: 2, after: 1_700_000_000_001, limit: 100 },
      weight: 2,
    });
    expect(() => okxSpot.rest.tradesRequest({ market: "BTC-USDT", fromId: "abc" })).toThrow(/trade id/);
  });

  test("rows newest first → trades oldest first", () => {
    const body = ok([
      {
        instId: "BTC-USDT",
        side: "sell",
        sz: "0.5",
        px: "30000.1",
        source: "0",
        tradeId: "10",
        ts: "1700000000002",
      },
      {
        instId: "BTC-USDT",
        side: "buy",
        sz: "0.1",
        px: "30000",
        source: "0",
        tradeId: "9",
        ts: "1700000000001",
      },
      {
        instId: "BTC-USDT",
        side: "buy",
        sz: "0.2",
        px: "30000",
        source: "0",
        tradeId: "8",
        ts: "1700000000001",
      },
    ]);
    const trades = okxSpot.rest.parseTrades(body, { market: "BTC-USDT", recvTs: RECV_TS });
    expect(trades.map((t) => t.id)).toEqual(["8", "9", "10"]);
    expect(trades[2]).toEqual({
      type: "trade",
      exchange: "okx",
      market: "BTC-USDT",
      symbol: "BTC-USDT",
      ts: 1700000000002,
      recvTs: RECV_TS,
      id: "10",
      price: 30000.1,
      amount: 0.5,
      side: "sell",
    });
    expect(() =>
      okxSpot.rest.parseTrades(ok([{ tradeId: "1", px: "1", sz: "1", side: "x", ts: "1" }]), {
        market: "BTC-USDT",
        recvTs: 1,
      }),
    ).toThrow(ParseError);
  });
});

describe("books", () => {
  test("request: sz clamped to 1..400", () => {
    expect(okxSpot.rest.depthRequest("BTC-USDT", 5000)).toEqual({
      method: "GET",
      path: "/api/v5/market/books",
      query: { instId: "BTC-USDT", sz: 400 },
      weight: 1,
    });
    expect(okxSwap.rest.depthRequest("BTC-USDT-PERP", 0).query).toEqual({ instId: "BTC-USDT-SWAP", sz: 1 });
  });

  test("data[0] → snapshot; no seqId ⇒ seq = ts", () => {
    const body = ok([
      {
        asks: [["41006.8", "0.60038921", "0", "1"]],
        bids: [
          ["41006.3", "0.30178218", "0", "2"],
          ["41006.1", "0.1", "0", "1"],
        ],
        ts: "1629966436396",
      },
    ]);
    expect(okxSpot.rest.parseDepth(body, { market: "BTC-USDT", recvTs: RECV_TS })).toEqual({
      type: "book",
      exchange: "okx",
      market: "BTC-USDT",
      symbol: "BTC-USDT",
      ts: 1629966436396,
      recvTs: RECV_TS,
      kind: "snapshot",
      seq: 1629966436396,
      prevSeq: null,
      bids: [
        [41006.3, 0.30178218],
        [41006.1, 0.1],
      ],
      asks: [[41006.8, 0.60038921]],
    });
    expect(() => okxSpot.rest.parseDepth(ok([]), { market: "BTC-USDT", recvTs: 1 })).toThrow(ParseError);
    expect(() =>
      okxSpot.rest.parseDepth(ok([{ asks: "x", bids: [], ts: "1" }]), { market: "BTC-USDT", recvTs: 1 }),
    ).toThrow(ParseError);
  });
});

describe("contract sizes (swaps): base units with the market's contract, raw kept", () => {
  const contract = { value: 0.01, inverse: false }; // BTC-USDT-SWAP: ctVal 0.01 BTC
  const ctx = { market: "BTC-USDT-PERP", recvTs: RECV_TS, contract };

  test("trades: amount = sz × ctVal, contracts = sz; without a contract sz as sent", () => {
    const body = ok([
      { instId: "BTC-USDT-SWAP", tradeId: "2", px: "60000.1", sz: "3", side: "sell", ts: "1700000000002" },
      { instId: "BTC-USDT-SWAP", tradeId: "1", px: "60000", sz: "125", side: "buy", ts: "1700000000001" },
    ]);
    expect(okxSwap.rest.parseTrades(body, ctx).map((t) => [t.id, t.amount, t.contracts])).toEqual([
      ["1", 1.25, 125],
      ["2", 0.03, 3],
    ]);
    const raw = okxSwap.rest.parseTrades(body, { market: "BTC-USDT-PERP", recvTs: RECV_TS });
    expect(raw.map((t) => [t.amount, t.contracts])).toEqual([
      [125, undefined],
      [3, undefined],
    ]);
  });

  test("books: levels × ctVal, contractValue named", () => {
    const body = ok([
      { asks: [["60000.1", "7", "0", "1"]], bids: [["60000", "110", "0", "3"]], ts: "1700000000000" },
    ]);
    expect(okxSwap.rest.parseDepth(body, ctx)).toMatchObject({
      bids: [[60000, 1.1]],
      asks: [[60000.1, 0.07]],
      contractValue: 0.01,
    });
  });
});
