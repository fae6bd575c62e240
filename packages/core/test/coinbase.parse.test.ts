import { describe, expect, test } from "bun:test";
import type { FrameResult, ParseContext } from "../src/adapter.ts";
import { BookSync, type SyncOutput } from "../src/book/index.ts";
import { coinbase } from "../src/exchanges/coinbase/index.ts";
import type { Bbo, Book, MarketMessage, Ticker, Trade } from "../src/schemas/messages.ts";
import { readLines } from "./fixtures.ts";
import { countLabels, messagesPerResult, parseContext, resultLabel, schemaErrors } from "./parse-harness.ts";

/** Markets from the product ids themselves (Coinbase ids are market names). */
function ctx(recvTs: number): ParseContext {
  return parseContext((s) => coinbase.marketOfSymbol(s), recvTs);
}

/** RFC 3339 with up to µs → epoch ms, computed independently of the adapter (Date.UTC + fraction). */
function utc(y: number, mo: number, d: number, h: number, mi: number, s: number, micros = 0): number {
  return Date.UTC(y, mo - 1, d, h, mi, s) + micros / 1000;
}

/** The same for an ISO string from the tardis expectations (`...T00:00:03.816000Z`). */
function iso(s: string): number {
  const m = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d+))?Z$/.exec(s)!;
  const micros = Number((m[7] ?? "").padEnd(6, "0").slice(0, 6));
  return utc(+m[1]!, +m[2]!, +m[3]!, +m[4]!, +m[5]!, +m[6]!, micros);
}

const label = (r: FrameResult): string => resultLabel(r, "distinct");

interface Parsed {
  lines: string[];
  results: FrameResult[];
  perLine: MarketMessage[][];
  /** Results per label (a line counts once). */
  counts: Record<string, number>;
  /** Normalized messages per type (book split by kind). */
  messages: Record<string, number>;
}

function parseFile(rel: string, c: ParseContext): Parsed {
  const lines = readLines(rel);
  const results = lines.map((line) => coinbase.parseFrame(line, c));
  const counts = countLabels(results, label);
  const messages: Record<string, number> = {};
  for (const r of results) {
    if (r.kind !== "data") continue;
    for (const m of r.messages) {
      const k = m.type === "book" ? `book:${m.kind}` : m.type;
      messages[k] = (messages[k] ?? 0) + 1;
    }
  }
  const perLine = messagesPerResult(results);
  return { lines, results, perLine, counts, messages };
}

function only<T extends MarketMessage>(p: Parsed, line: number): T {
  const msgs = p.perLine[line - 1];
  expect(msgs).toHaveLength(1);
  return msgs![0] as T;
}

function all(p: Parsed): MarketMessage[] {
  return p.perLine.flat();
}

const lv = (rows: [string, string][]) => rows.map(([p, q]): [number, number] => [Number(p), Number(q)]);

/**
 * A local book per product: snapshot replaces, deltas set absolute amounts (0 deletes). Checks the
 * chain (a delta's prevSeq is the seq of the product's previous book message). `onTicker` sees the
 * top of book whenever a ticker arrives.
 */
function replay(msgs: MarketMessage[], onTicker?: (t: Ticker, top: [number, number]) => void) {
  const books = new Map<string, { bids: Map<number, number>; asks: Map<number, number>; seq: number }>();
  for (const m of msgs) {
    if (m.type === "book") {
      if (m.kind === "snapshot") {
        books.set(m.symbol, { bids: new Map(m.bids), asks: new Map(m.asks), seq: m.seq });
        continue;
      }
      const b = books.get(m.symbol)!;
      expect(m.prevSeq).toBe(b.seq);
      expect(m.seq).toBeGreaterThan(b.seq);
      for (const [p, q] of m.bids) q === 0 ? b.bids.delete(p) : b.bids.set(p, q);
      for (const [p, q] of m.asks) q === 0 ? b.asks.delete(p) : b.asks.set(p, q);
      b.seq = m.seq;
    } else if (m.type === "ticker" && onTicker) {
      const b = books.get(m.symbol)!;
      onTicker(m, [Math.max(...b.bids.keys()), Math.min(...b.asks.keys())]);
    }
  }
  const out: Record<string, { bids: [number, number][]; asks: [number, number][]; levels: number[] }> = {};
  for (const [symbol, b] of books) {
    const bids = [...b.bids].sort((x, y) => y[0] - x[0]);
    const asks = [...b.asks].sort((x, y) => x[0] - y[0]);
    out[symbol] = { bids: bids.slice(0, 5), asks: asks.slice(0, 5), levels: [bids.length, asks.length] };
  }
  return out;
}

