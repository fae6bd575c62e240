import { describe, expect, test } from "bun:test";
import type { FrameResult } from "../src/adapter.ts";
import { binanceUsdm, INVALID_REASONS } from "../src/exchanges/binance/index.ts";
import { readLines } from "./fixtures.ts";
import { expectInvalidResult, parseContext } from "./parse-harness.ts";

const ctx = parseContext({ BTCUSDT: "BTC-USDT-PERP" });

function parse(frame: string | Uint8Array): FrameResult {
  return binanceUsdm.parseFrame(frame, ctx);
}

function expectInvalid(frame: string, reason: string, detail?: RegExp): void {
  expectInvalidResult(parse(frame), reason, INVALID_REASONS, detail);
}

const AGG = { e: "aggTrade", E: 2, a: 7, s: "BTCUSDT", p: "1.5", q: "2", f: 1, l: 1, T: 1, m: false };
const DEPTH = { e: "depthUpdate", E: 2, T: 1, s: "BTCUSDT", U: 5, u: 6, pu: 4, b: [["1", "2"]], a: [] };
const MARK = {
  e: "markPriceUpdate",
  E: 2,
  s: "BTCUSDT",
  p: "100",
  ap: "100",
  P: "101",
  i: "99",
  r: "0.0001",
  T: 28_800_000,
  st: 1,
};
const FORCE = {
  e: "forceOrder",
  E: 2,
  o: {
    s: "BTCUSDT",
    S: "SELL",
    o: "LIMIT",
    f: "IOC",
    q: "1",
    p: "9",
    ap: "9",
    X: "FILLED",
    l: "1",
    z: "1",
    T: 1,
  },
};
const with_ = (base: Record<string, unknown>, patch: Record<string, unknown>) =>
  JSON.stringify({ ...base, ...patch });

