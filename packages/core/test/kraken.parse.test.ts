import { describe, expect, test } from "bun:test";
import type { FrameResult, ParseContext } from "../src/adapter.ts";
import { kraken, marketOfSymbol } from "../src/exchanges/kraken/index.ts";
import type { Bbo, Book, Candle, MarketMessage, Ticker, Trade } from "../src/schemas/messages.ts";
import { readLines } from "./fixtures.ts";
import {
  countLabels,
  messagesPerResult,
  parseContext,
  RECV_TS,
  resultLabel,
  schemaErrors,
} from "./parse-harness.ts";

/** A context that knows every symbol the adapter can name without a market list. */
function ctx(recvTs = RECV_TS): ParseContext {
  return parseContext((s) => marketOfSymbol(s), recvTs);
}

const label = (r: FrameResult): string => resultLabel(r, "each", true);

interface Parsed {
  lines: string[];
  results: FrameResult[];
  perLine: MarketMessage[][];
  counts: Record<string, number>;
}

function parseLines(lines: string[], c: ParseContext = ctx()): Parsed {
  const results = lines.map((line) => kraken.parseFrame(line, c));
  const counts = countLabels(results, label);
  return { lines, results, perLine: messagesPerResult(results), counts };
}

function parseFile(rel: string, c?: ParseContext): Parsed {
  return parseLines(readLines(rel), c);
}

function messages<T extends MarketMessage>(p: Parsed, line: number): T[] {
  return p.perLine[line - 1] as T[];
}

function expectAllValid(p: Parsed): void {
  expect(p.perLine.flat().flatMap(schemaErrors)).toEqual([]);
}

/** `2019-07-01T00:00:01.587070Z` → epoch ms with the microseconds in the fraction. */
function isoMs(iso: string): number {
  const [head, frac = "0"] = iso.replace("Z", "").split(".");
  return Date.parse(`${head}Z`) + Number(frac.padEnd(6, "0").slice(0, 6)) / 1000;
}

describe("kraken/tardis_v1_messages.jsonl (+ tardis expected output)", () => {
  const p = parseFile("kraken/tardis_v1_messages.jsonl");
  const expected = readLines("kraken/tardis_v1_expected_normalized.jsonl").map(
    (l) => JSON.parse(l) as Array<Record<string, unknown>>,
  );

  test("every line is accounted for", () => {
    expect(p.lines).toHaveLength(8);
    expect(expected).toHaveLength(8);
    expect(p.counts).toEqual({
      trade: 1,
      "trade+trade": 1,
      "book:delta": 3,
      "book:snapshot": 1,
      bbo: 1,
      "ignored:empty:spread": 1,
    });
    expectAllValid(p);
  });

  test("agrees with tardis on every field both have, line by line", () => {
    let compared = 0;
    p.perLine.forEach((msgs, i) => {
      const exp = expected[i]!;
      expect(msgs).toHaveLength(exp.length);
      msgs.forEach((m, j) => {
        const e = exp[j]!;
        expect(m.ts).toBeCloseTo(isoMs(e.timestamp as string), 6);
        // tardis names the ADA/CAD snapshot (line 6, a null element before the channel name) "book-1000"
        if (i !== 5) expect(m.symbol).toBe(e.symbol as string);
        if (m.type === "trade") {
          expect(e.type).toBe("trade");
          expect([m.price, m.amount, m.side]).toEqual([e.price, e.amount, e.side] as never);
        } else if (m.type === "book") {
          expect(e.type).toBe("book_change");
          expect(m.kind === "snapshot").toBe(e.isSnapshot as boolean);
          const lv = (x: unknown) =>
            (x as Array<{ price: number; amount: number }>).map((l): [number, number] => [l.price, l.amount]);
          expect(m.bids).toEqual(lv(e.bids));
          expect(m.asks).toEqual(lv(e.asks));
        } else if (m.type === "bbo") {
          expect(e.type).toBe("book_ticker");
          expect([m.bidPrice, m.bidAmount, m.askPrice, m.askAmount]).toEqual([
            e.bidPrice,
            e.bidAmount,
            e.askPrice,
            e.askAmount,
          ] as never);
        } else {
          throw new Error(`unexpected ${m.type}`);
        }
        compared++;
      });
    });
    expect(compared).toBe(8);
    expect(expected[7]).toEqual([]);
    expect(p.results[7]).toEqual({ kind: "ignored", reason: "empty:spread" });
  });

  test("v1 names: XBT → BTC markets, the exchange's own symbol kept", () => {
    const [t] = messages<Trade>(p, 1);
    expect(t).toEqual({
      type: "trade",
      exchange: "kraken",
      market: "LTC-BTC",
      symbol: "LTC/XBT",
      ts: 1561939201587.07,
      recvTs: RECV_TS,
      id: "1561939201.587070-0.01136500-2.51146536",
      price: 0.011365,
      amount: 2.51146536,
      side: "sell",
    });
    const [bbo] = messages<Bbo>(p, 7);
    expect(bbo).toEqual({
      type: "bbo",
      exchange: "kraken",
      market: "BTC-USD",
      symbol: "XBT/USD",
      ts: 1633053779916.349,
      recvTs: RECV_TS,
      bidPrice: 43770.2,
      bidAmount: 0.00917717,
      askPrice: 43770.3,
      askAmount: 0.3167044,
    });
  });

  test("book frames: two dicts in one frame, exact strings, seq from the latest level time", () => {
    const [d] = messages<Book>(p, 4);
    expect(d).toMatchObject({
      market: "BCH-USD",
      kind: "delta",
      seq: 1561939258534680,
      prevSeq: null,
      bids: [[400, 3.38983321]],
      asks: [
        [413.9, 27.71904764],
        [403.5, 0],
        [400.3, 0],
      ],
      exact: {
        bids: [["400.000000", "3.38983321"]],
        asks: [
          ["413.900000", "27.71904764"],
          ["403.500000", "0.00000000"],
          ["400.300000", "0.00000000"],
        ],
      },
    });
    expect(d!.checksum).toBeUndefined(); // tardis trimmed these vectors
    const [s] = messages<Book>(p, 6);
    expect(s).toMatchObject({
      market: "ADA-CAD",
      symbol: "ADA/CAD",
      kind: "snapshot",
      ts: 1561939199992.83,
      seq: 1561939199992830,
      prevSeq: null,
      bids: [[0.10281, 2]],
      asks: [[0.102987, 3]],
      exact: { bids: [["0.102810", "2.00000000"]], asks: [["0.102987", "3.00000000"]] },
    });
  });
});

