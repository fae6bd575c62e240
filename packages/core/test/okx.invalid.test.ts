import { describe, expect, test } from "bun:test";
import type { FrameResult, ParseContext } from "../src/adapter.ts";
import { marketOfInstId, okxSpot, okxSwap, parseFrame } from "../src/exchanges/okx/index.ts";
import type { Bbo, Book, Candle, Deriv, MarketMessage } from "../src/schemas/messages.ts";
import { readLines } from "./fixtures.ts";
import { parseContext, RECV_TS } from "./parse-harness.ts";

/**
 * Frames in OKX's current (2026) shapes that the recordings predate — seqId/prevSeqId books,
 * bbo-tbt, books5, candles, funding-rate, keepalive updates, notices — and everything malformed.
 */

function ctx(known: Record<string, string> | null = null): ParseContext {
  return parseContext(known ?? marketOfInstId);
}

function data<T extends MarketMessage>(r: FrameResult): T[] {
  if (r.kind !== "data") throw new Error(`expected data, got ${JSON.stringify(r)}`);
  return r.messages as T[];
}

function reason(r: FrameResult): string {
  return r.kind === "invalid" || r.kind === "ignored" ? `${r.kind}:${r.reason}` : r.kind;
}

const BOOK_SNAPSHOT =
  '{"arg":{"channel":"books","instId":"BTC-USDT"},"action":"snapshot","data":[{"asks":[["8476.98","415","0","13"],["8477","7","0","2"]],"bids":[["8476.97","256","0","12"],["8475.55","101","0","1"]],"ts":"1597026383085","checksum":0,"prevSeqId":-1,"seqId":123456}]}';
const BOOK_UPDATE =
  '{"arg":{"channel":"books","instId":"BTC-USDT"},"action":"update","data":[{"asks":[["8476.98","0","0","0"]],"bids":[["8476.97","300","0","13"]],"ts":"1597026383185","checksum":0,"prevSeqId":123456,"seqId":123462}]}';

