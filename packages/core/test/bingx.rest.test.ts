import { describe, expect, test } from "bun:test";
import { Value } from "@sinclair/typebox/value";
import { isRetryable, ParseError, TickerplantError } from "../src/errors.ts";
import { bingxSpot, bingxSwap, swapDepthLimit } from "../src/exchanges/bingx/index.ts";
import { MarketInfoSchema } from "../src/schemas/market-info.ts";
import { BookSchema, CandleSchema, DerivSchema, TradeSchema } from "../src/schemas/messages.ts";
import { readJson } from "./fixtures.ts";

const spot = bingxSpot.rest;
const swap = bingxSwap.rest;
const RECV = 1_702_720_000_000;

/** The request's query without the volatile `timestamp`, after checking it is a current ms time. */
function stable(q: Record<string, string | number>): Record<string, string | number> {
  const { timestamp, ...rest } = q;
  expect(typeof timestamp).toBe("number");
  expect(Math.abs((timestamp as number) - Date.now())).toBeLessThan(5_000);
  return rest;
}

describe("REST spec", () => {
  test("one host and one budget for both venues: 500 requests / 10 s, cost 1 each", () => {
    for (const r of [spot, swap]) {
      expect(r.defaultUrl).toBe("https://open-api.bingx.com");
      expect(r.limits).toEqual({ budget: 500, windowMs: 10_000 });
      expect(r.klinesPageLimit).toBe(1440);
    }
    expect(spot.marketsRequest()).toMatchObject({
      method: "GET",
      path: "/openApi/spot/v1/common/symbols",
      weight: 1,
    });
    expect(swap.marketsRequest()).toMatchObject({
      method: "GET",
      path: "/openApi/swap/v2/quote/contracts",
      weight: 1,
    });
    expect(stable(swap.marketsRequest().query)).toEqual({});
  });
});

describe("markets", () => {
  test("spot symbols: tick, step, min notional, status", () => {
    const body = {
      code: 0,
      msg: "",
      debugMsg: "",
      data: {
        symbols: [
          {
            symbol: "BTC-USDT",
            minQty: 0.0001826,
            minNotional: 5,
            status: 1,
            tickSize: 0.01,
            stepSize: 0.00001,
          },
          { symbol: "OLD-USDT", minNotional: 5, status: 30, tickSize: 0.0001, stepSize: 1 },
          { symbol: "NEW-USDT", minNotional: 0, status: 5, tickSize: 0.0001, stepSize: 1 },
          { symbol: "ODD_NAME-USDT", status: 1, tickSize: 1, stepSize: 1 },
        ],
      },
    };
    const markets = spot.parseMarkets(body);
    expect(markets).toEqual([
      {
        exchange: "bingx",
        market: "BTC-USDT",
        symbol: "BTC-USDT",
        base: "BTC",
        quote: "USDT",
        type: "spot",
        status: "trading",
        tickSize: 0.01,
        lotSize: 0.00001,
        minNotional: 5,
      },
      expect.objectContaining({ market: "OLD-USDT", status: "delisted", lotSize: 1 }),
      expect.objectContaining({ market: "NEW-USDT", status: "halted", minNotional: null }),
    ]);
    for (const m of markets) expect(Value.Check(MarketInfoSchema, m)).toBe(true);
  });

  test("swap contracts: precisions → tick/lot size, BASE-QUOTE-PERP", () => {
    const body = {
      code: 0,
      msg: "",
      data: [
        {
          contractId: "100",
          symbol: "BTC-USDT",
          quantityPrecision: 4,
          pricePrecision: 1,
          tradeMinUSDT: 2,
          currency: "USDT",
          asset: "BTC",
          status: 1,
        },
        {
          contractId: "101",
          symbol: "SHIB-USDT",
          quantityPrecision: 0,
          pricePrecision: 9,
          tradeMinUSDT: 2,
          status: 25,
        },
        { contractId: "102", symbol: "GONE-USDT", quantityPrecision: 2, pricePrecision: 2, status: 0 },
      ],
    };
    const markets = swap.parseMarkets(body);
    expect(markets[0]).toEqual({
      exchange: "bingx",
      market: "BTC-USDT-PERP",
      symbol: "BTC-USDT",
      base: "BTC",
      quote: "USDT",
      type: "perp",
      status: "trading",
      tickSize: 0.1,
      lotSize: 0.0001,
      minNotional: 2,
    });
    expect(markets[1]).toMatchObject({
      market: "SHIB-USDT-PERP",
      status: "halted",
      tickSize: 1e-9,
      lotSize: 1,
    });
    expect(markets[2]).toMatchObject({ market: "GONE-USDT-PERP", status: "delisted", minNotional: null });
    for (const m of markets) expect(Value.Check(MarketInfoSchema, m)).toBe(true);
  });

  test("non-zero codes throw, retryable where BingX says try later", () => {
    const fail = (code: number) => {
      try {
        swap.parseMarkets({ code, msg: "nope" });
      } catch (e) {
        return e as TickerplantError;
      }
      throw new Error("did not throw");
    };
    expect(fail(109425)).toBeInstanceOf(TickerplantError);
    expect(fail(109425).message).toMatch(/nope \(code 109425\)/);
    expect(isRetryable(fail(109425))).toBe(false);
    expect(isRetryable(fail(100410))).toBe(true);
    expect(() => spot.parseMarkets({ code: 0, data: [] })).toThrow(ParseError);
    expect(() => swap.parseMarkets("<html>")).toThrow(ParseError);
  });
});

