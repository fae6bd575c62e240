import { describe, expect, test } from "bun:test";
import type { ParseContext } from "../src/adapter.ts";
import { binance, guessMarket } from "../src/exchanges/binance/index.ts";
import type { Bbo, Book, Candle, MarketMessage, Ticker, Trade } from "../src/schemas/messages.ts";
import { readJson, readLines } from "./fixtures.ts";
import {
  allMessages,
  expectAllValid,
  expectTardisTrade,
  onlyMessage,
  type ParsedFile,
  parseContext,
  parseLines,
  RECV_TS,
  readJsonlArrays,
  resultLabel,
} from "./parse-harness.ts";

type Parsed = ParsedFile;

function parseFile(rel: string, c: ParseContext): Parsed {
  return parseLines(readLines(`${rel}`), binance.parseFrame, c);
}

const only = onlyMessage;

/** Each symbol's deltas chain: prevSeq of a delta = seq of the one before (U == previous u + 1). */
function expectContiguousDeltas(msgs: MarketMessage[], fromIndex = 0): void {
  const last = new Map<string, number>();
  const deltas = msgs.filter((m): m is Book => m.type === "book" && m.kind === "delta").slice(fromIndex);
  for (const d of deltas) {
    const prev = last.get(d.symbol);
    if (prev !== undefined) expect(d.prevSeq).toBe(prev);
    expect(d.seq).toBeGreaterThan(d.prevSeq!);
    last.set(d.symbol, d.seq);
  }
}

/**
 * A minimal local book with Binance's spot sync rule (PROVENANCE.md): drop diffs with
 * u <= lastUpdateId; the first applied diff has U <= lastUpdateId + 1 <= u; then U == previous u + 1.
 * Records the top of book after each applied diff, keyed by u, for the bookTicker cross-check.
 */
function replayBook(snapshot: Book, msgs: MarketMessage[]) {
  const bids = new Map<number, number>(snapshot.bids);
  const asks = new Map<number, number>(snapshot.asks);
  let local = snapshot.seq;
  let dropped = 0;
  let applied = 0;
  const topAfter = new Map<number, [number, number, number, number]>();
  for (const m of msgs) {
    if (m.type !== "book" || m.kind !== "delta") continue;
    if (m.seq <= snapshot.seq) {
      dropped++;
      continue;
    }
    const first = m.prevSeq! + 1;
    if (applied === 0) expect(first <= local + 1 && local + 1 <= m.seq).toBe(true);
    else expect(first).toBe(local + 1);
    for (const [p, q] of m.bids) q === 0 ? bids.delete(p) : bids.set(p, q);
    for (const [p, q] of m.asks) q === 0 ? asks.delete(p) : asks.set(p, q);
    local = m.seq;
    applied++;
    const bb = Math.max(...bids.keys());
    const ba = Math.min(...asks.keys());
    topAfter.set(m.seq, [bb, bids.get(bb)!, ba, asks.get(ba)!]);
  }
  const sortedBids = [...bids].sort((a, b) => b[0] - a[0]);
  const sortedAsks = [...asks].sort((a, b) => a[0] - b[0]);
  let crosschecks = 0;
  for (const m of msgs) {
    if (m.type !== "bbo") continue;
    const top = topAfter.get(m.seq!);
    if (!top) continue;
    expect([m.bidPrice, m.bidAmount, m.askPrice, m.askAmount]).toEqual(top);
    crosschecks++;
  }
  return {
    dropped,
    applied,
    final: local,
    top5Bids: sortedBids.slice(0, 5),
    top5Asks: sortedAsks.slice(0, 5),
    levels: [bids.size, asks.size],
    crosschecks,
  };
}

const num = (s: string) => Number(s);
const lv = (rows: [string, string][]) => rows.map(([p, q]): [number, number] => [num(p), num(q)]);