describe("current OKX shapes", () => {
  test("books with seqId: seq = seqId, prevSeq = prevSeqId on updates, null on the snapshot; checksum 0 dropped", () => {
    const c = ctx();
    const [snap] = data<Book>(parseFrame(BOOK_SNAPSHOT, c));
    expect(snap).toEqual({
      type: "book",
      exchange: "okx",
      market: "BTC-USDT",
      symbol: "BTC-USDT",
      ts: 1597026383085,
      recvTs: RECV_TS,
      kind: "snapshot",
      seq: 123456,
      prevSeq: null,
      bids: [
        [8476.97, 256],
        [8475.55, 101],
      ],
      asks: [
        [8476.98, 415],
        [8477, 7],
      ],
    });
    const [upd] = data<Book>(parseFrame(BOOK_UPDATE, c));
    expect(upd).toMatchObject({ kind: "delta", seq: 123462, prevSeq: 123456, asks: [[8476.98, 0]] });
    expect(upd!.checksum).toBeUndefined();
    expect(upd!.exact).toBeUndefined();
  });

  test("an update with no levels and seqId == prevSeqId is OKX's keepalive: control heartbeat", () => {
    const hb =
      '{"arg":{"channel":"books","instId":"BTC-USDT"},"action":"update","data":[{"asks":[],"bids":[],"ts":"1597026390000","checksum":0,"prevSeqId":123462,"seqId":123462}]}';
    expect(parseFrame(hb, ctx())).toEqual({ kind: "control", event: "heartbeat" });
  });

  test("a sequence reset (seqId below prevSeqId after maintenance) is carried as sent", () => {
    const reset = BOOK_UPDATE.replace('"prevSeqId":123456,"seqId":123462', '"prevSeqId":123462,"seqId":5');
    expect(data<Book>(parseFrame(reset, ctx()))[0]).toMatchObject({ seq: 5, prevSeq: 123462 });
  });

  test("books5: every push a snapshot, seq = seqId", () => {
    const f =
      '{"arg":{"channel":"books5","instId":"BTC-USDT-SWAP"},"data":[{"asks":[["8446","95","0","3"]],"bids":[["8445","1","0","1"]],"instId":"BTC-USDT-SWAP","ts":"1597026383085","seqId":363996337}]}';
    expect(data<Book>(okxSwap.parseFrame(f, ctx()))[0]).toMatchObject({
      market: "BTC-USDT-PERP",
      kind: "snapshot",
      seq: 363996337,
      prevSeq: null,
      bids: [[8445, 1]],
    });
  });

  test("bbo-tbt: best bid/ask, seq = seqId", () => {
    const f =
      '{"arg":{"channel":"bbo-tbt","instId":"BTC-USDT"},"data":[{"asks":[["8476.98","415","0","13"]],"bids":[["8476.97","256","0","12"]],"ts":"1597026383085","seqId":42}]}';
    expect(data<Bbo>(parseFrame(f, ctx()))[0]).toEqual({
      type: "bbo",
      exchange: "okx",
      market: "BTC-USDT",
      symbol: "BTC-USDT",
      ts: 1597026383085,
      recvTs: RECV_TS,
      bidPrice: 8476.97,
      bidAmount: 256,
      askPrice: 8476.98,
      askAmount: 415,
      seq: 42,
    });
  });

  test("candles (UTC bars): closed = confirm; spot volume = vol; swap volume = volCcy; closeTime = last ms", () => {
    const spot =
      '{"arg":{"channel":"candle1Dutc","instId":"BTC-USDT"},"data":[["1597017600000","8533.02","8553.74","8527.17","8548.26","45247","386653591.5","386653591.5","1"]]}';
    const [c] = data<Candle>(parseFrame(spot, ctx()));
    expect(c).toEqual({
      type: "candle",
      exchange: "okx",
      market: "BTC-USDT",
      symbol: "BTC-USDT",
      ts: 1597017600000 + 86_400_000 - 1,
      recvTs: RECV_TS,
      interval: "1d",
      openTime: 1597017600000,
      closeTime: 1597017600000 + 86_400_000 - 1,
      open: 8533.02,
      high: 8553.74,
      low: 8527.17,
      close: 8548.26,
      volume: 45247,
      quoteVolume: 386653591.5,
      trades: null,
      closed: true,
    });
    const swap =
      '{"arg":{"channel":"candle1m","instId":"BTC-USDT-SWAP"},"data":[["1597026360000","8533.02","8553.74","8527.17","8548.26","529","5.29","45212.5","0"]]}';
    expect(data<Candle>(okxSwap.parseFrame(swap, ctx()))[0]).toMatchObject({
      market: "BTC-USDT-PERP",
      interval: "1m",
      volume: 5.29,
      quoteVolume: 45212.5,
      closed: false,
      ts: RECV_TS, // an open candle has no event time
      closeTime: 1597026419999,
    });
    const month =
      '{"arg":{"channel":"candle1Mutc","instId":"BTC-USDT"},"data":[["1706745600000","1","1","1","1","1","1","1","0"]]}';
    // February 2024 has 29 days
    expect(data<Candle>(parseFrame(month, ctx()))[0]!.closeTime).toBe(Date.UTC(2024, 2, 1) - 1);
  });

  test("Hong Kong-aligned and non-normalized bars are ignored; an unknown candle channel is invalid", () => {
    for (const ch of ["candle1D", "candle6H", "candle1W", "candle2Dutc", "candle1Y", "candle3M"]) {
      const f = `{"arg":{"channel":"${ch}","instId":"BTC-USDT"},"data":[["1597017600000","1","1","1","1","1","1","1","0"]]}`;
      expect(reason(parseFrame(f, ctx()))).toBe(`ignored:unsupported:${ch}`);
    }
    const bad =
      '{"arg":{"channel":"candle7m","instId":"BTC-USDT"},"data":[["1","1","1","1","1","1","1","1","0"]]}';
    expect(reason(parseFrame(bad, ctx()))).toBe("invalid:unknown_channel");
  });

  test("deriv: mark-price, funding-rate, open-interest and index-tickers merge into one state per market", () => {
    const c = ctx({ "BTC-USDT-SWAP": "BTC-USDT-PERP" });
    const frames = [
      '{"arg":{"channel":"mark-price","instId":"BTC-USDT-SWAP"},"data":[{"instType":"SWAP","instId":"BTC-USDT-SWAP","markPx":"61000.5","ts":"1700000000100"}]}',
      '{"arg":{"channel":"funding-rate","instId":"BTC-USDT-SWAP"},"data":[{"fundingRate":"0.0001","fundingTime":"1700006400000","instId":"BTC-USDT-SWAP","instType":"SWAP","method":"current_period","nextFundingRate":"","nextFundingTime":"1700035200000","ts":"1700000000200"}]}',
      '{"arg":{"channel":"open-interest","instId":"BTC-USDT-SWAP"},"data":[{"instId":"BTC-USDT-SWAP","instType":"SWAP","oi":"2216113.01","oiCcy":"22161.1301","oiUsd":"1351000000","ts":"1700000000300"}]}',
      '{"arg":{"channel":"index-tickers","instId":"BTC-USDT"},"data":[{"instId":"BTC-USDT","idxPx":"60990.1","high24h":"1","low24h":"1","open24h":"1","sodUtc0":"1","sodUtc8":"1","ts":"1700000000400"}]}',
    ];
    const out = frames.map((f) => data<Deriv>(okxSwap.parseFrame(f, c))[0]!);
    expect(out.map((d) => d.ts)).toEqual([1700000000100, 1700000000200, 1700000000300, 1700000000400]);
    expect(out[3]).toEqual({
      type: "deriv",
      exchange: "okx",
      market: "BTC-USDT-PERP",
      symbol: "BTC-USDT-SWAP",
      ts: 1700000000400,
      recvTs: RECV_TS,
      markPrice: 61000.5,
      indexPrice: 60990.1,
      fundingRate: 0.0001,
      // the time the current rate is charged (OKX fundingTime), not OKX's nextFundingTime
      nextFundingTime: 1700006400000,
      openInterest: 22161.1301,
    });
    expect(out[0]).toMatchObject({ markPrice: 61000.5, fundingRate: null, openInterest: null });
    // a reconnect empties the state: the merge starts over
    c.state.clear();
    const again = data<Deriv>(okxSwap.parseFrame(frames[2]!, c))[0]!;
    expect(again).toMatchObject({ markPrice: null, openInterest: 22161.1301 });
  });

  test("funding-rate without ts (pre-2023) is stamped with recvTs", () => {
    const f =
      '{"arg":{"channel":"funding-rate","instId":"BTC-USDT-SWAP"},"data":[{"fundingRate":"-0.0002","fundingTime":"1700006400000","instId":"BTC-USDT-SWAP","instType":"SWAP","nextFundingRate":"0.0001","nextFundingTime":"1700035200000"}]}';
    expect(data<Deriv>(okxSwap.parseFrame(f, ctx()))[0]).toMatchObject({ ts: RECV_TS, fundingRate: -0.0002 });
  });

  test("liquidation-orders streams every swap: rows of markets not asked for are skipped", () => {
    const f =
      '{"arg":{"channel":"liquidation-orders","instType":"SWAP"},"data":[{"details":[{"bkLoss":"0","bkPx":"60000.1","ccy":"","posSide":"long","side":"sell","sz":"3","ts":"1700000000000"},{"bkLoss":"0","bkPx":"59990","ccy":"","posSide":"long","side":"sell","sz":"1","ts":"1700000000500"}],"instFamily":"BTC-USDT","instId":"BTC-USDT-SWAP","instType":"SWAP","uly":"BTC-USDT"},{"details":[{"bkLoss":"0","bkPx":"3000","ccy":"","posSide":"short","side":"buy","sz":"7","ts":"1700000000001"}],"instFamily":"ETH-USDT","instId":"ETH-USDT-SWAP","instType":"SWAP","uly":"ETH-USDT"}]}';
    const c = ctx({ "BTC-USDT-SWAP": "BTC-USDT-PERP" });
    const out = data(okxSwap.parseFrame(f, c));
    expect(
      out.map((m) => [m.market, m.type === "liquidation" && m.side, m.type === "liquidation" && m.amount]),
    ).toEqual([
      ["BTC-USDT-PERP", "sell", 3],
      ["BTC-USDT-PERP", "sell", 1],
    ]);
    expect(reason(okxSwap.parseFrame(f, ctx({})))).toBe("ignored:unsubscribed:liquidation-orders");
  });

  test("trades-all with several rows gives several trades", () => {
    const f =
      '{"arg":{"channel":"trades-all","instId":"BTC-USDT"},"data":[{"instId":"BTC-USDT","tradeId":"1","px":"1","sz":"2","side":"sell","ts":"1700000000000"},{"instId":"BTC-USDT","tradeId":"2","px":"1.5","sz":"3","side":"buy","ts":"1700000000001"}]}';
    expect(data(parseFrame(f, ctx())).map((t) => t.type === "trade" && [t.id, t.side])).toEqual([
      ["1", "sell"],
      ["2", "buy"],
    ]);
  });

  test("a ticker with an empty side has a null bid/ask", () => {
    const f =
      '{"arg":{"channel":"tickers","instId":"X-USDT"},"data":[{"instType":"SPOT","instId":"X-USDT","last":"1","lastSz":"1","askPx":"","askSz":"0","bidPx":"0.9","bidSz":"1","open24h":"1","high24h":"1","low24h":"1","sodUtc0":"1","sodUtc8":"1","volCcy24h":"0","vol24h":"0","ts":"1700000000000"}]}';
    expect(data(parseFrame(f, ctx()))[0]).toMatchObject({ bid: 0.9, ask: null, change: 0, changePct: 0 });
  });
});

