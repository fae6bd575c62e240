import { describe, expect, test } from "bun:test";
import type { FrameResult, ParseContext } from "../src/adapter.ts";
import { bingxSpot, bingxSwap } from "../src/exchanges/bingx/index.ts";
import type { Bbo, Book, Candle, Deriv, MarketMessage, Ticker, Trade } from "../src/schemas/messages.ts";
import { readLines } from "./fixtures.ts";
import { countLabels, parseContext, RECV_TS, resultLabel, schemaErrors } from "./parse-harness.ts";

function ctx(adapter = bingxSwap, recvTs = RECV_TS): ParseContext {
  return parseContext((s) => adapter.marketOfSymbol(s), recvTs);
}

function messagesOf(r: FrameResult): MarketMessage[] {
  expect(r.kind).toBe("data");
  return r.kind === "data" ? r.messages : [];
}

const gzip = (s: string) => Bun.gzipSync(new TextEncoder().encode(s));

const label = (r: FrameResult): string => resultLabel(r, "first");

describe("bingx swap decoded samples (JKorf/BingX.Net captures, 2024-05-02)", () => {
  const FILE = "bingx/swap_ws_decoded_samples.jsonl";
  const lines = readLines(FILE);
  const c = ctx();
  const results = lines.map((l) => bingxSwap.parseFrame(l, c));
  const line = (n: number) => messagesOf(results[n - 1]!);

  test("every line is accounted for", () => {
    expect(lines).toHaveLength(7);
    const counts = countLabels(results, label);
    expect(counts).toEqual({
      trade: 1, // one frame holding 23 trades
      "book:snapshot": 1,
      candle: 1,
      ticker: 1,
      bbo: 1,
      deriv: 1,
      "ignored:unsupported:lastPrice": 1, // a last price alone is no normalized message
    });
    const all = results.flatMap((r) => (r.kind === "data" ? r.messages : []));
    expect(all).toHaveLength(23 + 5);
    expect(all.flatMap(schemaErrors)).toEqual([]);
    for (const m of all)
      expect([m.exchange, m.market, m.symbol, m.recvTs]).toEqual([
        "bingx",
        "ETH-USDT-PERP",
        "ETH-USDT",
        RECV_TS,
      ]);
  });

  test("the same frames gzip-compressed (as on the wire) and as base64 text parse identically", () => {
    lines.forEach((l, i) => {
      expect(bingxSwap.parseFrame(gzip(l), ctx())).toEqual(bingxSwap.parseFrame(l, ctx()));
      expect(bingxSwap.parseFrame(Buffer.from(gzip(l)).toString("base64"), ctx())).toEqual(results[i]!);
    });
  });

  test("line 1 trades: 23 from one array, oldest first, taker side from m, content ids", () => {
    const trades = line(1) as Trade[];
    expect(trades).toHaveLength(23);
    // the wire array is newest first; its last element is the oldest trade
    expect(trades[0]).toEqual({
      type: "trade",
      exchange: "bingx",
      market: "ETH-USDT-PERP",
      symbol: "ETH-USDT",
      ts: 1714650252503,
      recvTs: RECV_TS,
      id: "1714650252503-2984.42-6.78-b-0",
      price: 2984.42,
      amount: 6.78,
      side: "buy",
    });
    expect(trades[22]).toMatchObject({ ts: 1714650253104, price: 2983.48, amount: 1.92, side: "buy" });
    expect(trades[1]).toMatchObject({ ts: 1714650252628, price: 2983.92, amount: 0.01, side: "sell" }); // m=true
    const ts = trades.map((t) => t.ts);
    expect(ts).toEqual([...ts].sort((a, b) => a - b));
    expect(trades.filter((t) => t.side === "buy").map((t) => t.amount)).toEqual([6.78, 0.13, 8.26, 1.92]);
    expect(trades.filter((t) => t.side === "sell")).toHaveLength(19);
    // identical trades within one frame (0.01 @ 2983.92 at ...640, 11 of them) get distinct ids
    const same = trades.filter((t) => t.ts === 1714650252640);
    expect(same).toHaveLength(11);
    expect(same.map((t) => t.id)).toEqual(
      Array.from({ length: 11 }, (_, i) => `1714650252640-2983.92-0.01-s-${i}`),
    );
    expect(new Set(trades.map((t) => t.id)).size).toBe(23);
  });

  test("line 2 depth20@100ms: a snapshot, asks re-sorted best first (sent best last), seq = ts", () => {
    const [b] = line(2) as Book[];
    expect([b!.kind, b!.seq, b!.prevSeq, b!.ts]).toEqual(["snapshot", 1714650397486, null, 1714650397486]);
    expect(b!.bids).toHaveLength(20);
    expect(b!.asks).toHaveLength(20);
    expect(b!.bids.slice(0, 2)).toEqual([
      [2990.64, 14.13],
      [2990.61, 1.22],
    ]);
    expect(b!.bids.at(-1)).toEqual([2990.3, 9.76]);
    expect(b!.asks.slice(0, 2)).toEqual([
      [2990.71, 15.26],
      [2990.74, 17.57],
    ]);
    expect(b!.asks.at(-1)).toEqual([2991.06, 12.8]);
    expect(b!.bids[0]![0]).toBeLessThan(b!.asks[0]![0]);
  });

  test("line 3 kline_1m: T is the open time; close time computed; no quote volume or count", () => {
    expect(line(3)).toEqual([
      {
        type: "candle",
        exchange: "bingx",
        market: "ETH-USDT-PERP",
        symbol: "ETH-USDT",
        ts: RECV_TS,
        recvTs: RECV_TS,
        interval: "1m",
        openTime: 1714650540000,
        closeTime: 1714650599999,
        open: 2991.5,
        high: 2991.55,
        low: 2989.04,
        close: 2989.57,
        volume: 215.89,
        quoteVolume: null,
        trades: null,
        closed: false,
      } satisfies Candle,
    ]);
  });

  test("line 4 24h ticker", () => {
    expect(line(4)).toEqual([
      {
        type: "ticker",
        exchange: "bingx",
        market: "ETH-USDT-PERP",
        symbol: "ETH-USDT",
        ts: 1714650656745,
        recvTs: RECV_TS,
        last: 2986.23,
        open: 2889.04,
        high: 3015.01,
        low: 2863.88,
        volume: 608870.36,
        quoteVolume: 1789842510.53,
        change: 97.19,
        changePct: 3.36,
        bid: 2986.15,
        ask: 2986.17,
      } satisfies Ticker,
    ]);
  });

  test("line 5 bookTicker: seq = u, ts = T (match time)", () => {
    expect(line(5)).toEqual([
      {
        type: "bbo",
        exchange: "bingx",
        market: "ETH-USDT-PERP",
        symbol: "ETH-USDT",
        ts: 1714650946596,
        recvTs: RECV_TS,
        bidPrice: 2993.59,
        bidAmount: 13.24,
        askPrice: 2993.67,
        askAmount: 9.78,
        seq: 309869207,
      } satisfies Bbo,
    ]);
  });

  test("line 6 markPrice: deriv with the mark price only", () => {
    expect(line(6)).toEqual([
      {
        type: "deriv",
        exchange: "bingx",
        market: "ETH-USDT-PERP",
        symbol: "ETH-USDT",
        ts: 1714650884021,
        recvTs: RECV_TS,
        markPrice: 2999.63,
        indexPrice: null,
        fundingRate: null,
        nextFundingTime: null,
        openInterest: null,
      } satisfies Deriv,
    ]);
  });

  test("the spot adapter reads the same symbol as the spot market", () => {
    const r = bingxSpot.parseFrame(lines[4]!, ctx(bingxSpot));
    expect(messagesOf(r).map((m) => m.market)).toEqual(["ETH-USDT"]);
  });
});

