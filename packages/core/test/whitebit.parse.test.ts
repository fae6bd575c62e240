import { describe, expect, test } from "bun:test";
import type { FrameResult, ParseContext } from "../src/adapter.ts";
import { candleRequestId, whitebit } from "../src/exchanges/whitebit/index.ts";
import type { Book, Candle, MarketMessage, Ticker, Trade } from "../src/schemas/messages.ts";
import { readJson, readLines } from "./fixtures.ts";
import { countLabels, parseContext, RECV_TS, resultLabel, schemaErrors } from "./parse-harness.ts";

/**
 * Every recorded WhiteBIT message in packages/core/test/fixtures/whitebit (WhiteBIT's documentation examples
 * as reproduced by JKorf/WhiteBit.Net; no live recordings and no tardis-normalized files exist for
 * WhiteBIT), parsed and checked value by value.
 */

const WS_FILE = "whitebit/ws_docs_examples.jsonl";

function ctx(state = new Map<string, unknown>()): ParseContext {
  return parseContext((s) => whitebit.marketOfSymbol(s), RECV_TS, state);
}

function messages(r: FrameResult): MarketMessage[] {
  return r.kind === "data" ? r.messages : [];
}

/** The ack of the connection's candles_subscribe: it tells the parser the candle period. */
function candleAck(seconds: number): string {
  return JSON.stringify({ id: candleRequestId(seconds), result: { status: "success" }, error: null });
}

describe(`${WS_FILE}: every line accounted for`, () => {
  const lines = readLines(WS_FILE);

  test("5 lines on a fresh connection: trade, book delta, lastprice (ignored), ticker, candle without a known period (ignored)", () => {
    const c = ctx();
    const results = lines.map((l) => whitebit.parseFrame(l, c));
    expect(lines).toHaveLength(5);
    expect(results.map((r) => resultLabel(r))).toEqual([
      "trade",
      "book:delta",
      "ignored:unsupported:lastprice_update",
      "ticker",
      "ignored:candles:interval_unknown",
    ]);
    expect(results.flatMap(messages).flatMap(schemaErrors)).toEqual([]);
  });

  test("after the 1m candles_subscribe ack the same 5 lines give trade, book delta, ignored, ticker, candle", () => {
    const c = ctx();
    expect(whitebit.parseFrame(candleAck(60), c)).toEqual({ kind: "ack", id: 1_000_000_060 });
    expect(countLabels(lines.map((l) => whitebit.parseFrame(l, c)))).toEqual({
      trade: 1,
      "book:delta": 1,
      "ignored:unsupported:lastprice_update": 1,
      ticker: 1,
      candle: 1,
    });
  });

  test("line 1 trades_update: id, fractional-second time → ms with µs, price, amount, taker side", () => {
    const r = whitebit.parseFrame(lines[0]!, ctx());
    expect(messages(r)).toEqual([
      {
        type: "trade",
        exchange: "whitebit",
        market: "ETH-USDT",
        symbol: "ETH_USDT",
        ts: 1580905394703.32,
        recvTs: RECV_TS,
        id: "41358530",
        price: 0.020857,
        amount: 5.511,
        side: "sell",
      } satisfies Trade,
    ]);
  });

  test("line 2 depth_update (incremental): seq = update_id, prevSeq = past_update_id, amount 0 deletes, ts = matching-engine timestamp", () => {
    const r = whitebit.parseFrame(lines[1]!, ctx());
    expect(messages(r)).toEqual([
      {
        type: "book",
        exchange: "whitebit",
        market: "ETH-USDT",
        symbol: "ETH_USDT",
        ts: 1689600180516.4,
        recvTs: RECV_TS,
        kind: "delta",
        seq: 214403,
        prevSeq: 214399,
        bids: [
          [0.020844, 5.949],
          [0.0208, 0],
        ],
        asks: [
          [0.020861, 0],
          [0.0209, 2.5],
        ],
      } satisfies Book,
    ]);
  });

  test("line 3 lastprice_update: understood, not normalized", () => {
    expect(whitebit.parseFrame(lines[2]!, ctx())).toEqual({
      kind: "ignored",
      reason: "unsupported:lastprice_update",
    });
  });

  test("line 4 market_update (period 86400): the 24 h ticker, deal = quote volume, change from open, ts = recvTs", () => {
    const [t] = messages(whitebit.parseFrame(lines[3]!, ctx())) as Ticker[];
    expect(t).toEqual({
      type: "ticker",
      exchange: "whitebit",
      market: "ETH-USDT",
      symbol: "ETH_USDT",
      ts: RECV_TS,
      recvTs: RECV_TS,
      last: 0.020964,
      open: 0.020349,
      high: 0.020997,
      low: 0.020281,
      volume: 135574.476,
      quoteVolume: 2784.413999488,
      change: expect.closeTo(0.000615, 12),
      changePct: expect.closeTo(3.02226153619343, 9),
      bid: null,
      ask: null,
    });
  });

  test("line 5 candles_update: [time, open, close, high, low, volume, deal, market] with the period from the ack", () => {
    const c = ctx();
    whitebit.parseFrame(candleAck(60), c);
    const [k] = messages(whitebit.parseFrame(lines[4]!, c)) as Candle[];
    expect(k).toEqual({
      type: "candle",
      exchange: "whitebit",
      market: "ETH-USDT",
      symbol: "ETH_USDT",
      ts: RECV_TS,
      recvTs: RECV_TS,
      interval: "1m",
      openTime: 1580895000000,
      closeTime: 1580895059999,
      open: 0.020683,
      high: 0.020683,
      low: 0.020666,
      close: 0.020683,
      volume: 504.701,
      quoteVolume: 10.433600491,
      trades: null,
      closed: false,
    });
    // 1580895000 is on a 15m boundary too: the period comes from the ack, never from the time
    const c15 = ctx();
    whitebit.parseFrame(candleAck(900), c15);
    const [k15] = messages(whitebit.parseFrame(lines[4]!, c15)) as Candle[];
    expect([k15!.interval, k15!.closeTime]).toEqual(["15m", 1580895899999]);
  });
});