describe("binance spot testnet 2026: trade + bookTicker + depth@100ms", () => {
  const p = parseFile(
    "binance/spot_testnet_BTCUSDT_trade_bookTicker_depth_2026_ws.jsonl",
    parseContext({ BTCUSDT: "BTC-USDT" }),
  );

  test("every line is accounted for", () => {
    expect(p.lines).toHaveLength(23);
    expect(p.counts).toEqual({ trade: 7, bbo: 6, "book:delta": 10 });
    expectAllValid(p);
  });

  test("trades: price, amount, taker side from m, id from t, ts from T", () => {
    const t1 = only<Trade>(p, 1);
    expect(t1).toEqual({
      type: "trade",
      exchange: "binance",
      market: "BTC-USDT",
      symbol: "BTCUSDT",
      ts: 1789295134225,
      recvTs: RECV_TS,
      id: "388510",
      price: 76745.19,
      amount: 0.00065,
      side: "buy",
    });
    const t8 = only<Trade>(p, 8); // m=true: buyer is maker ⇒ taker sold
    expect([t8.id, t8.price, t8.amount, t8.side, t8.ts]).toEqual([
      "388511",
      76745.18,
      0.00065,
      "sell",
      1789295137364,
    ]);
    const trades = allMessages(p).filter((m): m is Trade => m.type === "trade");
    expect(trades.map((t) => t.id)).toEqual([
      "388510",
      "388511",
      "388512",
      "388513",
      "388514",
      "388515",
      "388516",
    ]);
    expect(trades.map((t) => t.side)).toEqual(["buy", "sell", "buy", "buy", "buy", "sell", "buy"]);
  });

  test("bookTicker: no event time ⇒ ts = recvTs, seq = u", () => {
    const b = only<Bbo>(p, 2);
    expect(b).toEqual({
      type: "bbo",
      exchange: "binance",
      market: "BTC-USDT",
      symbol: "BTCUSDT",
      ts: RECV_TS,
      recvTs: RECV_TS,
      bidPrice: 76745.18,
      bidAmount: 8.74206,
      askPrice: 76745.19,
      askAmount: 12.06313,
      seq: 1801512,
    });
  });

  test("depth diffs: kind delta, seq = u, prevSeq = U - 1, ts = E, contiguous 1801512..1801521", () => {
    const d = only<Book>(p, 3);
    expect(d).toEqual({
      type: "book",
      exchange: "binance",
      market: "BTC-USDT",
      symbol: "BTCUSDT",
      ts: 1789295134334,
      recvTs: RECV_TS,
      kind: "delta",
      seq: 1801512,
      prevSeq: 1801511,
      bids: [],
      asks: [[76745.19, 12.06313]],
    });
    const d4 = only<Book>(p, 4);
    expect(d4.bids).toEqual([[76743.86, 0]]); // amount 0 deletes
    const deltas = allMessages(p).filter((m): m is Book => m.type === "book");
    expect(deltas.map((x) => x.seq)).toEqual(Array.from({ length: 10 }, (_, i) => 1801512 + i));
    expectContiguousDeltas(allMessages(p));
  });

  test("each bookTicker's u is the u of the next depth frame, which changes the level it reports", () => {
    const msgs = allMessages(p);
    let checked = 0;
    msgs.forEach((m, i) => {
      if (m.type !== "bbo") return;
      const next = msgs.slice(i + 1).find((x): x is Book => x.type === "book")!;
      expect(next.seq).toBe(m.seq!);
      const level = [...next.bids, ...next.asks][0]!;
      expect([
        [m.bidPrice, m.bidAmount],
        [m.askPrice, m.askAmount],
      ]).toContainEqual(level);
      checked++;
    });
    expect(checked).toBe(6);
  });
});