describe("klines", () => {
  test("requests: paths, interval names, limit ≤ 1440, UTC boundaries, timestamp", () => {
    const s = spot.klinesRequest({
      market: "BTC-USDT",
      interval: "1h",
      startTime: 1702717199998.6,
      limit: 5000,
    });
    expect([s.path, s.weight]).toEqual(["/openApi/spot/v2/market/kline", 1]);
    expect(stable(s.query)).toEqual({
      symbol: "BTC-USDT",
      interval: "1h",
      startTime: 1702717199998,
      limit: 1440,
      timeZone: 0,
    });
    const w = swap.klinesRequest({
      market: "KNC-USDT-PERP",
      interval: "1M",
      endTime: 1702717200000,
      limit: 3,
    });
    expect(w.path).toBe("/openApi/swap/v3/quote/klines");
    expect(stable(w.query)).toEqual({
      symbol: "KNC-USDT",
      interval: "1M",
      endTime: 1702717200000,
      limit: 3,
      timeZone: 0,
    });
    expect(() => swap.klinesRequest({ market: "BTC-USDT-PERP", interval: "1s" })).toThrow(/interval/);
    expect(() => spot.klinesRequest({ market: "BTC-USDT-PERP", interval: "1m" })).toThrow(/perp/);
  });

  test("swap_rest_klines.json (KNC 1h, time = open time) → one closed candle", () => {
    const after = 1702721000000; // received after the hour
    const candles = swap.parseKlines(readJson("bingx/swap_rest_klines.json"), {
      recvTs: after,
      market: "KNC-USDT-PERP",
      interval: "1h",
    });
    expect(candles).toEqual([
      {
        type: "candle",
        exchange: "bingx",
        market: "KNC-USDT-PERP",
        symbol: "KNC-USDT",
        ts: 1702720799999,
        recvTs: after,
        interval: "1h",
        openTime: 1702717200000,
        closeTime: 1702720799999,
        open: 0.7034,
        high: 0.7081,
        low: 0.7033,
        close: 0.7065,
        volume: 635494,
        quoteVolume: null,
        trades: null,
        closed: true,
      },
    ]);
    // received during the hour: still open, ts = recvTs
    const open = swap.parseKlines(readJson("bingx/swap_rest_klines.json"), {
      recvTs: 1702718000000,
      market: "KNC-USDT-PERP",
      interval: "1h",
    });
    expect([open[0]!.closed, open[0]!.ts]).toEqual([false, 1702718000000]);
  });

  test("spot rows (docs example, newest first) → oldest first with quote volume", () => {
    const body = {
      code: 0,
      timestamp: 1702720626772,
      data: [
        [1702720620000, 42216.29, 42216.94, 42216.29, 42216.72, 0.2, 1702720679999, 8548.46],
        [1702720560000, 42220.61, 42221.1, 42215.56, 42216.63, 2.93, 1702720619999, 123968.7],
      ],
    };
    const candles = spot.parseKlines(body, { recvTs: 1702720626772, market: "BTC-USDT", interval: "1m" });
    expect(candles.map((c) => [c.openTime, c.closeTime, c.close, c.volume, c.quoteVolume, c.closed])).toEqual(
      [
        [1702720560000, 1702720619999, 42216.63, 2.93, 123968.7, true],
        [1702720620000, 1702720679999, 42216.72, 0.2, 8548.46, false],
      ],
    );
    for (const c of candles) expect(Value.Check(CandleSchema, c)).toBe(true);
    expect(() =>
      spot.parseKlines({ code: 0, data: [[1, 2, 3]] }, { recvTs: 1, market: "BTC-USDT", interval: "1m" }),
    ).toThrow(ParseError);
  });
});