describe("coinbase Advanced Trade: level2 BTC-USD + ETH-USD, subscriptions, market_trades (2026)", () => {
  const RECV = utc(2026, 9, 30, 2, 39, 54);
  const p = parseFile("coinbase/advanced_trade_BTC-USD_ETH-USD_ws.jsonl", ctx(RECV));

  test("every line is accounted for; sequence_num 0..8 has no gap", () => {
    expect(p.lines).toHaveLength(9);
    expect(p.counts).toEqual({ "book:snapshot": 2, "book:delta": 5, ack: 1, trade: 1 });
    expect(p.messages).toEqual({ "book:snapshot": 2, "book:delta": 5, trade: 100 });
    expect(p.results.filter((r) => r.gap !== undefined)).toEqual([]);
    expect(p.results[7]).toEqual({ kind: "ack", id: null }); // arrives after the first data
    expect(all(p).flatMap(schemaErrors)).toEqual([]);
  });

  test("level2 snapshot: 150 + 150 levels, ts = event_time, seq = its µs, bids/offers split", () => {
    const s = only<Book>(p, 1);
    const ts = utc(2026, 9, 30, 2, 39, 53, 407329);
    expect([s.kind, s.market, s.symbol, s.ts, s.recvTs, s.seq, s.prevSeq]).toEqual([
      "snapshot",
      "BTC-USD",
      "BTC-USD",
      ts,
      RECV,
      Math.round(ts * 1000),
      null,
    ]);
    expect([s.bids.length, s.asks.length]).toEqual([150, 150]);
    expect(s.bids.slice(0, 2)).toEqual([
      [83277.25, 0.00715626],
      [83275.58, 0.02401664],
    ]);
    expect(s.asks.at(-1)).toEqual([83386.37, 1.07931311]);
    expect(s.checksum).toBeUndefined(); // Coinbase has no book checksum
  });

  test("level2 updates: absolute quantities, 0 deletes, chained per product", () => {
    const s = only<Book>(p, 1);
    const d = only<Book>(p, 2);
    expect(d).toEqual({
      type: "book",
      exchange: "coinbase",
      market: "BTC-USD",
      symbol: "BTC-USD",
      ts: utc(2026, 9, 30, 2, 39, 53, 495541),
      recvTs: RECV,
      kind: "delta",
      seq: 1790735993495541,
      prevSeq: s.seq,
      bids: [[72867.6, 0]],
      asks: [[83328.01, 0]],
    });
    const d4 = only<Book>(p, 4);
    expect(d4.bids).toEqual([
      [83069.06, 0.0601909],
      [82860.86, 0.0603421],
      [82444.48, 0.0606469],
      [81195.32, 0.0615799],
    ]);
    expect(d4.asks).toEqual([
      [83328.02, 0.02401664],
      [83733.6, 0],
      [84163.03, 0.00583],
      [84377.46, 0.00583],
    ]);
    const eth = only<Book>(p, 6);
    const ethDelta = only<Book>(p, 7);
    expect([eth.kind, eth.symbol, eth.bids.length, eth.asks.length]).toEqual([
      "snapshot",
      "ETH-USD",
      150,
      150,
    ]);
    expect([ethDelta.prevSeq, ethDelta.seq, ethDelta.bids]).toEqual([
      eth.seq,
      1790735993718078,
      [[2332.78, 0.00857346]],
    ]);
  });

  test("replayed, the books give the recorded known answers (top 5, level counts)", () => {
    const books = replay(all(p));
    expect(books["BTC-USD"]).toEqual({
      bids: lv([
        ["83277.25", "0.00715626"],
        ["83275.58", "0.02401664"],
        ["83275.17", "0.00720484"],
        ["83275.01", "0.024"],
        ["83274.62", "0.09606768"],
      ]),
      asks: lv([
        ["83277.26", "0.01110256"],
        ["83278.32", "0.03"],
        ["83278.34", "0.03"],
        ["83278.93", "0.02401568"],
        ["83279.35", "0.00720495"],
      ]),
      levels: [154, 152],
    });
    expect(books["ETH-USD"]).toEqual({
      bids: lv([
        ["2666.03", "3.37671824"],
        ["2665.8", "7.49891972"],
        ["2665.79", "7.87758975"],
        ["2665.66", "0.19750683"],
        ["2665.63", "2.43779864"],
      ]),
      asks: lv([
        ["2666.04", "2.246"],
        ["2666.08", "1.45536579"],
        ["2666.15", "2.43779864"],
        ["2666.19", "0.19750683"],
        ["2666.2", "0.8"],
      ]),
      levels: [151, 150],
    });
  });

  test("the adapter's book rules keep both books in sync through the recording", () => {
    const syncs = new Map<string, BookSync>();
    const outs: SyncOutput[] = [];
    for (const m of all(p)) {
      if (m.type !== "book") continue;
      let sync = syncs.get(m.market);
      if (!sync) {
        sync = new BookSync(coinbase.bookSync!);
        syncs.set(m.market, sync);
      }
      outs.push(...sync.onMessage(m));
    }
    expect(outs.map((o) => o.kind)).toEqual([
      "snapshot",
      "delta",
      "delta",
      "delta",
      "delta",
      "snapshot",
      "delta",
    ]);
    expect(syncs.get("BTC-USD")!.synced && syncs.get("ETH-USD")!.synced).toBe(true);
    expect(syncs.get("BTC-USD")!.book.top(1).bids).toEqual([[83277.25, 0.00715626]]);
    // a delta whose chain is cut (a sequence gap) breaks the book and asks for a resubscribe
    const sync = syncs.get("BTC-USD")!;
    const last = only<Book>(p, 5);
    const cut = sync.onMessage({ ...last, seq: last.seq + 10, prevSeq: null });
    expect(cut.map((o) => o.kind)).toEqual(["break", "need-snapshot"]);
    expect(coinbase.bookSync!.snapshotFrom).toBe("stream");
  });

  test("market_trades snapshot: 100 trades oldest first, maker side flipped to the taker's", () => {
    const trades = p.perLine[8] as Trade[];
    expect(trades).toHaveLength(100);
    expect(trades.map((t) => t.id)).toEqual(Array.from({ length: 100 }, (_, i) => String(1100253388 + i)));
    for (let i = 1; i < trades.length; i++) expect(trades[i]!.ts).toBeGreaterThanOrEqual(trades[i - 1]!.ts);
    expect(trades[0]).toEqual({
      type: "trade",
      exchange: "coinbase",
      market: "BTC-USD",
      symbol: "BTC-USD",
      ts: utc(2026, 9, 30, 2, 39, 28, 142843),
      recvTs: RECV,
      id: "1100253388",
      price: 83278.56,
      amount: 0.00045556,
      side: "buy", // "SELL": a resting offer was lifted
    });
    const newest = trades[99]!;
    expect([newest.id, newest.price, newest.amount, newest.side, newest.ts]).toEqual([
      "1100253487",
      83277.25,
      0.00000029,
      "sell", // "BUY" at 83277.25 = the snapshot's best bid: the taker sold into it
      utc(2026, 9, 30, 2, 39, 53, 354654),
    ]);
    // the newest trade printed at the best bid of the snapshot taken right after it
    expect(newest.price).toBe(only<Book>(p, 1).bids[0]![0]);
    expect(
      trades.filter((t) => t.side === "sell").length + trades.filter((t) => t.side === "buy").length,
    ).toBe(100);
  });
});

