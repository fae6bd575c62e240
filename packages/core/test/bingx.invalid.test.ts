import { describe, expect, test } from "bun:test";
import type { FrameResult, ParseContext } from "../src/adapter.ts";
import { bingxSpot, bingxSwap, INVALID_REASONS } from "../src/exchanges/bingx/index.ts";
import { readLines } from "./fixtures.ts";
import { expectInvalidResult, parseContext } from "./parse-harness.ts";

const ctx = (): ParseContext => parseContext({ "BTC-USDT": "BTC-USDT-PERP" });

const parse = (frame: string | Uint8Array): FrameResult => bingxSwap.parseFrame(frame, ctx());

function expectInvalid(frame: string | Uint8Array, reason: string, detail?: RegExp): void {
  expectInvalidResult(parse(frame), reason, INVALID_REASONS, detail);
}

const frame = (dataType: string, data: unknown, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ code: 0, dataType, ...extra, data });
const TRADE = { q: "0.0162", p: "121934.9", T: 1759994162450, m: false, s: "BTC-USDT" };
const TICKER = {
  e: "24hTicker",
  E: 1759998119388,
  s: "BTC-USDT",
  p: "-262.0",
  P: "-0.21",
  c: "121621.7",
  h: "124152.9",
  l: "121412.0",
  v: "17030.6463",
  q: "210028.10",
  o: "121883.7",
  A: "121621.7",
  B: "121621.5",
};

describe("undecodable and malformed frames → invalid, never throw", () => {
  test("gzip header with a broken body", () => {
    expectInvalid(new Uint8Array([0x1f, 0x8b, 0x08, 0x00, 1, 2, 3]), "bad_gzip", /gunzip/);
    const good = Bun.gzipSync(new TextEncoder().encode(frame("BTC-USDT@trade", [TRADE])));
    expectInvalid(good.slice(0, good.length - 6), "bad_gzip");
    expectInvalid("H4sIAAAAAAAA/////", "bad_gzip"); // base64 text that claims to be gzip
  });

  test("malformed JSON (also inside valid gzip)", () => {
    expectInvalid("", "malformed_json");
    expectInvalid("{", "malformed_json");
    expectInvalid("Pingg?", "malformed_json");
    expectInvalid(
      Bun.gzipSync(new TextEncoder().encode('{"code":0,"dataType":"BTC-USDT@trade"')),
      "malformed_json",
    );
    expectInvalid(new Uint8Array([0xff, 0xfe, 0x00]), "malformed_json");
  });

  test("every truncation of every recorded line is invalid", () => {
    let n = 0;
    for (const line of readLines("bingx/swap_ws_decoded_samples.jsonl")) {
      for (let cut = 0; cut < line.length; cut += 3) {
        expect(parse(line.slice(0, cut)).kind).toBe("invalid");
        n++;
      }
    }
    expect(n).toBeGreaterThan(1000);
  });

  test("arbitrary bytes never throw (deterministic pseudo-random input)", () => {
    let seed = 12345;
    const next = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed & 0xff;
    };
    for (let i = 0; i < 300; i++) {
      const bytes = Uint8Array.from({ length: 2 + (i % 40) }, next);
      if (i % 3 === 0) bytes.set([0x1f, 0x8b], 0);
      const r = parse(bytes);
      expect(["invalid", "ignored", "reply", "control", "error", "ack", "data"]).toContain(r.kind);
    }
  });

  test("shapes: not an object, no dataType/id, dataType without @", () => {
    expectInvalid("[1,2,3]", "invalid_shape");
    expectInvalid("42", "invalid_shape");
    expectInvalid('{"code":0,"timestamp":1}', "invalid_shape", /no dataType/);
    expectInvalid(frame("BTC-USDT", {}), "unknown_stream");
    expectInvalid(frame("@trade", {}), "unknown_stream");
  });

  test("unknown streams and kline intervals", () => {
    expectInvalid(frame("BTC-USDT@nosuchstream", {}), "unknown_stream");
    expectInvalid(frame("BTC-USDT@kline_1s", []), "unknown_stream", /interval/);
    expectInvalid(frame("BTC-USDT@kline_1min", []), "unknown_stream"); // spot names on swap
    expectInvalid(frame("BTC-USDT@depth20@fast", {}), "unknown_stream");
  });

  test("unknown symbols", () => {
    expectInvalid(frame("ETH-USDT@trade", [{ ...TRADE, s: "ETH-USDT" }]), "unknown_symbol", /ETH-USDT/);
    expectInvalid(frame("ETH-USDT@ticker", { ...TICKER, s: "ETH-USDT" }), "unknown_symbol");
  });
});