describe("heartbeats, acks and errors", () => {
  test("swap Ping → reply Pong (also gzip, any case and whitespace)", () => {
    for (const f of ["Ping", "ping", " Ping\n", "PING"]) {
      expect(bingxSwap.parseFrame(f, ctx())).toEqual({ kind: "reply", frame: "Pong" });
      expect(bingxSwap.parseFrame(gzip(f), ctx())).toEqual({ kind: "reply", frame: "Pong" });
    }
  });

  test("spot {ping,time} → reply {pong,time} with the same id and time", () => {
    const ping = '{"ping":"2177c68e4d0e45679965f482929b59c2","time":"2022-06-07T16:27:36.323+0800"}';
    const r = bingxSpot.parseFrame(gzip(ping), ctx(bingxSpot));
    expect(r.kind).toBe("reply");
    if (r.kind !== "reply") return;
    expect(JSON.parse(r.frame)).toEqual({
      pong: "2177c68e4d0e45679965f482929b59c2",
      time: "2022-06-07T16:27:36.323+0800",
    });
    // a heartbeat without a time is answered with the id alone
    const r2 = bingxSpot.parseFrame('{"ping":42}', ctx(bingxSpot));
    expect(r2).toEqual({ kind: "reply", frame: '{"pong":42}' });
  });

  test("Pong echoes are control pongs", () => {
    expect(bingxSwap.parseFrame("Pong", ctx())).toEqual({ kind: "control", event: "pong" });
    expect(bingxSpot.parseFrame('{"pong":"x","time":"t"}', ctx(bingxSpot))).toEqual({
      kind: "control",
      event: "pong",
    });
  });

  test("acks: spot and swap forms", () => {
    const spotAck =
      '{"code":0,"id":"24dd0e35-56a4-4f7a-af8a-394c7060909c","msg":"SUCCESS","timestamp":1760066128475}';
    expect(bingxSpot.parseFrame(spotAck, ctx(bingxSpot))).toEqual({
      kind: "ack",
      id: "24dd0e35-56a4-4f7a-af8a-394c7060909c",
    });
    const swapAck = '{"id":"e745cd6d","code":0,"msg":"","dataType":"","data":null}';
    expect(bingxSwap.parseFrame(swapAck, ctx())).toEqual({ kind: "ack", id: "e745cd6d" });
  });

  test("errors: non-zero code with and without a request id", () => {
    expect(bingxSwap.parseFrame('{"id":"7","code":80015,"msg":"dataType not supported"}', ctx())).toEqual({
      kind: "error",
      id: "7",
      message: "dataType not supported (code 80015)",
    });
    expect(
      bingxSpot.parseFrame('{"code":100400,"msg":"","timestamp":1696245808833}', ctx(bingxSpot)),
    ).toEqual({
      kind: "error",
      id: null,
      message: "error (code 100400)",
    });
  });
});