/** Ticker tops compared with the replayed book at the moment each ticker arrives. */
function tickerCrossCheck(p: Parsed) {
  let matches = 0;
  let mismatches = 0;
  replay(all(p), (t, [bid, ask]) => {
    if (t.bid === bid && t.ask === ask) matches++;
    else mismatches++;
  });
  return { matches, mismatches };
}

/** Each trade's taker side equals the `side` of the legacy ticker for the same trade id (a taker side). */
function tickerSides(p: Parsed): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of p.lines) {
    const m = JSON.parse(line) as { type: string; trade_id?: number; side?: string };
    if (m.type === "ticker" && m.trade_id !== undefined) out.set(String(m.trade_id), m.side!);
  }
  return out;
}

describe("coinbase legacy Exchange feed: BAND-GBP (cryptofeed recording, 2021)", () => {
  const RECV = 1618677817000; // the recording's epoch
  const p = parseFile("coinbase/exchange_legacy_BAND-GBP_ws.jsonl", ctx(RECV));

  test("every line is accounted for", () => {
    expect(p.lines).toHaveLength(482);
    expect(p.counts).toEqual({ "book:snapshot": 1, ticker: 5, trade: 5, "book:delta": 471 });
    expect(all(p)).toHaveLength(482); // one message per line: the 2021 ticker has no sizes, so no bbo
    expect(all(p).flatMap(schemaErrors)).toEqual([]);
  });

  test("snapshot: ts = recvTs (no time in it), 152 bids / 166 asks; deltas chain from it", () => {
    const s = only<Book>(p, 1);
    expect([s.kind, s.ts, s.seq, s.prevSeq, s.bids.length, s.asks.length]).toEqual([
      "snapshot",
      RECV,
      RECV * 1000,
      null,
      152,
      166,
    ]);
    expect(s.bids[0]).toEqual([14.7693, 27.51]);
    expect(s.asks[0]).toEqual([14.8024, 12.77]);
    const d = only<Book>(p, 4);
    expect(d).toEqual({
      type: "book",
      exchange: "coinbase",
      market: "BAND-GBP",
      symbol: "BAND-GBP",
      ts: utc(2021, 4, 17, 16, 43, 37, 83117),
      recvTs: RECV,
      kind: "delta",
      seq: 1618677817083117,
      prevSeq: RECV * 1000,
      bids: [],
      asks: [[14.8098, 0]],
    });
    expect(only<Book>(p, 5).bids).toEqual([[14.7472, 0]]);
  });

  test("ticker: 24 h fields, change from open_24h, best bid/ask, ts = time", () => {
    expect(only<Ticker>(p, 2)).toEqual({
      type: "ticker",
      exchange: "coinbase",
      market: "BAND-GBP",
      symbol: "BAND-GBP",
      ts: utc(2021, 4, 17, 16, 43, 30, 244075),
      recvTs: RECV,
      last: 14.7775,
      open: 14.6647,
      high: 16.55,
      low: 14.3691,
      volume: 94381.28,
      quoteVolume: null,
      change: 0.1128,
      changePct: 0.76919405102,
      bid: 14.755,
      ask: 14.806,
    });
  });

  test("last_match and match: trade ids, the maker side flipped, agreeing with the tickers' taker side", () => {
    expect(only<Trade>(p, 3)).toEqual({
      type: "trade",
      exchange: "coinbase",
      market: "BAND-GBP",
      symbol: "BAND-GBP",
      ts: utc(2021, 4, 17, 16, 43, 30, 244075),
      recvTs: RECV,
      id: "881613",
      price: 14.7775,
      amount: 0.04,
      side: "buy",
    });
    const t = only<Trade>(p, 419);
    expect([t.id, t.price, t.amount, t.side, t.ts]).toEqual([
      "881614",
      14.7646,
      5,
      "sell",
      utc(2021, 4, 17, 16, 44, 5, 617399),
    ]);
    const trades = all(p).filter((m): m is Trade => m.type === "trade");
    expect(trades.map((x) => x.id)).toEqual(["881613", "881614", "881615", "881616", "881617"]);
    const sides = tickerSides(p);
    for (const x of trades) expect(x.side).toBe(sides.get(x.id) as Trade["side"]);
  });

  test("replayed: the recorded known answers (final top 5; tickers match the book 4 times, 1 not)", () => {
    const books = replay(all(p));
    expect(books["BAND-GBP"]!.bids).toEqual(
      lv([
        ["14.7366", "27.57"],
        ["14.7318", "0.42"],
        ["14.7310", "12.98"],
        ["14.7267", "36.00"],
        ["14.7266", "12.17"],
      ]),
    );
    expect(books["BAND-GBP"]!.asks).toEqual(
      lv([
        ["14.7664", "12.00"],
        ["14.7737", "27.80"],
        ["14.7738", "12.30"],
        ["14.9107", "61.93"],
        ["14.9108", "9.20"],
      ]),
    );
    expect(tickerCrossCheck(p)).toEqual({ matches: 4, mismatches: 1 });
  });
});