describe("candle closing across pushes (the fixture candle, then a push of the next minute)", () => {
  const line = readLines(WS_FILE)[4]!;
  const next = line.replace("1580895000", "1580895060").replace('"504.701"', '"1.5"');

  test("a push of a newer candle emits the last state of the previous one as closed (ts: its last push's, before the close time)", () => {
    const c = ctx();
    whitebit.parseFrame(candleAck(60), c);
    const first = messages(whitebit.parseFrame(line, c)) as Candle[];
    const again = messages(whitebit.parseFrame(line, c)) as Candle[];
    expect(first.map((k) => k.closed)).toEqual([false]);
    expect(again.map((k) => k.closed)).toEqual([false]);
    const rolled = messages(whitebit.parseFrame(next, c)) as Candle[];
    expect(rolled.map((k) => [k.openTime, k.closed, k.ts, k.volume])).toEqual([
      [1580895000000, true, 1580895059998, 504.701], // received after the close: the close time − 1 ms
      [1580895060000, false, RECV_TS, 1.5],
    ]);
    // a late push of the older candle is dropped
    expect(whitebit.parseFrame(line, c)).toEqual({ kind: "ignored", reason: "stale:candles_update" });
  });

  test("parser state is per connection: a fresh state knows no period and no previous candle", () => {
    expect(resultLabel(whitebit.parseFrame(next, ctx()))).toBe("ignored:candles:interval_unknown");
  });

  test("an error reply to the candles_subscribe does not set the period", () => {
    const c = ctx();
    const err = JSON.stringify({
      id: candleRequestId(60),
      result: null,
      error: { code: 1, message: "invalid argument" },
    });
    expect(whitebit.parseFrame(err, c)).toEqual({
      kind: "error",
      id: 1_000_000_060,
      message: "invalid argument (code 1)",
    });
    expect(resultLabel(whitebit.parseFrame(line, c))).toBe("ignored:candles:interval_unknown");
  });
});

describe("whitebit/rest_orderbook_docs_example.json", () => {
  test("GET /api/v4/public/orderbook/{market} → snapshot, no update id (seq 0), ts = timestamp", () => {
    const book = whitebit.rest.parseDepth(readJson("whitebit/rest_orderbook_docs_example.json"), {
      recvTs: RECV_TS,
      market: "ETH-USDT",
    });
    expect(book).toEqual({
      type: "book",
      exchange: "whitebit",
      market: "ETH-USDT",
      symbol: "ETH_USDT",
      ts: 1594391413000,
      recvTs: RECV_TS,
      kind: "snapshot",
      seq: 0,
      prevSeq: null,
      bids: [[9181.19, 0.010873]],
      asks: [[9184.41, 0.773162]],
    });
    expect(schemaErrors(book)).toEqual([]);
  });
});