/**
 * Spot has no recorded frames in the fixtures; these are the BingX spot API documentation's
 * examples (docs 2025/2026) and the shape of ccxt's and JKorf's captures.
 */
describe("bingx spot frames (documentation examples)", () => {
  const spot = (frame: string, c = ctx(bingxSpot)) => messagesOf(bingxSpot.parseFrame(gzip(frame), c));

  test("trade: one per frame, id = t, m ⇒ taker sold", () => {
    const f =
      '{"code":0,"data":{"E":1760066129336,"T":1760066129316,"e":"trade","m":true,"p":"121123.47","q":"0.003189","s":"BTC-USDT","t":"172356086"},"dataType":"BTC-USDT@trade","success":true,"timestamp":1760066129336}';
    expect(spot(f)).toEqual([
      {
        type: "trade",
        exchange: "bingx",
        market: "BTC-USDT",
        symbol: "BTC-USDT",
        ts: 1760066129316,
        recvTs: RECV_TS,
        id: "172356086",
        price: 121123.47,
        amount: 0.003189,
        side: "sell",
      },
    ]);
  });

  test("24h ticker with JSON numbers and P as a percent string", () => {
    const f =
      '{"code":0,"timestamp":1760066441401,"dataType":"BTC-USDT@ticker","data":{"e":"24hTicker","E":1760066441399,"s":"BTC-USDT","p":-632.32,"P":"-0.52%","o":121931.93,"h":123750,"l":119666.27,"c":121299.61,"v":3087.49,"q":375356180.14,"O":1759980041399,"C":1760066441399,"A":121300,"a":0.00013099999999999999,"B":121291.64,"b":9.293124}}';
    expect(spot(f)).toEqual([
      {
        type: "ticker",
        exchange: "bingx",
        market: "BTC-USDT",
        symbol: "BTC-USDT",
        ts: 1760066441399,
        recvTs: RECV_TS,
        last: 121299.61,
        open: 121931.93,
        high: 123750,
        low: 119666.27,
        volume: 3087.49,
        quoteVolume: 375356180.14,
        change: -632.32,
        changePct: -0.52,
        bid: 121291.64,
        ask: 121300,
      },
    ]);
  });

  test("bookTicker without update id: no seq, ts = E", () => {
    const f =
      '{"code":0,"data":{"A":"0.000016","B":"4.372149","E":1760066515920,"a":"121348.56","b":"121342.22","e":"bookTicker","s":"BTC-USDT"},"dataType":"BTC-USDT@bookTicker","success":true}';
    expect(spot(f)).toEqual([
      {
        type: "bbo",
        exchange: "bingx",
        market: "BTC-USDT",
        symbol: "BTC-USDT",
        ts: 1760066515920,
        recvTs: RECV_TS,
        bidPrice: 121342.22,
        bidAmount: 4.372149,
        askPrice: 121348.56,
        askAmount: 0.000016,
      },
    ]);
  });

  test("kline_1min: open/close time, quote volume and trade count from K", () => {
    const f =
      '{"code":0,"data":{"E":1760066282349,"K":{"T":1760066339999,"c":"121137.93299999999","h":"121137.946","i":"1min","l":"121137.93299999999","n":4,"o":"121137.946","q":"3131.052371","s":"BTC-USDT","t":1760066280000,"v":"0.025847000000000000"},"e":"kline","s":"BTC-USDT"},"dataType":"BTC-USDT@kline_1min","success":true}';
    expect(spot(f)).toEqual([
      {
        type: "candle",
        exchange: "bingx",
        market: "BTC-USDT",
        symbol: "BTC-USDT",
        ts: 1760066282349,
        recvTs: RECV_TS,
        interval: "1m",
        openTime: 1760066280000,
        closeTime: 1760066339999,
        open: 121137.946,
        high: 121137.946,
        low: 121137.93299999999,
        close: 121137.93299999999,
        volume: 0.025847,
        quoteVolume: 3131.052371,
        trades: 4,
        closed: false,
      },
    ]);
  });

  test("kline aliases seen in other clients' captures (8hour, 60min, 1day) map to the intervals", () => {
    const k = (dt: string, name: string, t: number, T: number) =>
      `{"code":0,"data":{"E":${t + 1},"K":{"T":${T},"c":"1","h":"1","i":"${name}","l":"1","n":1,"o":"1","q":"1","s":"ETH-USDT","t":${t},"v":"1"},"e":"kline","s":"ETH-USDT"},"dataType":"ETH-USDT@kline_${dt}","success":true}`;
    const c8 = spot(k("8hour", "8hour", 1764230400000, 1764259199999))[0] as Candle;
    expect([c8.interval, c8.openTime, c8.closeTime]).toEqual(["8h", 1764230400000, 1764259199999]);
    expect((spot(k("60min", "60min", 1764230400000, 1764233999999))[0] as Candle).interval).toBe("1h");
    expect((spot(k("1day", "1day", 1764201600000, 1764287999999))[0] as Candle).interval).toBe("1d");
  });

  test("partial depth depth50: asks sent best last are sorted best first", () => {
    const f =
      '{"code":0,"data":{"asks":[["121398.38","0.000025"],["121228.63","0.000150"]],"bids":[["121228.61","0.000321"],["121210.43","4.538315"]]},"dataType":"BTC-USDT@depth50","success":true,"timestamp":1760066281300}';
    const [b] = spot(f) as Book[];
    expect(b).toMatchObject({ kind: "snapshot", seq: 1760066281300, prevSeq: null, ts: 1760066281300 });
    expect(b!.asks).toEqual([
      [121228.63, 0.00015],
      [121398.38, 0.000025],
    ]);
    expect(b!.bids[0]).toEqual([121228.61, 0.000321]);
  });

  test("incrDepth with {price: qty} maps: all → snapshot, update → delta with prevSeq = seq − 1", () => {
    const c = ctx(bingxSpot);
    const all =
      '{"code":0,"timestamp":1769443327000,"success":true,"dataType":"BTC-USDT@incrDepth","data":{"action":"all","lastUpdateId":524996,"sourceUpdateId":15253687400,"asks":{"87555.23":"1.5","87554.35":"0.2"},"bids":{"87549.60":"2","87555.22":"1"}}}';
    const update =
      '{"code":0,"timestamp":1769443327977,"success":true,"dataType":"BTC-USDT@incrDepth","data":{"action":"update","lastUpdateId":524997,"sourceUpdateId":15253687425,"asks":{"87554.35":"0.004666","87555.23":"0"},"bids":{"87555.22":"0","87554.34":"0.001949"}}}';
    const [s] = spot(all, c) as Book[];
    expect(s).toEqual({
      type: "book",
      exchange: "bingx",
      market: "BTC-USDT",
      symbol: "BTC-USDT",
      ts: 1769443327000,
      recvTs: RECV_TS,
      kind: "snapshot",
      seq: 524996,
      prevSeq: null,
      bids: [
        [87555.22, 1],
        [87549.6, 2],
      ],
      asks: [
        [87554.35, 0.2],
        [87555.23, 1.5],
      ],
    });
    const [d] = spot(update, c) as Book[];
    expect([d!.kind, d!.seq, d!.prevSeq, d!.ts]).toEqual(["delta", 524997, 524996, 1769443327977]);
    expect(d!.asks).toEqual([
      [87554.35, 0.004666],
      [87555.23, 0],
    ]);
    expect(d!.bids).toEqual([
      [87555.22, 0],
      [87554.34, 0.001949],
    ]);
  });

  test("lastPrice is understood and ignored; markPrice does not exist on spot", () => {
    const lp =
      '{"code":0,"data":{"c":"121324.91","e":"lastPriceUpdate","s":"BTC-USDT"},"dataType":"BTC-USDT@lastPrice","success":true}';
    expect(bingxSpot.parseFrame(lp, ctx(bingxSpot))).toEqual({
      kind: "ignored",
      reason: "unsupported:lastPrice",
    });
    const mp =
      '{"code":0,"dataType":"BTC-USDT@markPrice","data":{"e":"markPriceUpdate","E":1,"s":"BTC-USDT","p":"1"}}';
    expect(bingxSpot.parseFrame(mp, ctx(bingxSpot)).kind).toBe("invalid");
  });
});