describe("coinbase legacy Exchange feed: SKL-USD (cryptofeed recording, 2021)", () => {
  const RECV = 1618677817000;
  const p = parseFile("coinbase/exchange_legacy_SKL-USD_ws.jsonl", ctx(RECV));

  test("every line is accounted for", () => {
    expect(p.lines).toHaveLength(2699);
    expect(p.counts).toEqual({ "book:snapshot": 1, "book:delta": 2592, ticker: 53, trade: 53 });
    expect(all(p)).toHaveLength(2699);
    expect(all(p).flatMap(schemaErrors)).toEqual([]);
  });

  test("specific lines: snapshot, a delta, a ticker, the last_match", () => {
    const s = only<Book>(p, 1);
    expect([s.bids.length, s.asks.length, s.bids[0], s.asks[0]]).toEqual([
      814,
      1341,
      [0.7901, 450],
      [0.791, 450],
    ]);
    const d = only<Book>(p, 2);
    expect([d.kind, d.ts, d.seq, d.prevSeq, d.bids, d.asks]).toEqual([
      "delta",
      utc(2021, 4, 17, 16, 43, 37, 75351),
      1618677817075351,
      RECV * 1000,
      [],
      [[0.7923, 7441.5]],
    ]);
    const t = only<Ticker>(p, 5);
    expect([t.last, t.open, t.high, t.low, t.volume, t.change, t.changePct, t.bid, t.ask, t.ts]).toEqual([
      0.7904,
      0.7055,
      0.8098,
      0.6915,
      34220028.5,
      0.0849,
      12.0340184266,
      0.7901,
      0.7911,
      utc(2021, 4, 17, 16, 43, 37, 56746),
    ]);
    expect(only<Trade>(p, 6)).toMatchObject({ id: "1568267", price: 0.7904, amount: 1338.3, side: "buy" });
    expect(only<Trade>(p, 20)).toMatchObject({ id: "1568268", price: 0.791, amount: 450, side: "buy" });
  });

  test("trades: 53 consecutive ids, sides agree with the tickers", () => {
    const trades = all(p).filter((m): m is Trade => m.type === "trade");
    expect(trades.map((x) => Number(x.id))).toEqual(Array.from({ length: 53 }, (_, i) => 1568267 + i));
    const sides = tickerSides(p);
    for (const x of trades) expect(x.side).toBe(sides.get(x.id) as Trade["side"]);
  });

  test("replayed: the recorded known answers (final top 5; tickers match the book 52 times, 1 not)", () => {
    const books = replay(all(p));
    expect(books["SKL-USD"]!.bids).toEqual(
      lv([
        ["0.7902", "468.0"],
        ["0.7901", "1548.0"],
        ["0.7900", "8285.3"],
        ["0.7896", "91.3"],
        ["0.7893", "867.7"],
      ]),
    );
    expect(books["SKL-USD"]!.asks).toEqual(
      lv([
        ["0.7911", "450.0"],
        ["0.7912", "6908.0"],
        ["0.7913", "1707.4"],
        ["0.7915", "3070.0"],
        ["0.7916", "23012.0"],
      ]),
    );
    expect(tickerCrossCheck(p)).toEqual({ matches: 52, mismatches: 1 });
  });
});

