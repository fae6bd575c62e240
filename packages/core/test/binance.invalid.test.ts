import { describe, expect, test } from "bun:test";
import type { FrameResult } from "../src/adapter.ts";
import { binance, INVALID_REASONS } from "../src/exchanges/binance/index.ts";
import { readLines } from "./fixtures.ts";
import { expectInvalidResult, parseContext } from "./parse-harness.ts";

const ctx = parseContext({ BTCUSDT: "BTC-USDT" });

function parse(frame: string | Uint8Array): FrameResult {
  return binance.parseFrame(frame, ctx);
}

function expectInvalid(frame: string, reason: string, detail?: RegExp): void {
  expectInvalidResult(parse(frame), reason, INVALID_REASONS, detail);
}

const TRADE = {
  e: "trade",
  E: 1789295134226,
  s: "BTCUSDT",
  t: 388510,
  p: "76745.19000000",
  q: "0.00065000",
  T: 1789295134225,
  m: false,
  M: true,
};
const with_ = (base: Record<string, unknown>, patch: Record<string, unknown>) =>
  JSON.stringify({ ...base, ...patch });

describe("malformed frames → invalid, never throw", () => {
  test("malformed JSON", () => {
    expectInvalid("", "malformed_json");
    expectInvalid("{", "malformed_json");
    expectInvalid("not json", "malformed_json");
    expectInvalid('{"stream":"btcusdt@trade","data":{"e":"trade"', "malformed_json", /btcusdt@trade/);
    expectInvalid(new TextDecoder().decode(new Uint8Array([0xff, 0xfe, 0x00])), "malformed_json");
  });

  test("every truncation of every recorded testnet line is invalid", () => {
    const lines = readLines("binance/spot_testnet_BTCUSDT_trade_bookTicker_depth_2026_ws.jsonl");
    let n = 0;
    for (const line of lines) {
      for (let cut = 0; cut < line.length; cut++) {
        const r = parse(line.slice(0, cut));
        expect(r.kind).toBe("invalid");
        n++;
      }
    }
    expect(n).toBeGreaterThan(3000);
  });

  test("JSON that is not an object", () => {
    expectInvalid("42", "invalid_shape");
    expectInvalid('"trade"', "invalid_shape");
    expectInvalid("null", "invalid_shape");
    expectInvalid('{"stream":"btcusdt@trade"}', "invalid_shape", /data/);
    expectInvalid('{"stream":"btcusdt@trade","data":7}', "invalid_shape");
  });

  test("unknown event types and payloads", () => {
    expectInvalid('{"e":"somethingNew","E":1,"s":"BTCUSDT"}', "unknown_event", /somethingNew/);
    expectInvalid('{"stream":"btcusdt@x","data":{"foo":1}}', "unknown_event", /foo/);
    expectInvalid("{}", "unknown_event");
    expectInvalid('{"e":42}', "invalid_field", /"e"/);
  });

  test("unknown symbol", () => {
    expectInvalid(with_(TRADE, { s: "ETHUSDT" }), "unknown_symbol", /ETHUSDT/);
    expectInvalid('{"u":1,"s":"XRPUSDT","b":"1","B":"1","a":"1","A":"1"}', "unknown_symbol");
    expectInvalid(
      '{"e":"depthUpdate","E":1,"s":"LTCUSDT","U":1,"u":2,"b":[],"a":[]}',
      "unknown_symbol",
      /depthUpdate.*LTCUSDT/,
    );
    expectInvalid(
      '{"stream":"ethusdt@depthSnapshot","data":{"lastUpdateId":1,"bids":[],"asks":[]}}',
      "unknown_symbol",
    );
  });

  test("trade: missing and mistyped fields", () => {
    expectInvalid(with_(TRADE, { p: "abc" }), "invalid_field", /trade: bad "p"/);
    expectInvalid(with_(TRADE, { p: "" }), "invalid_field", /"p"/);
    expectInvalid(with_(TRADE, { p: null }), "invalid_field", /"p"/);
    expectInvalid(with_(TRADE, { q: [1] }), "invalid_field", /"q"/);
    expectInvalid(with_(TRADE, { q: undefined }), "invalid_field", /missing "q"/);
    expectInvalid(with_(TRADE, { m: "true" }), "invalid_field", /"m"/);
    expectInvalid(with_(TRADE, { t: null }), "invalid_field", /"t"/);
    expectInvalid(with_(TRADE, { T: "1789295134225", E: undefined }), "invalid_field", /"T"/);
    expectInvalid(with_(TRADE, { T: -5, E: undefined }), "invalid_field", /"T"/);
    expectInvalid(with_(TRADE, { s: 5 }), "invalid_field", /"s"/);
  });

  test("other events: mistyped fields", () => {
    expectInvalid(
      '{"u":"x","s":"BTCUSDT","b":"1","B":"1","a":"1","A":"1"}',
      "invalid_field",
      /bookTicker.*"u"/,
    );
    expectInvalid('{"u":1,"s":"BTCUSDT","b":"1","B":"1","a":"NaN","A":"1"}', "invalid_field", /"a"/);
    expectInvalid('{"u":1,"s":"BTCUSDT","b":"1","B":"1","a":"1"}', "invalid_field", /missing "A"/);
    const depth = { e: "depthUpdate", E: 1, s: "BTCUSDT", U: 10, u: 12, b: [["1", "2"]], a: [] };
    expectInvalid(with_(depth, { b: [["1"]] }), "invalid_field", /"b"/);
    expectInvalid(with_(depth, { a: [["1", "x"]] }), "invalid_field", /"a"/);
    expectInvalid(with_(depth, { a: "[]" }), "invalid_field", /"a"/);
    expectInvalid(with_(depth, { U: 13 }), "invalid_field", /"u"/); // u < U
    expectInvalid(with_(depth, { U: 1.5 }), "invalid_field", /"U"/);
    expectInvalid(with_(depth, { E: "1" }), "invalid_field", /"E"/);
    const kline = {
      e: "kline",
      E: 61000,
      s: "BTCUSDT",
      k: {
        t: 60000,
        T: 119999,
        s: "BTCUSDT",
        i: "1m",
        o: "1",
        c: "1",
        h: "1",
        l: "1",
        v: "1",
        n: 1,
        x: false,
        q: "1",
      },
    };
    expect(parse(JSON.stringify(kline)).kind).toBe("data");
    expectInvalid(JSON.stringify({ ...kline, k: { ...kline.k, i: "2m" } }), "invalid_field", /k\.i/);
    expectInvalid(JSON.stringify({ ...kline, k: { ...kline.k, x: 0 } }), "invalid_field", /k\.x/);
    expectInvalid(JSON.stringify({ ...kline, k: { ...kline.k, h: "high" } }), "invalid_field", /k\.h/);
    expectInvalid(JSON.stringify({ ...kline, k: { ...kline.k, t: undefined } }), "invalid_field", /k\.t/);
    expectInvalid(JSON.stringify({ ...kline, k: "x" }), "invalid_field", /"k"/);
    expectInvalid(
      '{"e":"24hrTicker","E":1,"s":"BTCUSDT","c":"1","o":"1","h":"1","l":"1","v":"1","q":"1","p":"x","P":"1"}',
      "invalid_field",
      /24hrTicker.*"p"/,
    );
  });

  test("a ticker without best bid/ask gives nulls", () => {
    const r = parse(
      '{"e":"24hrTicker","E":1,"s":"BTCUSDT","c":"1","o":"1","h":"1","l":"1","v":"1","q":"1","p":"0","P":"0"}',
    );
    expect(r.kind).toBe("data");
    if (r.kind === "data") expect(r.messages[0]).toMatchObject({ type: "ticker", bid: null, ask: null });
  });

  test("nothing throws on hostile input", () => {
    const frames = [
      "[]",
      "[1,2]",
      "true",
      '{"stream":null,"data":null}',
      '{"stream":"btcusdt@trade","data":[]}',
      '{"e":"trade"}',
      '{"e":"kline","s":"BTCUSDT","E":1}',
      '{"e":"depthUpdate","s":"BTCUSDT","E":1,"U":1,"u":1,"b":[null],"a":[]}',
      '{"e":"depthUpdate","s":"BTCUSDT","E":1,"U":1,"u":1,"b":[[{},{}]],"a":[]}',
      '{"__proto__":{"e":"trade"}}',
      '{"e":"trade","s":"constructor","t":1,"p":"1","q":"1","T":1,"m":true}',
      `{"e":"trade","s":"${"A".repeat(10000)}"}`,
      '{"result":undefined}',
      '{"lastUpdateId":1,"bids":[],"asks":[]}',
      '{"stream":"@depthSnapshot","data":{"lastUpdateId":"x","bids":[],"asks":[]}}',
    ];
    for (const f of frames) {
      const r = parse(f);
      expect(["invalid", "ignored"]).toContain(r.kind);
      if (r.kind === "invalid") expect(r.detail.length).toBeLessThan(300);
    }
  });
});

