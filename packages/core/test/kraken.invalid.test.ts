import { describe, expect, test } from "bun:test";
import type { FrameResult } from "../src/adapter.ts";
import { INVALID_REASONS, kraken } from "../src/exchanges/kraken/index.ts";
import { readLines } from "./fixtures.ts";
import { expectInvalidResult, parseContext } from "./parse-harness.ts";

const ctx = parseContext({ "BTC/USD": "BTC-USD", "XMR/USD": "XMR-USD" });

function parse(frame: string | Uint8Array): FrameResult {
  return kraken.parseFrame(frame, ctx);
}

function expectInvalid(frame: string, reason: string, detail?: RegExp): void {
  expectInvalidResult(parse(frame), reason, INVALID_REASONS, detail);
}

const TRADE = {
  symbol: "BTC/USD",
  side: "buy",
  price: 105944.2,
  qty: 0.00027625,
  ord_type: "limit",
  trade_id: 10218208,
  timestamp: "2023-10-06T17:35:55.440295Z",
};
const trade = (patch: Record<string, unknown>) =>
  JSON.stringify({ channel: "trade", type: "update", data: [{ ...TRADE, ...patch }] });

const TICKER = {
  symbol: "BTC/USD",
  bid: 1,
  bid_qty: 1,
  ask: 2,
  ask_qty: 1,
  last: 2,
  volume: 1,
  vwap: 1,
  low: 1,
  high: 2,
  change: 0,
  change_pct: 0,
};