describe("binance spot NKNUSDT (cryptofeed recording, combined stream)", () => {
  const p = parseFile("binance/spot_NKNUSDT_ws.jsonl", parseContext({ NKNUSDT: "NKN-USDT" }));

  test("every line is accounted for", () => {
    expect(p.lines).toHaveLength(226);
    expect(p.counts).toEqual({
      "book:delta": 150,
      bbo: 74,
      candle: 1,
      trade: 1, // an aggTrade, normalized as on USD-M (the live feed subscribes @trade)
    });
    expectAllValid(p);
  });

  test("aggTrade: id = a, ts = T, m = false ⇒ taker buy, as on USD-M", () => {
    expect(only<Trade>(p, 97)).toEqual({
      type: "trade",
      exchange: "binance",
      market: "NKN-USDT",
      symbol: "NKNUSDT",
      ts: 1633998523963,
      recvTs: RECV_TS,
      id: "15683430",
      price: 0.3528,
      amount: 58,
      side: "buy",
    });
  });

  test("first depth diff and a bookTicker", () => {
    const d = only<Book>(p, 1);
    expect([d.kind, d.seq, d.prevSeq, d.ts, d.market, d.symbol]).toEqual([
      "delta",
      499869752,
      499869749,
      1633998512068,
      "NKN-USDT",
      "NKNUSDT",
    ]);
    expect(d.bids).toEqual([
      [0.3513, 6195],
      [0.3475, 5548],
      [0.3464, 6222],
    ]);
    expect(d.asks).toEqual([]);
    const b = only<Bbo>(p, 8);
    expect([b.seq, b.bidPrice, b.bidAmount, b.askPrice, b.askAmount, b.ts]).toEqual([
      499869768,
      0.3521,
      672,
      0.3526,
      3199,
      RECV_TS,
    ]);
  });

  test("kline_1m: values from k, closed = k.x, ts = E", () => {
    const c = only<Candle>(p, 98);
    expect(c).toEqual({
      type: "candle",
      exchange: "binance",
      market: "NKN-USDT",
      symbol: "NKNUSDT",
      ts: 1633998523963,
      recvTs: RECV_TS,
      interval: "1m",
      openTime: 1633998480000,
      closeTime: 1633998539999,
      open: 0.3527,
      high: 0.3528,
      low: 0.3522,
      close: 0.3528,
      volume: 25877,
      quoteVolume: 9116.046,
      trades: 30,
      closed: false,
    });
  });

  test("replayed on the REST snapshot, the diffs give the recorded known answers", () => {
    const snap = binance.rest.parseDepth(readJson("binance/spot_NKNUSDT_rest_depth_snapshot.json"), {
      recvTs: RECV_TS,
      market: "NKN-USDT",
    });
    const r = replayBook(snap, allMessages(p));
    expect(r.dropped).toBe(1);
    expect(r.applied).toBe(149);
    expect(r.final).toBe(499870179);
    expect(r.top5Bids).toEqual(
      lv([
        ["0.35270000", "9602.00000000"],
        ["0.35260000", "2829.00000000"],
        ["0.35250000", "1850.00000000"],
        ["0.35240000", "3421.00000000"],
        ["0.35220000", "7231.00000000"],
      ]),
    );
    expect(r.top5Asks).toEqual(
      lv([
        ["0.35310000", "152.00000000"],
        ["0.35320000", "949.00000000"],
        ["0.35330000", "2713.00000000"],
        ["0.35340000", "3116.00000000"],
        ["0.35350000", "4229.00000000"],
      ]),
    );
    expect(r.levels).toEqual([614, 994]);
    expect(r.crosschecks).toBe(19);
  });
});