describe("control frames", () => {
  test("subscription ack: {result:null,id}", () => {
    expect(parse('{"result":null,"id":1}')).toEqual({ kind: "ack", id: 1 });
    expect(parse('{"result":null,"id":"sub-7"}')).toEqual({ kind: "ack", id: "sub-7" });
    // LIST_SUBSCRIPTIONS answers with the list: still the answer to a request
    expect(parse('{"result":["btcusdt@trade"],"id":3}')).toEqual({ kind: "ack", id: 3 });
  });

  test("error frames, with and without id, flat or nested", () => {
    expect(parse('{"code":2,"msg":"Invalid request: unknown variant `SUBSCRIB`","id":4}')).toEqual({
      kind: "error",
      id: 4,
      message: "Invalid request: unknown variant `SUBSCRIB` (code 2)",
    });
    expect(parse('{"code":3,"msg":"Invalid JSON: expected value at line 1 column 1"}')).toEqual({
      kind: "error",
      id: null,
      message: "Invalid JSON: expected value at line 1 column 1 (code 3)",
    });
    expect(parse('{"error":{"code":1,"msg":"Invalid value type: expected Boolean"},"id":"x1"}')).toEqual({
      kind: "error",
      id: "x1",
      message: "Invalid value type: expected Boolean (code 1)",
    });
  });

  test("serverShutdown, raw, combined and WebSocket-API forms", () => {
    const shutdown: FrameResult = { kind: "control", event: "server-shutdown" };
    expect(parse('{"e":"serverShutdown","E":1770123456789}')).toEqual(shutdown);
    expect(parse('{"stream":"!serverShutdown","data":{"e":"serverShutdown","E":1770123456789}}')).toEqual(
      shutdown,
    );
    expect(parse('{"event":{"e":"serverShutdown","E":1770123456789}}')).toEqual(shutdown);
  });

  test("known streams we do not normalize are ignored, not invalid", () => {
    expect(
      parse('{"e":"24hrMiniTicker","E":1,"s":"BTCUSDT","c":"1","o":"1","h":"1","l":"1","v":"1","q":"1"}')
        .kind,
    ).toBe("ignored");
    expect(parse('{"stream":"btcusdt@depth5","data":{"lastUpdateId":160,"bids":[],"asks":[]}}')).toEqual({
      kind: "ignored",
      reason: "unsupported:partialDepth",
    });
    expect(parse('{"stream":"!miniTicker@arr","data":[{"e":"24hrMiniTicker"}]}')).toEqual({
      kind: "ignored",
      reason: "unsupported:arrayStream",
    });
  });
});