describe("documented shapes beyond the fixtures", () => {
  test("depth_update full reload: a snapshot with seq = update_id and no prevSeq", () => {
    const frame = JSON.stringify({
      id: null,
      method: "depth_update",
      params: [
        true,
        {
          timestamp: 1689600180.516447,
          asks: [["0.020846", "29.369"]],
          bids: [["0.02083", "9.598"]],
          update_id: 214403,
          event_time: 1749026542.817343,
        },
        "ETH_BTC",
      ],
    });
    const [b] = messages(whitebit.parseFrame(frame, ctx())) as Book[];
    expect([b!.kind, b!.seq, b!.prevSeq, b!.ts, b!.market, b!.bids, b!.asks]).toEqual([
      "snapshot",
      214403,
      null,
      1689600180516.447,
      "ETH-BTC",
      [[0.02083, 9.598]],
      [[0.020846, 29.369]],
    ]);
  });

  test("bookTicker_update: ts = transaction_time, seq = update_id", () => {
    const frame =
      '{"id":null,"method":"bookTicker_update","params":[[1751958383.593387,1751958383.593557,"SHIB_USDT",80670102,"0.000011751","12547000","0.000011776","17424000"]]}';
    expect(messages(whitebit.parseFrame(frame, ctx()))).toEqual([
      {
        type: "bbo",
        exchange: "whitebit",
        market: "SHIB-USDT",
        symbol: "SHIB_USDT",
        ts: 1751958383593.387,
        recvTs: RECV_TS,
        bidPrice: 0.000011751,
        bidAmount: 12547000,
        askPrice: 0.000011776,
        askAmount: 17424000,
        seq: 80670102,
      },
    ]);
  });

  test("trades_update batches (newest first on the wire) come out oldest first", () => {
    const frame = JSON.stringify({
      id: null,
      method: "trades_update",
      params: [
        "BTC_USDT",
        [
          { id: 12, time: 1700000000.5, price: "2", amount: "1", type: "buy", rpi: true },
          { id: 11, time: 1700000000.25, price: "1", amount: "1", type: "sell" },
        ],
      ],
    });
    const trades = messages(whitebit.parseFrame(frame, ctx())) as Trade[];
    expect(trades.map((t) => [t.id, t.ts, t.side])).toEqual([
      ["11", 1700000000250, "sell"],
      ["12", 1700000000500, "buy"],
    ]);
  });

  test("replies: pong, subscribe ack, other results, errors with WhiteBIT's codes", () => {
    const c = ctx();
    expect(whitebit.parseFrame('{"id":0,"result":"pong","error":null}', c)).toEqual({
      kind: "control",
      event: "pong",
    });
    expect(whitebit.parseFrame('{"id":3,"result":{"status":"success"},"error":null}', c)).toEqual({
      kind: "ack",
      id: 3,
    });
    expect(whitebit.parseFrame('{"id":1,"result":1493285895,"error":null}', c)).toEqual({
      kind: "ack",
      id: 1,
    });
    expect(
      whitebit.parseFrame('{"error":{"code":7,"message":"too many requests"},"result":null,"id":2269}', c),
    ).toEqual({ kind: "error", id: 2269, message: "too many requests (code 7)" });
    expect(
      whitebit.parseFrame(
        '{"error":{"code":6,"message":"require authentication"},"result":null,"id":null}',
        c,
      ),
    ).toEqual({ kind: "error", id: null, message: "require authentication (code 6)" });
    expect(c.state.size).toBe(0);
  });

  test("marketToday_update is understood and not normalized; a non-24 h market period is ignored", () => {
    expect(
      whitebit.parseFrame(
        '{"id":null,"method":"marketToday_update","params":["BTC_USDT",{"last":"1"}]}',
        ctx(),
      ),
    ).toEqual({ kind: "ignored", reason: "unsupported:marketToday_update" });
    const hourly = readLines(WS_FILE)[3]!.replace('"period":86400', '"period":3600');
    expect(whitebit.parseFrame(hourly, ctx())).toEqual({
      kind: "ignored",
      reason: "unsupported:period_3600",
    });
  });
});
