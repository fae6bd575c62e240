import { describe, expect, test } from "bun:test";
import type { FrameResult, ParseContext } from "../src/adapter.ts";
import { bybitLinear, bybitSpot, INVALID_REASONS } from "../src/exchanges/bybit/index.ts";
import { readLines } from "./fixtures.ts";
import { expectInvalidResult, parseContext } from "./parse-harness.ts";

function ctx(): ParseContext {
  return parseContext({ BTCUSDT: "BTC-USDT-PERP" });
}

function parse(frame: string | Uint8Array, c = ctx()): FrameResult {
  return bybitLinear.parseFrame(frame, c);
}

function expectInvalid(frame: string, reason: string, detail?: RegExp, c = ctx()): void {
  expectInvalidResult(parse(frame, c), reason, INVALID_REASONS, detail);
}

const TRADE = {
  topic: "publicTrade.BTCUSDT",
  type: "snapshot",
  ts: 1789299660724,
  data: [{ i: "2100000000188691524", T: 1789299660688, p: "77140.5", v: "0.00389", S: "Sell", s: "BTCUSDT" }],
};
const BOOK = {
  topic: "orderbook.50.BTCUSDT",
  ts: 1789299658933,
  type: "delta",
  data: { s: "BTCUSDT", b: [["77140.3", "0"]], a: [], u: 3734359, seq: 2189232166 },
};
const KLINE = {
  topic: "kline.5.BTCUSDT",
  type: "snapshot",
  ts: 1672324988882,
  data: [
    {
      start: 1672324800000,
      end: 1672325099999,
      interval: "5",
      open: "16649.5",
      close: "16677",
      high: "16677",
      low: "16608",
      volume: "2.081",
      turnover: "34666.4005",
      confirm: false,
      timestamp: 1672324988882,
    },
  ],
};
const TICKER = {
  topic: "tickers.BTCUSDT",
  type: "snapshot",
  ts: 1673272861686,
  cs: 24987956059,
  data: {
    symbol: "BTCUSDT",
    lastPrice: "17216.00",
    prevPrice24h: "16926.50",
    highPrice24h: "17281.50",
    lowPrice24h: "16915.00",
    volume24h: "91705.276",
    turnover24h: "1570383121.943499",
    price24hPcnt: "0.017103",
    markPrice: "17217.33",
    indexPrice: "17227.36",
    openInterest: "68744.761",
    nextFundingTime: "1673280000000",
    fundingRate: "-0.000212",
    bid1Price: "17215.50",
    ask1Price: "17216.00",
  },
};
const LIQ = {
  topic: "allLiquidation.BTCUSDT",
  type: "snapshot",
  ts: 1739502303204,
  data: [{ T: 1739502302929, s: "BTCUSDT", S: "Sell", v: "0.5", p: "96000.1" }],
};

type Obj = Record<string, unknown>;
const patch = (base: Obj, p: Obj) => JSON.stringify({ ...base, ...p });
const patchData = (base: Obj, p: Obj) =>
  JSON.stringify({
    ...base,
    data: Array.isArray(base.data) ? [{ ...(base.data[0] as Obj), ...p }] : { ...(base.data as Obj), ...p },
  });