describe("trades", () => {
  test("requests: recent without fromId, history with it; limits per endpoint", () => {
    const r = swap.tradesRequest({ market: "BTC-USDT-PERP", limit: 5000 });
    expect(r.path).toBe("/openApi/swap/v2/quote/trades");
    expect(stable(r.query)).toEqual({ symbol: "BTC-USDT", limit: 1000 });
    const h = swap.tradesRequest({ market: "ETH-USDT-PERP", fromId: "412551" });
    expect(h.path).toBe("/openApi/swap/v1/market/historicalTrades");
    expect(stable(h.query)).toEqual({ symbol: "ETH-USDT", fromId: "412551", limit: 500 });
    expect(spot.tradesRequest({ market: "BTC-USDT" }).path).toBe("/openApi/spot/v1/market/trades");
    expect(stable(spot.tradesRequest({ market: "BTC-USDT", limit: 9 }).query)).toEqual({
      symbol: "BTC-USDT",
      limit: 9,
    });
    expect(spot.tradesRequest({ market: "BTC-USDT", fromId: "5" }).path).toBe("/openApi/market/his/v1/trade");
    expect(() => spot.tradesRequest({ market: "BTC-USDT", fromId: "1e5" })).toThrow(/fromId/);
  });

  test("swap_rest_recenttrades.json (no ids) → oldest first, content ids as the stream gives them", () => {
    const trades = swap.parseTrades(readJson("bingx/swap_rest_recenttrades.json"), {
      recvTs: RECV,
      market: "BTC-USDT-PERP",
    });
    expect(trades).toHaveLength(10);
    expect(trades[0]).toEqual({
      type: "trade",
      exchange: "bingx",
      market: "BTC-USDT-PERP",
      symbol: "BTC-USDT",
      ts: 1702719265198,
      recvTs: RECV,
      id: "1702719265198-42217.2-0.0112-s-0",
      price: 42217.2,
      amount: 0.0112,
      side: "sell", // isBuyerMaker
    });
    expect(trades[9]).toMatchObject({
      ts: 1702719269849,
      price: 42214,
      amount: 0.0248,
      side: "sell",
      id: "1702719269849-42214.0-0.0248-s-0",
    });
    expect(trades.map((t) => t.side).filter((s) => s === "buy")).toHaveLength(6);
    expect(trades.map((t) => t.ts)).toEqual([...trades.map((t) => t.ts)].sort((a, b) => a - b));
    for (const t of trades) expect(Value.Check(TradeSchema, t)).toBe(true);
  });

  test("the REST content id equals the stream's for the same trade", () => {
    const wire =
      '{"code":0,"dataType":"BTC-USDT@trade","data":[{"q":"0.0248","p":"42214.0","T":1702719269849,"m":true,"s":"BTC-USDT"}]}';
    const r = bingxSwap.parseFrame(wire, { recvTs: RECV, marketOf: () => "BTC-USDT-PERP", state: new Map() });
    const rest = swap.parseTrades(readJson("bingx/swap_rest_recenttrades.json"), {
      recvTs: RECV,
      market: "BTC-USDT-PERP",
    });
    const streamed = r.kind === "data" ? r.messages[0] : undefined;
    expect(streamed?.type === "trade" ? streamed.id : "").toBe(rest[9]!.id);
  });

  test("spot rows: recent {id,...,buyerMaker} and history {tid,t,p,v} (side unknown)", () => {
    const recent = spot.parseTrades(
      {
        code: 0,
        data: [
          { id: 76909154, price: 42195.21, qty: 0.00195, time: 1702720325553, buyerMaker: true },
          { id: 76909153, price: 42195.31, qty: 0.00139, time: 1702720325552, buyerMaker: false },
        ],
      },
      { recvTs: RECV, market: "BTC-USDT" },
    );
    expect(recent.map((t) => [t.id, t.price, t.amount, t.side, t.ts])).toEqual([
      ["76909153", 42195.31, 0.00139, "buy", 1702720325552],
      ["76909154", 42195.21, 0.00195, "sell", 1702720325553],
    ]);
    const history = spot.parseTrades(
      {
        code: 0,
        data: [
          { tid: "170891918044290305561", t: 1708919180442, ms: 2, s: "BTC-USDT", p: 51496.35, v: 0.00063 },
        ],
      },
      { recvTs: RECV, market: "BTC-USDT" },
    );
    expect(history.map((t) => [t.id, t.price, t.amount, t.side])).toEqual([
      ["170891918044290305561", 51496.35, 0.00063, "unknown"],
    ]);
    expect(() =>
      spot.parseTrades({ code: 0, data: [{ id: 1 }] }, { recvTs: RECV, market: "BTC-USDT" }),
    ).toThrow(ParseError);
    expect(() => spot.parseTrades({ code: 0, data: {} }, { recvTs: RECV, market: "BTC-USDT" })).toThrow(
      ParseError,
    );
  });
});