describe("swap frames beyond the fixture (documentation examples)", () => {
  test("incrDepth with [[price, qty]] arrays and data.time", () => {
    const c = ctx();
    const f = (action: string, id: number) =>
      `{"code":0,"dataType":"BTC-USDT@incrDepth","data":{"action":"${action}","lastUpdateId":${id},"time":1760002514979,"bids":[["121706.6","16.8741"],["121678.5","0.0000"]],"asks":[["122539.8","0.0002"],["121706.8","4.7697"]]}}`;
    const [s] = messagesOf(bingxSwap.parseFrame(f("all", 393592634), c)) as Book[];
    expect([s!.kind, s!.seq, s!.prevSeq, s!.market]).toEqual(["snapshot", 393592634, null, "BTC-USDT-PERP"]);
    expect(s!.asks[0]).toEqual([121706.8, 4.7697]);
    const [d] = messagesOf(bingxSwap.parseFrame(f("update", 393592635), c)) as Book[];
    expect([d!.kind, d!.seq, d!.prevSeq, d!.ts]).toEqual(["delta", 393592635, 393592634, 1760002514979]);
    expect(d!.bids).toEqual([
      [121706.6, 16.8741],
      [121678.5, 0],
    ]);
  });

  test("a trade carrying t uses it as the id", () => {
    const f =
      '{"code":0,"dataType":"BTC-USDT@trade","data":[{"q":"0.0551","p":"121926.9","T":1759994162450,"m":true,"s":"BTC-USDT","t":"17"}]}';
    expect((messagesOf(bingxSwap.parseFrame(f, ctx())) as Trade[]).map((t) => t.id)).toEqual(["17"]);
  });
});