describe("USD-M malformed frames → invalid, never throw", () => {
  test("the well-formed bases parse", () => {
    for (const f of [AGG, DEPTH, MARK, FORCE]) expect(parse(JSON.stringify(f)).kind).toBe("data");
  });

  test("malformed JSON and shapes", () => {
    expectInvalid("", "malformed_json");
    expectInvalid('{"stream":"btcusdt@aggTrade","data":{"e":"aggTrade"', "malformed_json", /aggTrade/);
    expectInvalid("42", "invalid_shape");
    expectInvalid('{"stream":"btcusdt@markPrice@1s"}', "invalid_shape", /data/);
  });

  test("every truncation of every line of a recording is invalid", () => {
    const lines = [
      ...readLines("binance-futures/usdm_markPrice1s_BTCUSDT_ETHUSDT_2026_ws.jsonl").slice(0, 4),
      ...readLines("binance-futures/tardis_usdm_messages.jsonl"),
    ];
    let n = 0;
    for (const line of lines) {
      for (let cut = 0; cut < line.length; cut++) {
        expect(parse(line.slice(0, cut)).kind).toBe("invalid");
        n++;
      }
    }
    expect(n).toBeGreaterThan(3000);
  });

  test("unknown symbol", () => {
    expectInvalid(with_(AGG, { s: "ETHUSDT" }), "unknown_symbol", /ETHUSDT/);
    expectInvalid(with_(DEPTH, { s: "ETHUSDT" }), "unknown_symbol");
    expectInvalid(with_(MARK, { s: "ETHUSDT" }), "unknown_symbol");
    expectInvalid(with_(FORCE, { o: { ...FORCE.o, s: "ETHUSDT" } }), "unknown_symbol");
    expectInvalid(
      '{"stream":"ethusdt@openInterest","data":{"symbol":"ETHUSDT","openInterest":"1"}}',
      "unknown_symbol",
    );
  });

  test("aggTrade: mistyped fields", () => {
    expectInvalid(with_(AGG, { a: "x" }), "invalid_field", /"a"/);
    expectInvalid(with_(AGG, { p: null }), "invalid_field", /"p"/);
    expectInvalid(with_(AGG, { q: "" }), "invalid_field", /"q"/);
    expectInvalid(with_(AGG, { T: "now", E: "now" }), "invalid_field", /"T"/);
    expectInvalid(with_(AGG, { m: "yes" }), "invalid_field", /"m"/);
    expectInvalid(with_(AGG, { s: 5 }), "invalid_field", /"s"/);
  });

  test("depthUpdate: missing pu, bad levels, u < U", () => {
    const { pu: _pu, ...noPu } = DEPTH;
    expectInvalid(JSON.stringify(noPu), "invalid_field", /"pu"/);
    expectInvalid(with_(DEPTH, { b: [["1"]] }), "invalid_field", /"b"/);
    expectInvalid(with_(DEPTH, { a: "none" }), "invalid_field", /"a"/);
    expectInvalid(with_(DEPTH, { u: 4 }), "invalid_field", /"u"/);
    expectInvalid(with_(DEPTH, { U: 1.5 }), "invalid_field", /"U"/);
  });

  test("markPriceUpdate: mistyped fields; delivery contracts (T = 0) have no funding", () => {
    expectInvalid(with_(MARK, { p: "mark" }), "invalid_field", /"p"/);
    expectInvalid(with_(MARK, { i: {} }), "invalid_field", /"i"/);
    expectInvalid(with_(MARK, { r: "high" }), "invalid_field", /"r"/);
    expectInvalid(with_(MARK, { T: -1 }), "invalid_field", /"T"/);
    expectInvalid(with_(MARK, { E: null }), "invalid_field", /"E"/);
    const r = parse(with_(MARK, { T: 0, r: "" }));
    expect(r).toMatchObject({ kind: "data", messages: [{ fundingRate: null, nextFundingTime: null }] });
  });

  test("forceOrder: mistyped fields", () => {
    expectInvalid(with_(FORCE, { o: "x" }), "invalid_field", /"o"/);
    expectInvalid(with_(FORCE, { o: { ...FORCE.o, S: "LONG" } }), "invalid_field", /o\.S/);
    expectInvalid(with_(FORCE, { o: { ...FORCE.o, p: "?" } }), "invalid_field", /o\.p/);
    expectInvalid(with_(FORCE, { o: { ...FORCE.o, z: [] } }), "invalid_field", /o\.z/);
  });

  test("raw trade: a non-string execution type is invalid; other types are ignored", () => {
    const trade = { e: "trade", E: 2, T: 1, s: "BTCUSDT", t: 9, p: "1", q: "1", m: true };
    expect(parse(with_(trade, { X: "MARKET" }))).toMatchObject({ kind: "data", messages: [{ id: "9" }] });
    expect(parse(with_(trade, { X: "ADL" }))).toEqual({ kind: "ignored", reason: "unsupported:trade:ADL" });
    expectInvalid(with_(trade, { X: 1 }), "invalid_field", /"X"/);
  });

  test("nothing throws on hostile input", () => {
    const frames = [
      "[]",
      "true",
      '{"stream":null,"data":null}',
      '{"e":"aggTrade"}',
      '{"e":"markPriceUpdate"}',
      '{"e":"forceOrder","o":null}',
      '{"e":"depthUpdate","s":"BTCUSDT","E":1,"U":1,"u":1,"pu":0,"b":[null],"a":[]}',
      '{"stream":"btcusdt@openInterest","data":{"openInterest":"x"}}',
      '{"stream":"btcusdt@openInterest","data":{"symbol":"BTCUSDT","openInterest":"1","time":"x"}}',
      '{"__proto__":{"e":"aggTrade"}}',
      `{"e":"forceOrder","o":{"s":"${"A".repeat(10000)}"}}`,
      '{"e":7}',
    ];
    for (const f of frames) {
      const r = parse(f);
      expect(["invalid", "ignored"]).toContain(r.kind);
      if (r.kind === "invalid") expect(r.detail.length).toBeLessThan(300);
    }
  });
});

describe("USD-M control frames (same protocol as spot)", () => {
  test("acks, errors, serverShutdown", () => {
    expect(parse('{"result":null,"id":1}')).toEqual({ kind: "ack", id: 1 });
    expect(parse('{"error":{"code":2,"msg":"Invalid request"},"id":5}')).toEqual({
      kind: "error",
      id: 5,
      message: "Invalid request (code 2)",
    });
    expect(parse('{"e":"serverShutdown","E":1}')).toEqual({ kind: "control", event: "server-shutdown" });
  });
});