describe("depth", () => {
  test("requests: spot limit ≤ 1000; swap limit rounded up to an allowed value", () => {
    const s = spot.depthRequest("BTC-USDT", 5000);
    expect([s.path, s.weight]).toEqual(["/openApi/spot/v1/market/depth", 1]);
    expect(stable(s.query)).toEqual({ symbol: "BTC-USDT", limit: 1000 });
    const w = swap.depthRequest("SHIB-USDT-PERP", 30);
    expect(w.path).toBe("/openApi/swap/v2/quote/depth");
    expect(stable(w.query)).toEqual({ symbol: "SHIB-USDT", limit: 50 });
    expect([1, 5, 6, 100, 101, 999, 5000].map(swapDepthLimit)).toEqual([5, 5, 10, 100, 500, 1000, 1000]);
  });

  test("swap_rest_orderbook.json → snapshot, asks sorted best first, seq = T (no update id)", () => {
    const book = swap.parseDepth(readJson("bingx/swap_rest_orderbook.json"), {
      recvTs: RECV,
      market: "SHIB-USDT-PERP",
    });
    expect(book).toEqual({
      type: "book",
      exchange: "bingx",
      market: "SHIB-USDT-PERP",
      symbol: "SHIB-USDT",
      ts: 1702719083983,
      recvTs: RECV,
      kind: "snapshot",
      seq: 1702719083983,
      prevSeq: null,
      bids: [
        [0.000009854, 483909],
        [0.000009853, 824851],
        [0.000009852, 539085],
        [0.000009851, 697410],
        [0.00000985, 488828],
      ],
      asks: [
        [0.000009856, 687669],
        [0.000009857, 976049],
        [0.000009858, 501588],
        [0.000009859, 279010],
        [0.00000986, 578208],
      ],
    });
    expect(Value.Check(BookSchema, book)).toBe(true);
  });

  test("spot body {bids, asks, ts}", () => {
    const book = spot.parseDepth(
      {
        code: 0,
        timestamp: 1702720487674,
        data: {
          bids: [["42182.22", "0.99114"]],
          asks: [
            ["42183.23", "3.57"],
            ["42183.17", "4.14752"],
          ],
          ts: 1702720487674,
        },
      },
      { recvTs: RECV, market: "BTC-USDT" },
    );
    expect([book.seq, book.ts, book.asks[0]]).toEqual([1702720487674, 1702720487674, [42183.17, 4.14752]]);
    expect(() =>
      spot.parseDepth({ code: 0, data: { bids: "x", asks: [] } }, { recvTs: RECV, market: "BTC-USDT" }),
    ).toThrow(ParseError);
  });
});