describe("binance.us spot (same protocol)", () => {
  test("OMGBUSD: every line accounted for, klines, aggTrades, known book answers", () => {
    const p = parseFile("binance-us/spot_OMGBUSD_ws.jsonl", parseContext({ OMGBUSD: "OMG-BUSD" }));
    expect(p.lines).toHaveLength(233);
    expect(p.counts).toEqual({
      "book:delta": 159,
      bbo: 58,
      candle: 5,
      trade: 11,
    });
    expectAllValid(p);
    const trades = allMessages(p).filter((m): m is Trade => m.type === "trade");
    expect(trades.slice(0, 3).map((t) => [t.id, t.ts, t.price, t.amount, t.side])).toEqual([
      ["425085", 1633998288467, 13.8048, 2.1, "buy"],
      ["425086", 1633998288467, 13.8076, 105.82, "buy"],
      ["425087", 1633998289097, 13.8004, 30.11, "sell"],
    ]);

    const open = only<Candle>(p, 146);
    expect([open.closed, open.close, open.volume, open.trades, open.ts]).toEqual([
      false,
      13.7664,
      536.51,
      14,
      1633998294628,
    ]);
    const closed = only<Candle>(p, 194); // the same candle, now final
    expect([
      closed.closed,
      closed.openTime,
      closed.closeTime,
      closed.close,
      closed.quoteVolume,
      closed.ts,
    ]).toEqual([true, 1633998240000, 1633998299999, 13.7664, 7387.120735, 1633998301755]);
    const next = only<Candle>(p, 227);
    expect([next.openTime, next.open, next.trades, next.closed]).toEqual([1633998300000, 13.7604, 2, false]);

    const snap = binance.rest.parseDepth(readJson("binance-us/spot_OMGBUSD_rest_depth_snapshot.json"), {
      recvTs: RECV_TS,
      market: "OMG-BUSD",
    });
    expect(snap.seq).toBe(77819467);
    const r = replayBook(snap, allMessages(p));
    expect([r.dropped, r.applied, r.final, r.crosschecks]).toEqual([1, 158, 77819802, 19]);
    expect(r.levels).toEqual([196, 183]);
    expect(r.top5Bids[0]).toEqual([13.7307, 91.95]);
    expect(r.top5Asks[0]).toEqual([13.7728, 72.96]);
    expect(r.top5Asks[4]).toEqual([13.7833, 72.55]);
  });

  test("ZRXUSDT: every line accounted for, known book answers", () => {
    const p = parseFile("binance-us/spot_ZRXUSDT_ws.jsonl", parseContext({ ZRXUSDT: "ZRX-USDT" }));
    expect(p.lines).toHaveLength(56);
    expect(p.counts).toEqual({ "book:delta": 41, bbo: 15 });
    expectAllValid(p);
    const b = only<Bbo>(p, 1);
    expect([b.seq, b.bidPrice, b.bidAmount, b.askPrice, b.askAmount]).toEqual([
      96974986, 0.9939, 5023.17, 0.9955, 2100,
    ]);
    const last = only<Book>(p, 56);
    expect([last.prevSeq, last.seq, last.ts]).toEqual([96975042, 96975046, 1633998305614]);
    expect(last.asks).toEqual([
      [0.9971, 0],
      [1.08, 5602.98],
    ]);

    const snap = binance.rest.parseDepth(readJson("binance-us/spot_ZRXUSDT_rest_depth_snapshot.json"), {
      recvTs: RECV_TS,
      market: "ZRX-USDT",
    });
    const r = replayBook(snap, allMessages(p));
    expect([r.dropped, r.applied, r.final, r.crosschecks]).toEqual([1, 40, 96975046, 11]);
    expect(r.levels).toEqual([174, 256]);
    expect(r.top5Bids).toEqual(
      lv([
        ["0.99470000", "307.93000000"],
        ["0.99460000", "347.86000000"],
        ["0.99450000", "5019.86000000"],
        ["0.99400000", "10035.65000000"],
        ["0.99310000", "383.89000000"],
      ]),
    );
    expect(r.top5Asks[0]).toEqual([0.9978, 7119.69]);
  });
});