describe("control frames", () => {
  test("pong, acks, errors, notices", () => {
    expect(parseFrame("pong", ctx())).toEqual({ kind: "control", event: "pong" });
    expect(parseFrame(new TextEncoder().encode("pong"), ctx())).toEqual({ kind: "control", event: "pong" });
    expect(
      parseFrame(
        '{"event":"subscribe","arg":{"channel":"candle1m","instId":"BTC-USDT"},"connId":"a4d3ae55"}',
        ctx(),
      ),
    ).toEqual({ kind: "ack", id: "candle1m:BTC-USDT" });
    expect(
      parseFrame(
        '{"id":"7","event":"unsubscribe","arg":{"channel":"liquidation-orders","instType":"SWAP"}}',
        ctx(),
      ),
    ).toEqual({ kind: "ack", id: "7" });
    expect(
      parseFrame(
        '{"event":"error","code":"60018","msg":"Wrong URL or channel:candle1m,instId:BTC-USDT doesn\'t exist. Please use the correct URL, channel and parameters referring to API document.","connId":"a4d3ae55"}',
        ctx(),
      ),
    ).toEqual({
      kind: "error",
      id: null,
      message:
        'Wrong URL or channel:candle1m,instId:BTC-USDT doesn\'t exist. Please use the correct URL, channel and parameters referring to API document. (code "60018")',
    });
    expect(
      parseFrame(
        '{"event":"notice","code":"64008","msg":"The connection will soon be closed for a service upgrade. Please reconnect.","connId":"a4d3ae55"}',
        ctx(),
      ),
    ).toEqual({ kind: "control", event: "server-shutdown" });
    expect(reason(parseFrame('{"event":"notice","code":"64099","msg":"?"}', ctx()))).toBe(
      'ignored:notice:"64099"',
    );
    expect(reason(parseFrame('{"event":"login","code":"0","msg":""}', ctx()))).toBe("ignored:event:login");
    expect(reason(parseFrame('{"event":"party"}', ctx()))).toBe("invalid:unknown_event");
  });

  test("known channels we do not normalize are ignored", () => {
    for (const ch of [
      "price-limit",
      "estimated-price",
      "opt-summary",
      "mark-price-candle1m",
      "index-candle1H",
    ]) {
      const f = `{"arg":{"channel":"${ch}","instId":"BTC-USDT-SWAP"},"data":[{}]}`;
      expect(reason(parseFrame(f, ctx()))).toBe(`ignored:unsupported:${ch}`);
    }
  });
});