describe("malformed frames → invalid, never throw", () => {
  test("the well-formed bases parse", () => {
    for (const f of [TRADE, BOOK, KLINE, TICKER, LIQ]) expect(parse(JSON.stringify(f)).kind).toBe("data");
  });

  test("malformed JSON", () => {
    expectInvalid("", "malformed_json");
    expectInvalid("{", "malformed_json");
    expectInvalid("not json", "malformed_json");
    expectInvalid('{"topic":"publicTrade.BTCUSDT","data":[', "malformed_json", /publicTrade/);
    expectInvalid(new TextDecoder().decode(new Uint8Array([0xff, 0xfe, 0x00])), "malformed_json");
  });

  test("every truncation of every recorded spot line is invalid", () => {
    const lines = readLines("bybit/v5_spot_testnet_BTCUSDT_ws.jsonl");
    let n = 0;
    for (const line of lines) {
      for (let cut = 0; cut < line.length; cut += 3) {
        const r = bybitSpot.parseFrame(line.slice(0, cut), ctx());
        expect(r.kind).toBe("invalid");
        n++;
      }
    }
    expect(n).toBeGreaterThan(3500);
  });

  test("JSON that is not an object, or has neither topic nor op", () => {
    expectInvalid("42", "invalid_shape");
    expectInvalid("[1,2]", "invalid_shape");
    expectInvalid("null", "invalid_shape");
    expectInvalid("{}", "unknown_message");
    expectInvalid('{"foo":1}', "unknown_message", /foo/);
    expectInvalid('{"topic":7}', "invalid_field", /topic/);
  });

  test("unknown and malformed topics; known topics we do not normalize are ignored", () => {
    expectInvalid(patch(TRADE, { topic: "somethingNew.BTCUSDT" }), "unknown_topic", /somethingNew/);
    expectInvalid(patch(TRADE, { topic: "publicTrade" }), "unknown_topic");
    expectInvalid(patch(TRADE, { topic: "publicTrade." }), "unknown_topic");
    expectInvalid(patch(BOOK, { topic: "orderbook.BTCUSDT" }), "unknown_topic");
    expectInvalid(patch(BOOK, { topic: "orderbook.x.BTCUSDT" }), "unknown_topic");
    expectInvalid(patch(BOOK, { topic: "orderbook.5x.BTCUSDT" }), "unknown_topic");
    expectInvalid(patch(BOOK, { topic: "orderbook.-5.BTCUSDT" }), "unknown_topic");
    expectInvalid(patch(BOOK, { topic: "orderbook..BTCUSDT" }), "unknown_topic");
    expectInvalid(patch(KLINE, { topic: "kline.2.BTCUSDT" }), "unknown_topic", /kline interval/);
    expectInvalid(patch(KLINE, { topic: "kline.BTCUSDT" }), "unknown_topic");
    expect(parse(patch(BOOK, { topic: "orderbook.rpi.BTCUSDT" }))).toEqual({
      kind: "ignored",
      reason: "unsupported:orderbook.rpi",
    });
    expect(parse(patch(TRADE, { topic: "insurance.USDT" }))).toEqual({
      kind: "ignored",
      reason: "unsupported:insurance",
    });
    expect(parse('{"success":true,"ret_msg":"","op":"auth","conn_id":"x"}')).toEqual({
      kind: "ignored",
      reason: "unsupported:op:auth",
    });
  });

  test("unknown symbol", () => {
    expectInvalid(
      JSON.stringify({ ...TRADE, topic: "publicTrade.ETHUSDT", data: [] }),
      "unknown_symbol",
      /ETHUSDT/,
    );
    expectInvalid(
      patch(BOOK, { topic: "orderbook.50.ETHUSDT", data: { ...BOOK.data, s: "ETHUSDT" } }),
      "unknown_symbol",
    );
    expectInvalid(
      patch(TICKER, { topic: "tickers.ETHUSDT", data: { ...TICKER.data, symbol: "ETHUSDT" } }),
      "unknown_symbol",
    );
    expectInvalid(patch(KLINE, { topic: "kline.5.ETHUSDT" }), "unknown_symbol");
    expectInvalid(JSON.stringify({ ...LIQ, topic: "allLiquidation.ETHUSDT", data: [] }), "unknown_symbol");
  });

  test("trades: bad fields", () => {
    expectInvalid(patch(TRADE, { data: "x" }), "invalid_field", /data/);
    expectInvalid(patch(TRADE, { data: [7] }), "invalid_field", /data\[0\]/);
    expectInvalid(patchData(TRADE, { s: "ETHUSDT" }), "invalid_field", /\.s/);
    expectInvalid(patchData(TRADE, { i: "" }), "invalid_field", /\.i/);
    expectInvalid(patchData(TRADE, { i: 5 }), "invalid_field", /\.i/);
    expectInvalid(patchData(TRADE, { p: "abc" }), "invalid_field", /\.p/);
    expectInvalid(patchData(TRADE, { v: null }), "invalid_field", /\.v/);
    expectInvalid(patchData(TRADE, { T: "soon" }), "invalid_field", /\.T/);
    expectInvalid(patchData(TRADE, { T: -1 }), "invalid_field", /\.T/);
    expectInvalid(patchData(TRADE, { S: "buy" }), "invalid_field", /\.S/);
    expectInvalid(
      JSON.stringify({ ...TRADE, data: [{ ...TRADE.data[0] }, { ...TRADE.data[0], p: "" }] }),
      "invalid_field",
      /data\[1\]/,
    );
  });

  test("order books: bad fields", () => {
    expectInvalid(patch(BOOK, { type: "update" }), "invalid_field", /type/);
    expectInvalid(patch(BOOK, { data: [] }), "invalid_field", /data/);
    expectInvalid(patch(BOOK, { ts: "now" }), "invalid_field", /ts/);
    expectInvalid(patchData(BOOK, { s: "ETHUSDT" }), "invalid_field", /data\.s/);
    expectInvalid(patchData(BOOK, { u: 0 }), "invalid_field", /data\.u/);
    expectInvalid(patchData(BOOK, { u: "x" }), "invalid_field", /data\.u/);
    expectInvalid(patchData(BOOK, { b: "oops" }), "invalid_field", /data\.b/);
    expectInvalid(patchData(BOOK, { a: [[1]] }), "invalid_field", /data\.a/);
    expectInvalid(patchData(BOOK, { a: [["1", "x"]] }), "invalid_field", /data\.a/);
    expectInvalid(patch(BOOK, { topic: "orderbook.1.BTCUSDT", type: "partial" }), "invalid_field", /type/);
  });

  test("klines, tickers, liquidations: bad fields", () => {
    expectInvalid(patch(KLINE, { data: {} }), "invalid_field", /data/);
    expectInvalid(patch(KLINE, { ts: null }), "invalid_field", /ts/);
    expectInvalid(patchData(KLINE, { interval: "1" }), "invalid_field", /interval/);
    expectInvalid(patchData(KLINE, { start: "x" }), "invalid_field", /start/);
    expectInvalid(patchData(KLINE, { high: "" }), "invalid_field", /high/);
    expectInvalid(patchData(KLINE, { turnover: [] }), "invalid_field", /turnover/);
    expectInvalid(patchData(KLINE, { confirm: "true" }), "invalid_field", /confirm/);
    expectInvalid(patch(TICKER, { type: "update" }), "invalid_field", /type/);
    expectInvalid(patch(TICKER, { data: [] }), "invalid_field", /data/);
    expectInvalid(patchData(TICKER, { symbol: "ETHUSDT" }), "invalid_field", /symbol/);
    expectInvalid(patchData(TICKER, { lastPrice: "n/a" }), "invalid_field", /lastPrice/);
    expectInvalid(patchData(TICKER, { price24hPcnt: undefined }), "invalid_field", /price24hPcnt/);
    expectInvalid(patchData(TICKER, { markPrice: "x" }), "invalid_field", /markPrice/);
    expectInvalid(patchData(TICKER, { bid1Price: "x" }), "invalid_field", /bid1Price/);
    expectInvalid(patch(TICKER, { ts: 0 }), "invalid_field", /ts/);
    expectInvalid(patch(LIQ, { data: {} }), "invalid_field", /data/);
    expectInvalid(patchData(LIQ, { S: "Long" }), "invalid_field", /\.S/);
    expectInvalid(patchData(LIQ, { p: "" }), "invalid_field", /\.p/);
    expectInvalid(patchData(LIQ, { s: "X" }), "invalid_field", /\.s/);
    expectInvalid(
      JSON.stringify({
        topic: "liquidation.BTCUSDT",
        type: "snapshot",
        ts: 1,
        data: { symbol: "BTCUSDT", side: "Buy", size: "1", price: "1" },
      }),
      "invalid_field",
      /updatedTime/,
    );
  });

  test("a ticker delta without a snapshot; bad merged values surface on the next push", () => {
    const c = ctx();
    expectInvalid(patch(TICKER, { type: "delta" }), "delta_without_snapshot", /tickers\.BTCUSDT/, c);
    expect(parse(JSON.stringify(TICKER), c).kind).toBe("data");
    expectInvalid(
      JSON.stringify({ ...TICKER, type: "delta", data: { symbol: "BTCUSDT", lastPrice: "bad" } }),
      "invalid_field",
      /lastPrice/,
      c,
    );
  });

  test("a level-1 book that lost a side is ignored, not published", () => {
    const c = ctx();
    const snap = {
      topic: "orderbook.1.BTCUSDT",
      type: "snapshot",
      ts: 1,
      data: { s: "BTCUSDT", b: [["1", "1"]], a: [], u: 5, seq: 9 },
    };
    expect(parse(JSON.stringify(snap), c)).toEqual({ kind: "ignored", reason: "one_sided_book" });
    const delta = { ...snap, type: "delta", data: { ...snap.data, a: [["2", "3"]], b: [], u: 6 } };
    expect(parse(JSON.stringify(delta), c)).toMatchObject({
      kind: "data",
      messages: [{ bidPrice: 1, askPrice: 2, seq: 6 }],
    });
    const remove = { ...snap, type: "delta", data: { ...snap.data, a: [["2", "0"]], b: [], u: 7 } };
    expect(parse(JSON.stringify(remove), c)).toEqual({ kind: "ignored", reason: "one_sided_book" });
  });

  test("a book delta with u = 1 (Bybit restarted the service) is a snapshot", () => {
    const r = parse(patchData(BOOK, { u: 1 }));
    expect(r).toMatchObject({ kind: "data", messages: [{ kind: "snapshot", seq: 1, prevSeq: null }] });
  });

  test("binary frames are decoded as UTF-8", () => {
    const r = parse(new TextEncoder().encode(JSON.stringify(TRADE)));
    expect(r).toMatchObject({ kind: "data", messages: [{ id: "2100000000188691524", side: "sell" }] });
  });
});