describe("malformed frames → invalid, never throw", () => {
  test("malformed JSON", () => {
    expectInvalid("", "malformed_json");
    expectInvalid("{", "malformed_json");
    expectInvalid("not json", "malformed_json");
    expectInvalid('{"channel":"trade","data":[', "malformed_json", /channel/);
    expectInvalid(new TextDecoder().decode(new Uint8Array([0xff, 0xfe, 0x00])), "malformed_json");
  });

  test("every truncation of every recorded line (all kraken fixture files) is invalid", () => {
    let n = 0;
    for (const file of [
      "kraken/v1_trade_allpairs_ws.jsonl",
      "kraken/v1_ticker_allpairs_ws.jsonl",
      "kraken/tardis_v1_messages.jsonl",
    ]) {
      for (const line of readLines(file)) {
        for (let cut = 0; cut < line.length; cut++) {
          expect(parse(line.slice(0, cut)).kind).toBe("invalid");
          n++;
        }
      }
    }
    // and a sample of the (long) book lines
    for (const line of readLines("kraken/v1_book1000_XMRUSD_ws.jsonl").slice(0, 20)) {
      for (let cut = 0; cut < line.length; cut += 11) {
        expect(parse(line.slice(0, cut)).kind).toBe("invalid");
        n++;
      }
    }
    expect(n).toBeGreaterThan(10_000);
  });

  test("JSON that is neither an object nor an array; arrays too short", () => {
    expectInvalid("42", "invalid_shape");
    expectInvalid('"trade"', "invalid_shape");
    expectInvalid("null", "invalid_shape");
    expectInvalid("[]", "invalid_shape");
    expectInvalid('[1,"trade","XMR/USD"]', "invalid_shape");
  });

  test("unknown channels, methods, events", () => {
    expectInvalid('{"channel":"somethingNew","data":[]}', "unknown_event", /somethingNew/);
    expectInvalid('{"event":"newEvent"}', "unknown_event", /newEvent/);
    expectInvalid("{}", "unknown_event");
    expectInvalid('{"method":"subscribe"}', "unknown_event");
    expectInvalid('[1,[],"candles-1","XMR/USD"]', "unknown_event", /candles-1/);
  });

  test("unknown symbols (v2 and v1)", () => {
    expectInvalid(trade({ symbol: "ETH/USD" }), "unknown_symbol", /ETH\/USD/);
    expectInvalid('[1,[["1","1","1.5","b","l",""]],"trade","LTC/XBT"]', "unknown_symbol", /LTC\/XBT/);
    // v1 legacy names resolve through their v2 names
    expect(parse('[1,[["1","1","1.5","b","l",""]],"trade","XBT/USD"]').kind).toBe("data");
  });

  test("v2 trade fields", () => {
    expectInvalid(trade({ trade_id: "abc" }), "invalid_field", /trade_id/);
    expectInvalid(trade({ trade_id: undefined }), "invalid_field", /missing "trade_id"/);
    expectInvalid(trade({ price: "x" }), "invalid_field", /price/);
    expectInvalid(trade({ qty: null }), "invalid_field", /qty/);
    expectInvalid(trade({ side: "b" }), "invalid_field", /side/);
    expectInvalid(trade({ timestamp: "yesterday" }), "invalid_field", /timestamp/);
    expectInvalid(trade({ timestamp: 1696613755 }), "invalid_field", /timestamp/);
    expectInvalid(trade({ symbol: 7 }), "invalid_field", /symbol/);
    expectInvalid('{"channel":"trade","type":"update","data":{}}', "invalid_field", /data/);
    expectInvalid('{"channel":"trade","type":"update","data":[7]}', "invalid_field", /data\[0\]/);
  });

  test("v2 ticker, book and ohlc fields", () => {
    const ticker = (patch: Record<string, unknown>) =>
      JSON.stringify({ channel: "ticker", type: "update", data: [{ ...TICKER, ...patch }] });
    expect(parse(ticker({})).kind).toBe("data");
    expectInvalid(ticker({ vwap: "n/a" }), "invalid_field", /vwap/);
    expectInvalid(ticker({ bid: undefined }), "invalid_field", /missing "bid"/);
    expectInvalid(ticker({ change_pct: "x" }), "invalid_field", /change_pct/);
    expectInvalid(ticker({ timestamp: "x" }), "invalid_field", /timestamp/);
    const bookFrame = (d: Record<string, unknown>, type = "update") =>
      JSON.stringify({
        channel: "book",
        type,
        data: [{ symbol: "BTC/USD", bids: [], asks: [], checksum: 1, ...d }],
      });
    expect(parse(bookFrame({})).kind).toBe("data");
    expectInvalid(bookFrame({}, "partial"), "invalid_field", /type/);
    expectInvalid(bookFrame({ bids: [{ price: 1 }] }), "invalid_field", /bids/);
    expectInvalid(bookFrame({ asks: [[1, 2]] }), "invalid_field", /asks/);
    expectInvalid(bookFrame({ checksum: -1 }), "invalid_field", /checksum/);
    expectInvalid(bookFrame({ checksum: undefined }), "invalid_field", /checksum/);
    expectInvalid(bookFrame({ bids: [{ price: "1e", qty: 1 }] }), "invalid_field", /bids/);
    const ohlc = (d: Record<string, unknown>) =>
      JSON.stringify({
        channel: "ohlc",
        type: "update",
        data: [
          {
            symbol: "BTC/USD",
            open: 1,
            high: 1,
            low: 1,
            close: 1,
            trades: 1,
            volume: 1,
            vwap: 1,
            interval_begin: "2023-10-04T16:25:00.000000000Z",
            interval: 1,
            ...d,
          },
        ],
      });
    expect(parse(ohlc({})).kind).toBe("data");
    expectInvalid(ohlc({ interval: "1m" }), "invalid_field", /interval/);
    expectInvalid(ohlc({ interval_begin: 0 }), "invalid_field", /interval_begin/);
    expectInvalid(ohlc({ trades: 1.5 }), "invalid_field", /trades/);
    expectInvalid(ohlc({ close: null }), "invalid_field", /close/);
  });

  test("v1 frames with bad fields", () => {
    expectInvalid('[1,{"x":1},"trade","XMR/USD"]', "invalid_field", /trade/);
    expectInvalid('[1,[["1","1","1.5","x","l",""]],"trade","XMR/USD"]', "invalid_field", /side/);
    expectInvalid('[1,[["1","1","soon","b","l",""]],"trade","XMR/USD"]', "invalid_field", /time/);
    expectInvalid('[1,[[1,"1","1.5","b","l",""]],"trade","XMR/USD"]', "invalid_field", /price/);
    expectInvalid('[1,{"a":["1",1,"1"]},"ticker","XMR/USD"]', "invalid_field", /"c"/);
    expectInvalid('[1,["1","2","x","1","1"],"spread","XMR/USD"]', "invalid_field", /time/);
    expectInvalid('[1,{"a":[["1","1"]]},"book-10","XMR/USD"]', "invalid_field", /"a"/);
    expectInvalid('[1,{"a":[["1","1","1.5"]],"c":"x"},"book-10","XMR/USD"]', "invalid_field", /"c"/);
    expectInvalid('[1,{"z":[]},"book-10","XMR/USD"]', "invalid_field", /"z"/);
    expectInvalid('[1,7,"book-10","XMR/USD"]', "invalid_field", /payload/);
    expectInvalid('[1,null,"book-10","XMR/USD"]', "invalid_field", /payload/);
    expectInvalid('[1,["1","2"],"ohlc-1","XMR/USD"]', "invalid_field", /payload/);
    expectInvalid('[1,[],7,"XMR/USD"]', "invalid_field", /channelName/);
    expectInvalid('[1,[],"trade",7]', "invalid_field", /pair/);
    expect(parse('[1,[],"ohlc-21600","XMR/USD"]')).toEqual({
      kind: "ignored",
      reason: "unsupported:ohlc-21600",
    });
  });

  test("nothing throws on random garbage shaped like Kraken frames", () => {
    const shapes = [
      '{"channel":"book","type":"update","data":[{"symbol":"BTC/USD","bids":{"price":1}}]}',
      '{"channel":"ticker","data":[null]}',
      '{"channel":"ohlc","data":[{"symbol":"BTC/USD"}]}',
      '{"method":"subscribe","success":false}',
      '{"success":false,"error":{"x":1}}',
      "[null,null,null,null]",
      '[1,{"as":[],"bs":[]},{"c":"1"},"book-10","XMR/USD"]',
    ];
    for (const s of shapes) expect(() => parse(s)).not.toThrow();
    expect(parse('{"success":false,"error":{"x":1}}')).toEqual({
      kind: "error",
      id: null,
      message: '{"x":1}',
    });
  });
});