interface TardisLevel {
  price: number;
  amount: number;
}
type TardisOut =
  | {
      type: "trade";
      symbol: string;
      id: string;
      price: number;
      amount: number;
      side: string;
      timestamp: string;
    }
  | {
      type: "book_change";
      symbol: string;
      isSnapshot: boolean;
      bids: TardisLevel[];
      asks: TardisLevel[];
      timestamp: string;
    }
  | {
      type: "book_ticker";
      symbol: string;
      bidPrice: number;
      bidAmount: number | null;
      askPrice: number;
      askAmount: number | null;
      timestamp: string;
    };

describe("coinbase legacy: tardis-node mapper vectors and their expected normalized output", () => {
  const LOCAL = iso("2019-09-01T00:00:01.275Z"); // the tardis test's fixed clock = our recvTs
  const p = parseFile("coinbase/tardis_exchange_legacy_messages.jsonl", ctx(LOCAL));
  const expected = readLines("coinbase/tardis_exchange_legacy_expected_normalized.jsonl").map(
    (l) => JSON.parse(l) as TardisOut[],
  );
  const levels = (ls: TardisLevel[]) => ls.map((l): [number, number] => [l.price, l.amount]);

  test("every line is accounted for", () => {
    expect(p.lines).toHaveLength(9);
    expect(expected).toHaveLength(9);
    expect(p.results.map(label)).toEqual([
      "trade",
      "book:delta",
      "book:delta",
      "book:snapshot",
      "book:delta",
      "invalid:invalid_field", // the '0.-10000' size; see below
      "ticker",
      "ticker",
      "ticker+bbo",
    ]);
  });

  test("where both produce output, the values equal tardis' (taker side, levels, timestamps)", () => {
    let compared = 0;
    expected.forEach((outs, i) => {
      const ours = p.perLine[i]!;
      for (const e of outs) {
        if (e.type === "trade") {
          const t = ours.find((m): m is Trade => m.type === "trade")!;
          expect([t.symbol, t.id, t.price, t.amount, t.side, t.ts]).toEqual([
            e.symbol,
            e.id,
            e.price,
            e.amount,
            e.side,
            iso(e.timestamp),
          ]);
        } else if (e.type === "book_change") {
          if (p.results[i]!.kind === "invalid") continue;
          const b = ours.find((m): m is Book => m.type === "book")!;
          expect([b.symbol, b.kind === "snapshot", b.bids, b.asks, b.ts]).toEqual([
            e.symbol,
            e.isSnapshot,
            levels(e.bids),
            levels(e.asks),
            iso(e.timestamp),
          ]);
        } else {
          const t = ours.find((m): m is Ticker => m.type === "ticker")!;
          expect([t.symbol, t.bid, t.ask, t.ts]).toEqual([
            e.symbol,
            e.bidPrice,
            e.askPrice,
            iso(e.timestamp),
          ]);
          const bbo = ours.find((m): m is Bbo => m.type === "bbo");
          if (e.bidAmount === null || e.askAmount === null) {
            expect(bbo).toBeUndefined(); // no sizes, no bbo (our bbo has no null amounts)
          } else {
            expect([bbo!.bidPrice, bbo!.bidAmount, bbo!.askPrice, bbo!.askAmount, bbo!.ts]).toEqual([
              e.bidPrice,
              e.bidAmount,
              e.askPrice,
              e.askAmount,
              iso(e.timestamp),
            ]);
          }
        }
        compared++;
      }
    });
    expect(compared).toBe(8); // all but the rejected snapshot (next test)
  });

  test("the 0001-01-01 placeholder time falls back to the product's last time, as tardis does", () => {
    const d = only<Book>(p, 5);
    expect(d.ts).toBe(iso("2019-08-01T00:00:03.818Z"));
    expect(d.ts).toBe(only<Book>(p, 2).ts);
    expect(d.prevSeq).toBe(only<Book>(p, 2).seq);
  });

  test("deliberate difference: a snapshot with the size '0.-10000' is rejected whole; tardis drops the level", () => {
    const r = p.results[5]!;
    expect(r).toEqual({
      kind: "invalid",
      reason: "invalid_field",
      detail: 'snapshot: bad "bids[1]" ["40531.19","0.-10000"]',
    });
    // tardis keeps the snapshot without that level, which would leave a silently wrong book
    expect(expected[5]![0]).toMatchObject({
      type: "book_change",
      isSnapshot: true,
      bids: [{ price: 40533.24 }],
    });
  });
});