describe("kraken/v1_trade_allpairs_ws.jsonl", () => {
  const p = parseFile("kraken/v1_trade_allpairs_ws.jsonl");

  test("every line is accounted for: 8 trade frames (10 trades), 41 events", () => {
    expect(p.lines).toHaveLength(49);
    expect(p.counts).toEqual({
      "ignored:systemStatus": 1,
      ack: 10,
      "control:heartbeat": 30,
      trade: 6,
      "trade+trade": 2,
    });
    expect(p.perLine.flat()).toHaveLength(10);
    expectAllValid(p);
    expect(p.results[1]).toEqual({ kind: "ack", id: null });
  });

  test("trades: price, volume, taker side, µs time, id from the exchange's strings", () => {
    expect(messages<Trade>(p, 21)).toEqual([
      {
        type: "trade",
        exchange: "kraken",
        market: "XMR-USD",
        symbol: "XMR/USD",
        ts: 1618678142557.535,
        recvTs: RECV_TS,
        id: "1618678142.557535-354.11000000-0.89594024",
        price: 354.11,
        amount: 0.89594024,
        side: "sell",
      },
    ]);
    const [buy] = messages<Trade>(p, 26);
    expect([buy!.side, buy!.price, buy!.amount, buy!.ts]).toEqual([
      "buy",
      354.55,
      1.25690315,
      1618678145715.785,
    ]);
    const two = messages<Trade>(p, 39);
    expect(two.map((t) => [t.market, t.side, t.price, t.amount, t.ts])).toEqual([
      ["SC-EUR", "buy", 0.04298, 8500, 1618678155718.95],
      ["SC-EUR", "buy", 0.043, 2383.16665529, 1618678155720.582],
    ]);
    const ids = p.perLine.flat().map((m) => (m as Trade).id);
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe("kraken/v1_ticker_allpairs_ws.jsonl", () => {
  const p = parseFile("kraken/v1_ticker_allpairs_ws.jsonl");

  test("every line is accounted for: 18 tickers (each a ticker and a bbo), 42 events", () => {
    expect(p.lines).toHaveLength(60);
    expect(p.counts).toEqual({
      "ignored:systemStatus": 1,
      ack: 10,
      "ticker+bbo": 18,
      "control:heartbeat": 31,
    });
    expectAllValid(p);
  });

  test("24 h values come from the second element; bbo from the lot volumes", () => {
    const [t, b] = messages<Ticker | Bbo>(p, 13) as [Ticker, Bbo];
    expect(t).toEqual({
      type: "ticker",
      exchange: "kraken",
      market: "XMR-USD",
      symbol: "XMR/USD",
      ts: RECV_TS,
      recvTs: RECV_TS,
      last: 355.23,
      open: 335.21,
      high: 368,
      low: 333.87,
      volume: 33470.741356,
      quoteVolume: 349.16721624 * 33470.741356,
      change: 20.02,
      changePct: (20.02 / 335.21) * 100,
      bid: 354.32,
      ask: 355.24,
    });
    expect(b).toEqual({
      type: "bbo",
      exchange: "kraken",
      market: "XMR-USD",
      symbol: "XMR/USD",
      ts: RECV_TS,
      recvTs: RECV_TS,
      bidPrice: 354.32,
      bidAmount: 6.87748868,
      askPrice: 355.24,
      askAmount: 27.19106411,
    });
  });

  test("XBT/CHF is BTC-CHF; change is exact in decimals", () => {
    const [t] = messages<Ticker>(p, 20);
    expect([t!.market, t!.symbol, t!.last, t!.open, t!.change]).toEqual([
      "BTC-CHF",
      "XBT/CHF",
      56218.3,
      57093,
      -874.7,
    ]);
    const [w] = messages<Ticker>(p, 12);
    expect([w!.market, w!.change, w!.high, w!.low]).toEqual(["WAVES-EUR", -0.1744, 14.2112, 13.0218]);
    const [sc] = messages<Ticker>(p, 55);
    expect([sc!.last, sc!.open, sc!.volume, sc!.bid, sc!.ask]).toEqual([
      0.04304,
      0.03238,
      Number("1127171102.94275652"),
      0.04302,
      0.04308,
    ]);
  });
});

describe("kraken v1 book recordings (counts; checksums are proven in kraken.book.test.ts)", () => {
  for (const [file, market, deltas] of [
    ["kraken/v1_book1000_WAVESEUR_ws.jsonl", "WAVES-EUR", 576],
    ["kraken/v1_book1000_XMRUSD_ws.jsonl", "XMR-USD", 846],
  ] as const) {
    test(`${file}: snapshot, ${deltas} deltas with checksum, 33 events`, () => {
      const p = parseFile(file);
      expect(p.counts).toEqual({
        "ignored:systemStatus": 1,
        ack: 1,
        "control:heartbeat": 31,
        "book:snapshot": 1,
        "book:delta": deltas,
      });
      expectAllValid(p);
      const books = p.perLine.flat() as Book[];
      expect(books.every((b) => b.market === market)).toBe(true);
      expect(books.slice(1).every((b) => b.checksum !== undefined)).toBe(true);
      expect(books[0]!.checksum).toBeUndefined();
      // key order of the published JSON: a snapshot has no checksum key, a delta's precedes exact
      expect(Object.keys(books[0]!).join()).toBe(
        "type,exchange,market,symbol,ts,recvTs,kind,seq,prevSeq,bids,asks,exact",
      );
      expect(Object.keys(books[1]!).join()).toBe(
        "type,exchange,market,symbol,ts,recvTs,kind,seq,prevSeq,bids,asks,checksum,exact",
      );
      // deltas chain: prevSeq = the seq before, seq strictly increasing
      for (let i = 1; i < books.length; i++) {
        expect(books[i]!.prevSeq).toBe(books[i - 1]!.seq);
        expect(books[i]!.seq).toBeGreaterThan(books[i - 1]!.seq);
      }
    });
  }

  test("WAVES/EUR line 4 (snapshot) and line 5 (first delta) values", () => {
    const p = parseFile("kraken/v1_book1000_WAVESEUR_ws.jsonl");
    const [s] = messages<Book>(p, 4);
    expect(s!.kind).toBe("snapshot");
    expect(s!.asks[0]).toEqual([13.2608, 500]);
    expect(s!.exact!.asks[0]).toEqual(["13.260800", "500.00000000"]);
    // the whole book was shallower than the subscribed 1000 levels
    expect(s!.asks).toHaveLength(273);
    expect(s!.bids).toHaveLength(389);
    const first = p.perLine.findIndex((m, i) => i > 3 && m.length > 0);
    const [d] = p.perLine[first] as Book[];
    expect(d!.kind).toBe("delta");
    expect(d!.prevSeq).toBe(s!.seq);
    expect(d!.checksum).toBe(Number(JSON.parse(p.lines[first]!)[1].c));
  });
});

describe("kraken v2 frames (shapes from docs.kraken.com spot-websocket v2)", () => {
  const c = ctx();

  test("trade snapshot/update: id = trade_id, side = taker side, RFC 3339 µs time", () => {
    const r = kraken.parseFrame(
      '{"channel":"trade","type":"update","data":[{"symbol":"BTC/USD","side":"buy","price":105944.20,"qty":0.00027625,"ord_type":"limit","trade_id":10218208,"timestamp":"2023-10-06T17:35:55.440295Z"},{"symbol":"BTC/USD","side":"sell","price":105910.50,"qty":0.00012460,"ord_type":"market","trade_id":10218209,"timestamp":"2023-10-06T17:35:56.123456Z"}]}',
      c,
    );
    expect(r).toEqual({
      kind: "data",
      messages: [
        {
          type: "trade",
          exchange: "kraken",
          market: "BTC-USD",
          symbol: "BTC/USD",
          ts: 1696613755440.295,
          recvTs: RECV_TS,
          id: "10218208",
          price: 105944.2,
          amount: 0.00027625,
          side: "buy",
        },
        {
          type: "trade",
          exchange: "kraken",
          market: "BTC-USD",
          symbol: "BTC/USD",
          ts: 1696613756123.456,
          recvTs: RECV_TS,
          id: "10218209",
          price: 105910.5,
          amount: 0.0001246,
          side: "sell",
        },
      ],
    });
    expect(kraken.parseFrame('{"channel":"trade","type":"snapshot","data":[]}', c)).toEqual({
      kind: "data",
      messages: [],
    });
  });

  test("ticker → ticker (open = last − change, quoteVolume = vwap × volume) and bbo", () => {
    const r = kraken.parseFrame(
      '{"channel":"ticker","type":"snapshot","data":[{"symbol":"BTC/USD","bid":105944.20,"bid_qty":2.5,"ask":105944.30,"ask_qty":3.2,"last":105899.40,"volume":163.28908096,"vwap":105904.39279,"low":104711.00,"high":106613.10,"change":250.00,"change_pct":0.24,"timestamp":"2022-12-25T09:30:59.123456Z"}]}',
      c,
    );
    expect(r.kind).toBe("data");
    const [t, b] = (r as { messages: MarketMessage[] }).messages as [Ticker, Bbo];
    expect(t).toEqual({
      type: "ticker",
      exchange: "kraken",
      market: "BTC-USD",
      symbol: "BTC/USD",
      ts: 1671960659123.456,
      recvTs: RECV_TS,
      last: 105899.4,
      open: 105649.4,
      high: 106613.1,
      low: 104711,
      volume: 163.28908096,
      quoteVolume: 105904.39279 * 163.28908096,
      change: 250,
      changePct: 0.24,
      bid: 105944.2,
      ask: 105944.3,
    });
    expect(b).toEqual({
      type: "bbo",
      exchange: "kraken",
      market: "BTC-USD",
      symbol: "BTC/USD",
      ts: 1671960659123.456,
      recvTs: RECV_TS,
      bidPrice: 105944.2,
      bidAmount: 2.5,
      askPrice: 105944.3,
      askAmount: 3.2,
    });
    // without timestamp (older frames): the receive time
    const old = kraken.parseFrame(
      '{"channel":"ticker","type":"update","data":[{"symbol":"ETH/USD","bid":1,"bid_qty":1,"ask":2,"ask_qty":1,"last":2,"volume":10,"vwap":1.5,"low":1,"high":2,"change":0.5,"change_pct":33.33}]}',
      c,
    );
    expect((old as { messages: Ticker[] }).messages.map((m) => [m.type, m.ts, m.market])).toEqual([
      ["ticker", RECV_TS, "ETH-USD"],
      ["bbo", RECV_TS, "ETH-USD"],
    ]);
  });

  test("book: numbers keep their printed precision in exact; checksum carried; seq from timestamp", () => {
    const c2 = ctx();
    const snap = kraken.parseFrame(
      '{"channel":"book","type":"snapshot","data":[{"symbol":"BTC/USD","bids":[{"price":45283.5,"qty":0.10000000}],"asks":[{"price":45285.2,"qty":0.00100000}],"checksum":3310070434,"timestamp":"2023-10-06T17:35:55.440295Z"}]}',
      c2,
    );
    expect(snap).toEqual({
      kind: "data",
      messages: [
        {
          type: "book",
          exchange: "kraken",
          market: "BTC-USD",
          symbol: "BTC/USD",
          ts: 1696613755440.295,
          recvTs: RECV_TS,
          kind: "snapshot",
          seq: 1696613755440295,
          prevSeq: null,
          bids: [[45283.5, 0.1]],
          asks: [[45285.2, 0.001]],
          checksum: 3310070434,
          exact: { bids: [["45283.5", "0.10000000"]], asks: [["45285.2", "0.00100000"]] },
        },
      ],
    });
    // an update with the same microsecond still gets a larger seq, chained to the snapshot
    const upd = kraken.parseFrame(
      '{"channel":"book","type":"update","data":[{"symbol":"BTC/USD","bids":[{"price":45283.5,"qty":0}],"asks":[],"checksum":2114181697,"timestamp":"2023-10-06T17:35:55.440295Z"}]}',
      c2,
    ) as { messages: Book[] };
    expect(upd.messages[0]).toMatchObject({
      kind: "delta",
      seq: 1696613755440296,
      prevSeq: 1696613755440295,
      bids: [[45283.5, 0]],
      asks: [],
      checksum: 2114181697,
      exact: { bids: [["45283.5", "0"]], asks: [] },
    });
  });

  test("ohlc: open candle, then the next interval closes it", () => {
    const c3 = ctx(1696436760000);
    const a = kraken.parseFrame(
      '{"channel":"ohlc","type":"snapshot","timestamp":"2023-10-04T16:26:01.806315597Z","data":[{"symbol":"ALGO/USD","open":0.09875,"high":0.09875,"low":0.09875,"close":0.09875,"trades":1,"volume":201.86015,"vwap":0.09875,"interval_begin":"2023-10-04T16:20:00.000000000Z","interval":5,"timestamp":"2023-10-04T16:25:00.000000Z"},{"symbol":"ALGO/USD","open":0.09875,"high":0.0988,"low":0.09875,"close":0.09875,"trades":13,"volume":16255.46368,"vwap":0.09879,"interval_begin":"2023-10-04T16:25:00.000000000Z","interval":5,"timestamp":"2023-10-04T16:30:00.000000Z"}]}',
      c3,
    ) as { messages: Candle[] };
    expect(a.messages.map((m) => [m.interval, m.openTime, m.closeTime, m.trades, m.closed, m.ts])).toEqual([
      ["5m", 1696436400000, 1696436699999, 1, true, 1696436761806.315],
      ["5m", 1696436700000, 1696436999999, 13, false, 1696436761806.315],
    ]);
    expect(a.messages[1]).toMatchObject({
      market: "ALGO-USD",
      open: 0.09875,
      high: 0.0988,
      low: 0.09875,
      close: 0.09875,
      volume: 16255.46368,
      quoteVolume: 0.09879 * 16255.46368,
    });
    const b = kraken.parseFrame(
      '{"channel":"ohlc","type":"update","timestamp":"2023-10-04T16:30:00.500000Z","data":[{"symbol":"ALGO/USD","open":0.0988,"high":0.0988,"low":0.0988,"close":0.0988,"trades":1,"volume":5,"vwap":0.0988,"interval_begin":"2023-10-04T16:30:00.000000000Z","interval":5,"timestamp":"2023-10-04T16:35:00.000000Z"}]}',
      c3,
    ) as { messages: Candle[] };
    expect(b.messages.map((m) => [m.openTime, m.trades, m.closed, m.ts])).toEqual([
      [1696436700000, 13, true, 1696437000500],
      [1696437000000, 1, false, 1696437000500],
    ]);
    // the 15-day interval has no normalized name
    expect(
      kraken.parseFrame(
        '{"channel":"ohlc","type":"update","data":[{"symbol":"ALGO/USD","open":1,"high":1,"low":1,"close":1,"trades":1,"volume":1,"vwap":1,"interval_begin":"2023-10-04T00:00:00Z","interval":21600}]}',
        c3,
      ),
    ).toEqual({ kind: "ignored", reason: "unsupported:ohlc-21600" });
  });

  test("acks, errors, heartbeat, pong, status, other channels", () => {
    expect(
      kraken.parseFrame(
        '{"method":"subscribe","result":{"channel":"book","depth":10,"snapshot":true,"symbol":"ALGO/USD"},"success":true,"time_in":"2023-10-06T17:35:55.219022Z","time_out":"2023-10-06T17:35:55.219067Z","req_id":7}',
        c,
      ),
    ).toEqual({ kind: "ack", id: 7 });
    expect(
      kraken.parseFrame('{"method":"unsubscribe","result":{"channel":"trade"},"success":true}', c),
    ).toEqual({
      kind: "ack",
      id: null,
    });
    expect(
      kraken.parseFrame(
        '{"error":"Currency pair not supported","method":"subscribe","req_id":3,"success":false,"symbol":"XYZ/USD","time_in":"2023-10-06T17:35:55.219022Z","time_out":"2023-10-06T17:35:55.219067Z"}',
        c,
      ),
    ).toEqual({ kind: "error", id: 3, message: "subscribe: Currency pair not supported (symbol XYZ/USD)" });
    expect(kraken.parseFrame('{"channel":"heartbeat"}', c)).toEqual({ kind: "control", event: "heartbeat" });
    expect(
      kraken.parseFrame(
        '{"method":"pong","req_id":42,"time_in":"2023-09-25T09:05:00.123456Z","time_out":"2023-09-25T09:05:00.123500Z"}',
        c,
      ),
    ).toEqual({ kind: "control", event: "pong" });
    expect(
      kraken.parseFrame(
        '{"channel":"status","type":"update","data":[{"api_version":"v2","connection_id":1,"system":"online","version":"2.0.0"}]}',
        c,
      ),
    ).toEqual({ kind: "ignored", reason: "status" });
    expect(kraken.parseFrame('{"channel":"instrument","type":"snapshot","data":{}}', c)).toEqual({
      kind: "ignored",
      reason: "unsupported:instrument",
    });
    expect(kraken.parseFrame('{"event":"pong","reqid":1}', c)).toEqual({ kind: "control", event: "pong" });
    expect(
      kraken.parseFrame(
        '{"errorMessage":"Currency pair not supported","event":"subscriptionStatus","pair":"XYZ/USD","status":"error","subscription":{"name":"trade"},"reqid":9}',
        c,
      ),
    ).toEqual({ kind: "error", id: 9, message: "Currency pair not supported (pair XYZ/USD)" });
    expect(kraken.parseFrame(new TextEncoder().encode('{"channel":"heartbeat"}'), c)).toEqual({
      kind: "control",
      event: "heartbeat",
    });
  });

  test('v1 book levels with the republish flag "r" are ordinary updates', () => {
    const r = kraken.parseFrame(
      '[1234,{"a":[["5541.30000","2.50700000","1534614248.456738","r"]],"c":"974942666"},"book-10","XBT/USD"]',
      ctx(),
    ) as { messages: Book[] };
    expect(r.messages[0]).toMatchObject({
      market: "BTC-USD",
      symbol: "XBT/USD",
      kind: "delta",
      asks: [[5541.3, 2.507]],
      bids: [],
      checksum: 974942666,
      exact: { asks: [["5541.30000", "2.50700000"]], bids: [] },
      ts: 1534614248456.738,
    });
  });

  test("v1 ohlc-N frames become candles", () => {
    const r = kraken.parseFrame(
      '[327,["1621988141.603324","1621988160.000000","38220.70000","38348.80000","38220.70000","38320.40000","38330.59222","3.23539643",42],"ohlc-1","XBT/USD"]',
      ctx(1621988150000),
    ) as { messages: Candle[] };
    expect(r.messages).toEqual([
      {
        type: "candle",
        exchange: "kraken",
        market: "BTC-USD",
        symbol: "XBT/USD",
        ts: 1621988141603.324,
        recvTs: 1621988150000,
        interval: "1m",
        openTime: 1621988100000,
        closeTime: 1621988159999,
        open: 38220.7,
        high: 38348.8,
        low: 38220.7,
        close: 38320.4,
        volume: 3.23539643,
        quoteVolume: 38330.59222 * 3.23539643,
        trades: 42,
        closed: false,
      },
    ]);
  });
});