describe("bad fields → invalid_field naming the field", () => {
  const cases: Array<[string, string, RegExp]> = [
    ["trade price", frame("BTC-USDT@trade", [{ ...TRADE, p: "abc" }]), /"p"/],
    ["trade qty", frame("BTC-USDT@trade", [{ ...TRADE, q: null }]), /"q"/],
    ["trade time", frame("BTC-USDT@trade", [{ ...TRADE, T: -5 }]), /"T"/],
    ["trade side flag", frame("BTC-USDT@trade", [{ ...TRADE, m: "maybe" }]), /"m"/],
    ["trade id", frame("BTC-USDT@trade", [{ ...TRADE, t: "" }]), /"t"/],
    ["trade data", frame("BTC-USDT@trade", "x"), /"data"/],
    ["bbo bid", frame("BTC-USDT@bookTicker", { s: "BTC-USDT", b: "x", B: "1", a: "1", A: "1", T: 1 }), /"b"/],
    [
      "bbo update id",
      frame("BTC-USDT@bookTicker", { s: "BTC-USDT", b: "1", B: "1", a: "1", A: "1", u: "x" }),
      /"u"/,
    ],
    ["ticker last", frame("BTC-USDT@ticker", { ...TICKER, c: "" }), /"c"/],
    ["ticker percent", frame("BTC-USDT@ticker", { ...TICKER, P: "a%" }), /"P"/],
    ["ticker time", frame("BTC-USDT@ticker", { ...TICKER, E: undefined }), /missing "E"/],
    ["mark price", frame("BTC-USDT@markPrice", { E: 1, s: "BTC-USDT", p: "NaN" }), /"p"/],
    ["kline open time", frame("BTC-USDT@kline_1m", [{ c: "1", o: "1", h: "1", l: "1", v: "1" }]), /"T"/],
    ["kline close", frame("BTC-USDT@kline_1m", [{ c: "x", o: "1", h: "1", l: "1", v: "1", T: 1 }]), /"c"/],
    ["incrDepth action", frame("BTC-USDT@incrDepth", { action: "sometimes", lastUpdateId: 1 }), /"action"/],
    ["incrDepth id", frame("BTC-USDT@incrDepth", { action: "update", lastUpdateId: 1.5 }), /"lastUpdateId"/],
    [
      "incrDepth levels",
      frame("BTC-USDT@incrDepth", { action: "update", lastUpdateId: 2, bids: [["1"]] }),
      /"bids"/,
    ],
    ["depth asks", frame("BTC-USDT@depth5@500ms", { bids: [], asks: { "1": "x" } }), /"asks"/],
  ];
  for (const [what, f, detail] of cases) {
    test(what, () => expectInvalid(f, "invalid_field", detail));
  }
});

describe("understood but unused", () => {
  test("lastPrice, all-symbol streams and empty data are ignored with a reason", () => {
    expect(parse(frame("BTC-USDT@lastPrice", { e: "lastPriceUpdate", E: 1, s: "BTC-USDT", c: "1" }))).toEqual(
      {
        kind: "ignored",
        reason: "unsupported:lastPrice",
      },
    );
    expect(parse(frame("all@ticker", [TICKER]))).toEqual({
      kind: "ignored",
      reason: "unsupported:allSymbols",
    });
    expect(parse(frame("BTC-USDT@trade", null))).toEqual({ kind: "ignored", reason: "empty:trade" });
  });

  test("the spot adapter rejects the swap-only markPrice stream", () => {
    const r = bingxSpot.parseFrame(frame("BTC-USDT@markPrice", { E: 1, s: "BTC-USDT", p: "1" }), {
      ...ctx(),
      marketOf: () => "BTC-USDT",
    });
    expect(r).toMatchObject({ kind: "invalid", reason: "unknown_stream" });
  });
});
