import { describe, expect, test } from "bun:test";
import type { FrameResult, ParseContext } from "../src/adapter.ts";
import { candleRequestId, INVALID_REASONS, whitebit } from "../src/exchanges/whitebit/index.ts";
import { readLines } from "./fixtures.ts";
import { expectInvalidResult, parseContext } from "./parse-harness.ts";

const LINES = readLines("whitebit/ws_docs_examples.jsonl");

function ctx(): ParseContext {
  const c = parseContext({ ETH_USDT: "ETH-USDT" });
  // candles are parsed only after the connection's candles_subscribe ack
  whitebit.parseFrame(
    JSON.stringify({ id: candleRequestId(60), result: { status: "success" }, error: null }),
    c,
  );
  return c;
}

function parse(frame: string | Uint8Array): FrameResult {
  return whitebit.parseFrame(frame, ctx());
}

function expectInvalid(frame: string, reason: string, detail?: RegExp): void {
  expectInvalidResult(parse(frame), reason, INVALID_REASONS, detail);
}

const push = (method: string, params: unknown) => JSON.stringify({ id: null, method, params });

describe("malformed frames → invalid, never throw", () => {
  test("malformed JSON and non-objects", () => {
    expectInvalid("", "malformed_json");
    expectInvalid("{", "malformed_json");
    expectInvalid("not json", "malformed_json");
    expectInvalid("[1,2,", "malformed_json");
    expectInvalid(new TextDecoder().decode(new Uint8Array([0xff, 0xfe, 0x00])), "malformed_json");
    expectInvalid("[1,2]", "invalid_shape");
    expectInvalid("null", "invalid_shape");
    expectInvalid('"pong"', "invalid_shape");
    expectInvalid('{"foo":1}', "invalid_shape", /foo/);
  });

  test("binary frames are decoded as UTF-8", () => {
    const r = parse(new TextEncoder().encode(LINES[0]!));
    expect(r.kind).toBe("data");
  });

  test("every truncation of every recorded line is invalid", () => {
    let n = 0;
    for (const line of LINES) {
      for (let cut = 0; cut < line.length; cut++) {
        const r = parse(line.slice(0, cut));
        expect(r.kind).toBe("invalid");
        n++;
      }
    }
    expect(n).toBeGreaterThan(700);
  });

  test("bad method or params", () => {
    expectInvalid('{"id":null,"method":5,"params":[]}', "invalid_field", /method/);
    expectInvalid('{"id":null,"method":"trades_update","params":{}}', "invalid_field", /params/);
    expectInvalid(push("unknownChannel_update", []), "unknown_method", /unknownChannel_update/);
    expectInvalid(push("balanceSpot_update", [{}]), "unknown_method");
  });

  test("trades_update field by field", () => {
    const trade = { id: 41358530, time: 1580905394.70332, price: "0.020857", amount: "5.511", type: "sell" };
    const t = (patch: Record<string, unknown>) =>
      push("trades_update", ["ETH_USDT", [{ ...trade, ...patch }]]);
    expectInvalid(push("trades_update", [5, [trade]]), "invalid_field", /market/);
    expectInvalid(push("trades_update", ["ETH_USDT", "x"]), "invalid_field", /trades/);
    expectInvalid(push("trades_update", ["ETH_USDT", [5]]), "invalid_field", /trade 0/);
    expectInvalid(push("trades_update", ["XRP_EUR", [trade]]), "unknown_symbol", /XRP_EUR/);
    expectInvalid(t({ id: "one" }), "invalid_field", /id/);
    expectInvalid(t({ id: undefined }), "invalid_field", /missing id/);
    expectInvalid(t({ time: "soon" }), "invalid_field", /time/);
    expectInvalid(t({ time: -1 }), "invalid_field", /time/);
    expectInvalid(t({ price: null }), "invalid_field", /price/);
    expectInvalid(t({ price: "" }), "invalid_field", /price/);
    expectInvalid(t({ amount: {} }), "invalid_field", /amount/);
    expectInvalid(t({ type: "maybe" }), "invalid_field", /type/);
    expect(parse(push("trades_update", ["ETH_USDT", []]))).toEqual({
      kind: "ignored",
      reason: "empty:trades_update",
    });
  });

  test("depth_update field by field", () => {
    const book = {
      timestamp: 1689600180.5164,
      update_id: 214403,
      past_update_id: 214399,
      asks: [["0.020861", "0"]],
      bids: [["0.020844", "5.949"]],
    };
    const d = (patch: Record<string, unknown>, full = false) =>
      push("depth_update", [full, { ...book, ...patch }, "ETH_USDT"]);
    expectInvalid(push("depth_update", ["yes", book, "ETH_USDT"]), "invalid_field", /full reload/);
    expectInvalid(push("depth_update", [false, [], "ETH_USDT"]), "invalid_field", /book/);
    expectInvalid(push("depth_update", [false, book, 1]), "invalid_field", /market/);
    expectInvalid(push("depth_update", [false, book, "BTC_EUR"]), "unknown_symbol");
    expectInvalid(d({ timestamp: "x" }), "invalid_field", /timestamp/);
    expectInvalid(d({ update_id: "x" }), "invalid_field", /update_id/);
    expectInvalid(d({ update_id: undefined }), "invalid_field", /update_id/);
    expectInvalid(d({ past_update_id: undefined }), "invalid_field", /past_update_id/);
    expectInvalid(d({ asks: "oops" }), "invalid_field", /asks/);
    expectInvalid(d({ bids: [[1]] }), "invalid_field", /bids/);
    expectInvalid(d({ bids: [["1", "x"]] }), "invalid_field", /bids/);
    expectInvalid(d({ bids: undefined }, true), "invalid_field", /bids/);
    // a delta may leave out an unchanged side; the event time stands in for a missing timestamp
    const r = parse(d({ bids: undefined, timestamp: undefined, event_time: 1749026542.817 }));
    expect(r.kind === "data" && r.messages[0]).toMatchObject({ bids: [], ts: 1749026542817 });
  });

  test("market_update, bookTicker_update, candles_update field by field", () => {
    const stats = {
      period: 86400,
      last: "1",
      open: "1",
      close: "1",
      high: "1",
      low: "1",
      volume: "1",
      deal: "1",
    };
    const m = (patch: Record<string, unknown>) => push("market_update", ["ETH_USDT", { ...stats, ...patch }]);
    expectInvalid(push("market_update", ["ETH_USDT", "x"]), "invalid_field", /statistics/);
    expectInvalid(push("market_update", [null, stats]), "invalid_field", /market/);
    for (const f of ["last", "open", "high", "low", "volume", "deal"])
      expectInvalid(m({ [f]: "x" }), "invalid_field", new RegExp(f));

    const row = [1751958383.593387, 1751958383.593557, "ETH_USDT", 80670102, "1", "2", "3", "4"];
    const b = (i: number, v: unknown) => push("bookTicker_update", [row.map((x, j) => (j === i ? v : x))]);
    expectInvalid(push("bookTicker_update", [[1, 2]]), "invalid_field");
    expectInvalid(b(0, "x"), "invalid_field", /transaction_time/);
    expectInvalid(b(2, 7), "invalid_field", /market/);
    expectInvalid(b(2, "BTC_EUR"), "unknown_symbol");
    expectInvalid(b(3, 1.5), "invalid_field", /update_id/);
    for (const [i, f] of [
      [4, "best_bid_price"],
      [5, "best_bid_amount"],
      [6, "best_ask_price"],
      [7, "best_ask_amount"],
    ] as const)
      expectInvalid(b(i, null), "invalid_field", new RegExp(f));
    expect(parse(push("bookTicker_update", []))).toEqual({
      kind: "ignored",
      reason: "empty:bookTicker_update",
    });

    const candle = [1580895000, "1", "1", "1", "1", "1", "1", "ETH_USDT"];
    const k = (i: number, v: unknown) => push("candles_update", [candle.map((x, j) => (j === i ? v : x))]);
    expectInvalid(push("candles_update", [[1, 2]]), "invalid_field");
    expectInvalid(k(0, 1580895000.5), "invalid_field", /time/);
    expectInvalid(k(0, "1580895000"), "invalid_field", /time/);
    for (const [i, f] of [
      [1, "open"],
      [2, "close"],
      [3, "high"],
      [4, "low"],
      [5, "volume"],
      [6, "deal"],
    ] as const)
      expectInvalid(k(i, "x"), "invalid_field", new RegExp(f));
    expectInvalid(k(7, 1), "invalid_field", /market/);
    expectInvalid(k(7, "BTC_EUR"), "unknown_symbol");
  });

  test("replacing any value of any recorded line with any other type never throws", () => {
    const replacements: unknown[] = [null, true, -1, 0, 1e300, "", "x", [], {}, [[]], [["1"]]];
    const kinds = new Set<string>();
    let n = 0;
    const visit = (root: unknown, node: unknown, set: (v: unknown) => void): void => {
      if (Array.isArray(node)) {
        node.forEach((v, i) => {
          visit(root, v, (x) => {
            node[i] = x;
          });
        });
      } else if (typeof node === "object" && node !== null) {
        for (const key of Object.keys(node)) {
          const o = node as Record<string, unknown>;
          visit(root, o[key], (x) => {
            o[key] = x;
          });
        }
      }
      const original = node;
      for (const r of replacements) {
        set(r);
        const result = parse(JSON.stringify(root));
        kinds.add(result.kind);
        n++;
      }
      set(original);
    };
    for (const line of LINES) {
      const root = JSON.parse(line) as Record<string, unknown>;
      for (const key of Object.keys(root)) {
        visit(root, root[key], (x) => {
          root[key] = x;
        });
      }
    }
    expect(n).toBeGreaterThan(500);
    expect([...kinds].every((k) => ["data", "ignored", "invalid", "ack", "error"].includes(k))).toBe(true);
    expect(kinds.has("invalid")).toBe(true);
  });
});