describe("tardis-node binance vectors", () => {
  // tardis's test clock: every localTimestamp in the expected file
  const LOCAL_TS = Date.parse("2019-09-01T00:00:01.275Z");
  const p = parseFile("binance/tardis_spot_messages.jsonl", {
    recvTs: LOCAL_TS,
    marketOf: guessMarket,
    state: new Map(),
  });
  const expected = readJsonlArrays("binance/tardis_spot_expected_normalized.jsonl");

  test("every line is accounted for", () => {
    expect(p.lines).toHaveLength(10);
    expect(expected).toHaveLength(10);
    expect(p.results.map((r) => resultLabel(r))).toEqual([
      "trade",
      "trade",
      "bbo",
      "ticker",
      "book:snapshot", // tardis-generated `@depthSnapshot` envelope around a REST body
      "book:delta",
      "book:delta",
      "book:delta",
      "book:snapshot",
      "book:delta",
    ]);
    expectAllValid(p);
  });

  test("matches tardis's normalized output where both normalize the line", () => {
    let compared = 0;
    expected.forEach((exp, i) => {
      const ours = p.perLine[i]!;
      if (exp.length === 0) return; // tardis emits nothing: spot 24hrTicker, diffs before its snapshot
      expect(ours).toHaveLength(exp.length);
      const e = exp[0]!;
      const m = ours[0]!;
      expect(m.symbol).toBe(e.symbol as string);
      expect(m.exchange).toBe("binance");
      switch (e.type) {
        case "trade": {
          expectTardisTrade(m as Trade, e);
          break;
        }
        case "book_ticker": {
          const b = m as Bbo;
          expect([b.type, b.bidPrice, b.bidAmount, b.askPrice, b.askAmount, b.ts]).toEqual([
            "bbo",
            e.bidPrice as number,
            e.bidAmount as number,
            e.askPrice as number,
            e.askAmount as number,
            Date.parse(e.timestamp as string),
          ]);
          break;
        }
        case "book_change": {
          const b = m as Book;
          const side = (rows: unknown) =>
            (rows as { price: number; amount: number }[]).map((r) => [r.price, r.amount]);
          expect(b.type).toBe("book");
          expect(b.kind).toBe(e.isSnapshot ? "snapshot" : "delta");
          let bids = b.bids;
          let asks = b.asks;
          if (b.kind === "snapshot") {
            // tardis folds the diffs it buffered while fetching (same symbol, u > lastUpdateId) into
            // the snapshot it emits; our snapshot is the REST body as sent, the book engine applies them
            const buffered = p.perLine
              .slice(0, i)
              .flat()
              .filter(
                (x): x is Book =>
                  x.type === "book" && x.kind === "delta" && x.symbol === b.symbol && x.seq > b.seq,
              );
            const merge = (base: [number, number][], pick: (d: Book) => [number, number][]) => {
              const book = new Map(base);
              for (const d of buffered) for (const [px, qty] of pick(d)) book.set(px, qty);
              return [...book];
            };
            bids = merge(b.bids, (d) => d.bids);
            asks = merge(b.asks, (d) => d.asks);
          }
          expect(bids).toEqual(side(e.bids) as [number, number][]);
          expect(asks).toEqual(side(e.asks) as [number, number][]);
          expect(b.ts).toBe(Date.parse(e.timestamp as string));
          break;
        }
        default:
          throw new Error(`unexpected tardis type ${String(e.type)}`);
      }
      compared++;
    });
    expect(compared).toBe(7);
  });

  test("the lines tardis leaves out, and seq fields", () => {
    const t = only<Ticker>(p, 4);
    expect(t).toEqual({
      type: "ticker",
      exchange: "binance",
      market: "DOGE-BNB",
      symbol: "DOGEBNB",
      ts: 1569805259092,
      recvTs: LOCAL_TS,
      last: 0.0001436,
      open: 0.00014069,
      high: 0.0001455,
      low: 0.00013851,
      volume: 20014582,
      quoteVolume: 2839.62578157,
      change: 0.00000291,
      changePct: 2.068,
      bid: 0.00014365,
      ask: 0.00014498,
    });
    const pre = only<Book>(p, 7); // a GNTBTC diff before the snapshot (tardis drops it; the book engine will)
    expect([pre.kind, pre.prevSeq, pre.seq, pre.ts]).toEqual(["delta", 41603406, 41603413, 1554076807698]);
    expect(pre.asks).toEqual([
      [0.00002267, 0],
      [0.00002269, 7840],
    ]);
    const snap = only<Book>(p, 9);
    expect([snap.kind, snap.seq, snap.prevSeq, snap.ts, snap.market]).toEqual([
      "snapshot",
      41603417,
      null,
      LOCAL_TS,
      "GNT-BTC",
    ]);
    const after = only<Book>(p, 10); // U=41603417 ≤ lastUpdateId+1 ≤ u=41603419: the first diff to apply
    expect([after.prevSeq, after.seq]).toEqual([41603416, 41603419]);
    const usdc = only<Book>(p, 6);
    expect([usdc.market, usdc.prevSeq, usdc.seq]).toEqual(["BTC-USDC", 16084251, 16084253]);
    expect(only<Book>(p, 5).seq).toBe(16084251);
  });
});

describe("timestamps", () => {
  test("E/T above 1e14 are microseconds and become fractional milliseconds", () => {
    const frame = JSON.stringify({
      e: "trade",
      E: 1789295134226123,
      s: "BTCUSDT",
      t: 1,
      p: "1.5",
      q: "2",
      T: 1789295134225456,
      m: false,
      M: true,
    });
    const r = binance.parseFrame(frame, parseContext({ BTCUSDT: "BTC-USDT" }));
    expect(r.kind).toBe("data");
    const t = (r as { messages: Trade[] }).messages[0]!;
    expect(t.ts).toBeCloseTo(1789295134225.456, 3);
    expect(Math.floor(t.ts)).toBe(1789295134225);
  });

  test("a binary (Uint8Array) frame parses like its text", () => {
    const line = readLines("binance/spot_testnet_BTCUSDT_trade_bookTicker_depth_2026_ws.jsonl")[0]!;
    const c = parseContext({ BTCUSDT: "BTC-USDT" });
    expect(binance.parseFrame(new TextEncoder().encode(line), c)).toEqual(binance.parseFrame(line, c));
  });
});