describe("candles close when the next period starts (per connection)", () => {
  const swapKline = (T: number, c: string) =>
    `{"code":0,"dataType":"BTC-USDT@kline_1m","s":"BTC-USDT","data":[{"c":"${c}","o":"100","h":"110","l":"90","v":"5","T":${T}}]}`;

  test("updates of one minute stay open; the first update of the next minute closes it", () => {
    const c = ctx();
    const m1 = 1714650540000;
    const a = messagesOf(bingxSwap.parseFrame(swapKline(m1, "101"), c)) as Candle[];
    const b = messagesOf(bingxSwap.parseFrame(swapKline(m1, "102"), c)) as Candle[];
    expect([...a, ...b].map((x) => [x.close, x.closed])).toEqual([
      [101, false],
      [102, false],
    ]);
    const next = messagesOf(bingxSwap.parseFrame(swapKline(m1 + 60_000, "103"), c)) as Candle[];
    expect(next.map((x) => [x.openTime, x.close, x.closed, x.ts])).toEqual([
      [m1, 102, true, m1 + 59_999], // the previous minute's last values, final; ts = its close time
      [m1 + 60_000, 103, false, RECV_TS],
    ]);
    // a late update of a finished minute is final at once and does not reopen it
    const late = messagesOf(bingxSwap.parseFrame(swapKline(m1, "104"), c)) as Candle[];
    expect(late.map((x) => [x.openTime, x.closed])).toEqual([[m1, true]]);
    // a new connection (empty state) knows nothing of the past
    const fresh = messagesOf(bingxSwap.parseFrame(swapKline(m1 + 60_000, "103"), ctx())) as Candle[];
    expect(fresh.map((x) => x.closed)).toEqual([false]);
  });

  test("a spot kline pushed after its close time is closed at once, and not again on the roll", () => {
    const c = ctx(bingxSpot);
    const k = (E: number, t: number) =>
      `{"code":0,"data":{"E":${E},"K":{"T":${t + 59_999},"c":"1","h":"1","i":"1min","l":"1","n":1,"o":"1","q":"1","s":"BTC-USDT","t":${t},"v":"1"},"e":"kline","s":"BTC-USDT"},"dataType":"BTC-USDT@kline_1min","success":true}`;
    const t0 = 1760066280000;
    const final = messagesOf(bingxSpot.parseFrame(k(t0 + 60_000, t0), c)) as Candle[];
    expect(final.map((x) => [x.closed, x.ts])).toEqual([[true, t0 + 59_999]]);
    expect(bingxSpot.parseFrame(k(t0 + 60_001, t0), c)).toEqual({ kind: "ignored", reason: "kline_repeat" });
    const next = messagesOf(bingxSpot.parseFrame(k(t0 + 60_500, t0 + 60_000), c)) as Candle[];
    expect(next.map((x) => [x.openTime, x.closed])).toEqual([[t0 + 60_000, false]]);
  });
});