describe("malformed frames → invalid, never throw", () => {
  test("malformed JSON and shapes", () => {
    expect(reason(parseFrame("", ctx()))).toBe("invalid:malformed_json");
    expect(reason(parseFrame("ping", ctx()))).toBe("invalid:malformed_json");
    expect(reason(parseFrame("[1,2]", ctx()))).toBe("invalid:invalid_shape");
    expect(reason(parseFrame("42", ctx()))).toBe("invalid:invalid_shape");
    expect(reason(parseFrame('{"data":[]}', ctx()))).toBe("invalid:invalid_shape");
    expect(reason(parseFrame('{"arg":{"channel":"trades"},"data":[]}', ctx()))).toBe("invalid:invalid_shape");
    expect(reason(parseFrame('{"arg":{"channel":"trades"},"data":{}}', ctx()))).toBe("invalid:invalid_field");
    expect(reason(parseFrame('{"arg":{"channel":7},"data":[{}]}', ctx()))).toBe("invalid:invalid_field");
    expect(reason(parseFrame('{"arg":{"channel":"nope","instId":"BTC-USDT"},"data":[{}]}', ctx()))).toBe(
      "invalid:unknown_channel",
    );
  });

  test("every truncation of every recorded line is invalid", () => {
    const lines = readLines("okx/tardis_v5_futures_messages.jsonl").concat(
      readLines("okx/tardis_v5_spot_messages.jsonl"),
    );
    for (const line of lines) {
      for (let cut = 1; cut < line.length; cut += 7) {
        const r = okxSwap.parseFrame(line.slice(0, cut), ctx());
        expect(r.kind).toBe("invalid");
      }
    }
  });

  test("unknown instrument", () => {
    const f =
      '{"arg":{"channel":"trades","instId":"BTC-USDT"},"data":[{"instId":"BTC-USDT","tradeId":"1","px":"1","sz":"1","side":"buy","ts":"1"}]}';
    expect(reason(okxSpot.parseFrame(f, ctx({})))).toBe("invalid:unknown_symbol");
    const idx =
      '{"arg":{"channel":"index-tickers","instId":"ETH-USDT"},"data":[{"instId":"ETH-USDT","idxPx":"1","ts":"1"}]}';
    expect(reason(okxSwap.parseFrame(idx, ctx({ "BTC-USDT-SWAP": "BTC-USDT-PERP" })))).toBe(
      "invalid:unknown_symbol",
    );
  });

  test("mistyped fields name the field", () => {
    const cases: Array<[string, string]> = [
      [
        '{"arg":{"channel":"trades","instId":"A-B"},"data":[{"instId":"A-B","tradeId":1,"px":"1","sz":"1","side":"buy","ts":"1"}]}',
        "tradeId",
      ],
      [
        '{"arg":{"channel":"trades","instId":"A-B"},"data":[{"instId":"A-B","tradeId":"1","px":"x","sz":"1","side":"buy","ts":"1"}]}',
        "px",
      ],
      [
        '{"arg":{"channel":"trades","instId":"A-B"},"data":[{"instId":"A-B","tradeId":"1","px":"1","sz":"1","side":"up","ts":"1"}]}',
        "side",
      ],
      [
        '{"arg":{"channel":"trades","instId":"A-B"},"data":[{"instId":"A-B","tradeId":"1","px":"1","sz":"1","side":"buy","ts":"-1"}]}',
        "ts",
      ],
      [
        '{"arg":{"channel":"books","instId":"A-B"},"action":"merge","data":[{"asks":[],"bids":[],"ts":"1"}]}',
        "action",
      ],
      [
        '{"arg":{"channel":"books","instId":"A-B"},"action":"update","data":[{"asks":[["1"]],"bids":[],"ts":"1"}]}',
        "asks",
      ],
      [
        '{"arg":{"channel":"books","instId":"A-B"},"action":"update","data":[{"asks":[],"bids":[],"ts":"1","seqId":"x"}]}',
        "seqId",
      ],
      [
        '{"arg":{"channel":"books","instId":"A-B"},"action":"update","data":[{"asks":[],"bids":[],"ts":"1","seqId":2}]}',
        "prevSeqId",
      ],
      [
        '{"arg":{"channel":"books","instId":"A-B"},"action":"update","data":[{"asks":[],"bids":[],"ts":"1","checksum":"1"}]}',
        "checksum",
      ],
      [
        '{"arg":{"channel":"bbo-tbt","instId":"A-B"},"data":[{"asks":[],"bids":[["1","1"]],"ts":"1"}]}',
        "asks",
      ],
      [
        '{"arg":{"channel":"tickers","instId":"A-B"},"data":[{"instId":"A-B","last":"1","open24h":"1","high24h":"1","low24h":"1","vol24h":"1","volCcy24h":"1","bidPx":"?","ts":"1"}]}',
        "bidPx",
      ],
      [
        '{"arg":{"channel":"candle1m","instId":"A-B"},"data":[["1","1","1","1","1","1","1","1","2"]]}',
        "confirm",
      ],
      ['{"arg":{"channel":"candle1m","instId":"A-B"},"data":[["1","1","1","1","1","1","1","1"]]}', "row"],
      [
        '{"arg":{"channel":"mark-price","instId":"A-B"},"data":[{"instId":"A-B","markPx":"","ts":"1"}]}',
        "markPx",
      ],
      [
        '{"arg":{"channel":"funding-rate","instId":"A-B"},"data":[{"instId":"A-B","fundingRate":"0.1","fundingTime":"0","ts":"1"}]}',
        "fundingTime",
      ],
      [
        '{"arg":{"channel":"liquidation-orders","instType":"SWAP"},"data":[{"instId":"A-B","details":[{"bkPx":"1","sz":"1","side":"long","ts":"1"}]}]}',
        "side",
      ],
    ];
    for (const [frame, field] of cases) {
      const r = parseFrame(frame, ctx());
      expect(r.kind).toBe("invalid");
      if (r.kind === "invalid") {
        expect(r.reason).toBe("invalid_field");
        expect(r.detail).toContain(`"${field}"`);
      }
    }
  });

  test("nothing throws on hostile input", () => {
    const hostile = [
      '{"arg":{"channel":"books","instId":"A-B"},"action":"snapshot","data":[null]}',
      '{"arg":{"channel":"liquidation-orders"},"data":[{"instId":"A-B","details":null}]}',
      '{"arg":{"channel":"index-tickers"},"data":[{"instId":null}]}',
      '{"event":"subscribe","arg":null}',
      '{"event":"error","code":{},"msg":[1]}',
      '{"arg":{"channel":"candle1m","instId":"A-B"},"data":[{}]}',
      `{"arg":{"channel":"trades","instId":"A-B"},"data":[${"[".repeat(500)}${"]".repeat(500)}]}`,
      "\u0000\u0001",
    ];
    for (const f of hostile) {
      const r = parseFrame(f, ctx());
      expect(["invalid", "ignored", "error"]).toContain(r.kind);
    }
  });
});