describe("deriv poll: funding, index and open interest are REST only", () => {
  const poll = swap.polls?.find((p) => p.name === "deriv");
  const premium = readJson("bingx/swap_rest_premiumindex.json") as { data: Record<string, unknown> };
  const oi = readJson("bingx/swap_rest_openinterest.json") as { data: Record<string, unknown> };

  test("swap only; two requests per market, each carrying a timestamp", () => {
    expect(spot.polls).toBeUndefined();
    expect(swap.polls?.map((p) => p.name)).toEqual(["deriv"]);
    const reqs = poll!.requests({ market: "BTC-USDT-PERP", from: 0, to: 1 });
    expect(reqs.map((r) => [r.method, r.path, r.weight, stable(r.query)])).toEqual([
      ["GET", "/openApi/swap/v2/quote/premiumIndex", 1, { symbol: "BTC-USDT" }],
      ["GET", "/openApi/swap/v2/quote/openInterest", 1, { symbol: "BTC-USDT" }],
    ]);
  });

  test("the recorded premiumIndex: mark, index, last funding rate, next funding time", () => {
    // the recorded open-interest body is EOS's: the same shape, here for BTC
    const btcOi = { ...oi, data: { ...oi.data, symbol: "BTC-USDT", openInterest: "422164000.00" } };
    const [d] = poll!.parse([premium, btcOi], { recvTs: RECV, market: "BTC-USDT-PERP" });
    expect(Value.Check(DerivSchema, d)).toBe(true);
    expect(d).toEqual({
      type: "deriv",
      exchange: "bingx",
      market: "BTC-USDT-PERP",
      symbol: "BTC-USDT",
      ts: 1702719692859,
      recvTs: RECV,
      markPrice: 42216.4,
      indexPrice: 42219.9,
      fundingRate: 0.000251,
      nextFundingTime: 1702742400000,
      // BingX gives open interest in USDT: base = USDT / mark
      openInterest: 422164000 / 42216.4,
    });
  });

  test("the recorded openInterest (EOS, USDT) → base units by the mark price", () => {
    const eosPremium = { ...premium, data: { ...premium.data, symbol: "EOS-USDT", markPrice: "0.8" } };
    const [d] = poll!.parse([eosPremium, oi], { recvTs: RECV, market: "EOS-USDT-PERP" });
    expect(d).toMatchObject({ market: "EOS-USDT-PERP", ts: 1702719692859, markPrice: 0.8 });
    expect(d?.type === "deriv" && d.openInterest).toBeCloseTo(7409966.52 / 0.8, 6);
  });

  test("bad bodies throw ParseError or the business error", () => {
    const c = { recvTs: RECV, market: "BTC-USDT-PERP" };
    const btcOi = { ...oi, data: { ...oi.data, symbol: "BTC-USDT" } };
    expect(() => poll!.parse([premium, oi], c)).toThrow(/asked for BTC-USDT/);
    expect(() => poll!.parse([{ ...premium, data: { ...premium.data, markPrice: "x" } }, btcOi], c)).toThrow(
      ParseError,
    );
    expect(() => poll!.parse([premium, { ...btcOi, data: { ...btcOi.data, time: "soon" } }], c)).toThrow(
      ParseError,
    );
    expect(() => poll!.parse([{ code: 109400, msg: "symbol not exist" }, btcOi], c)).toThrow(
      TickerplantError,
    );
  });

  test("contracts: no contract multiplier (size 0): swap quantities are in base, no contract value", () => {
    const markets = swap.parseMarkets(readJson("bingx/swap_rest_contracts.json"));
    expect(markets.map((m) => [m.market, m.tickSize, m.lotSize, m.contractValue])).toEqual([
      ["BTC-USDT-PERP", 0.1, 0.0001, undefined],
      ["ETH-USDT-PERP", 0.01, 0.01, undefined],
    ]);
  });
});
