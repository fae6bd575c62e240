import { describe, expect, test } from "bun:test";
import type { ExchangeAdapter, FrameResult, ParseContext } from "../src/adapter.ts";
import { marketOfInstId, okxChecksum, okxSpot, okxSwap } from "../src/exchanges/okx/index.ts";
import type { Book, Deriv, Liquidation, MarketMessage, Ticker, Trade } from "../src/schemas/messages.ts";
import { readLines } from "./fixtures.ts";
import {
  countLabels,
  messagesPerResult,
  parseContext,
  RECV_TS,
  resultLabel,
  schemaErrors,
} from "./parse-harness.ts";

/**
 * Every recorded OKX message in packages/core/test/fixtures/okx: each line's result kind is counted, values
 * are asserted on specific lines, books are replayed against the recorded checksums and known
 * answers, and tardis-node's normalized output is compared where both normalize a line.
 */

/** The fixtures mix spot, swaps and dated futures: resolve every instrument id OKX can send. */
function ctx(recvTs = RECV_TS): ParseContext {
  return parseContext(marketOfInstId, recvTs);
}

interface Parsed {
  lines: string[];
  results: FrameResult[];
  perLine: MarketMessage[][];
  counts: Record<string, number>;
}

function parseFile(rel: string, adapter: ExchangeAdapter, c: ParseContext = ctx()): Parsed {
  const lines = readLines(rel);
  const results = lines.map((line) => adapter.parseFrame(line, c));
  const counts = countLabels(results);
  return { lines, results, perLine: messagesPerResult(results), counts };
}

function only<T extends MarketMessage>(p: Parsed, line: number): T {
  const msgs = p.perLine[line - 1];
  expect(msgs).toHaveLength(1);
  return msgs![0] as T;
}

function expectAllValid(p: Parsed): void {
  expect(p.perLine.flat().flatMap(schemaErrors)).toEqual([]);
}

/**
 * Replays book messages on a book of exact strings and checks every recorded checksum with
 * okxChecksum. Returns the number verified and the final top 5 of each side.
 */
function replayChecksums(msgs: MarketMessage[]): {
  verified: number;
  failed: number;
  bids: [string, string][];
  asks: [string, string][];
} {
  const bids = new Map<string, string>();
  const asks = new Map<string, string>();
  let verified = 0;
  let failed = 0;
  const sorted = (m: Map<string, string>, desc: boolean) =>
    [...m].sort((a, b) => (desc ? Number(b[0]) - Number(a[0]) : Number(a[0]) - Number(b[0])));
  for (const m of msgs) {
    if (m.type !== "book") continue;
    if (m.kind === "snapshot") {
      bids.clear();
      asks.clear();
    }
    expect(m.exact).toBeDefined();
    for (const [px, sz] of m.exact!.bids) Number(sz) === 0 ? bids.delete(px) : bids.set(px, sz);
    for (const [px, sz] of m.exact!.asks) Number(sz) === 0 ? asks.delete(px) : asks.set(px, sz);
    if (okxChecksum(sorted(bids, true), sorted(asks, false)) === m.checksum) verified++;
    else failed++;
  }
  return { verified, failed, bids: sorted(bids, true).slice(0, 5), asks: sorted(asks, false).slice(0, 5) };
}

describe("okx/v5_BTC-USDT_ws.jsonl (cryptofeed 2022: books with checksum, trades, tickers)", () => {
  const p = parseFile("okx/v5_BTC-USDT_ws.jsonl", okxSpot);

  test("every line is accounted for", () => {
    expect(p.lines).toHaveLength(198);
    expect(p.counts).toEqual({ ack: 6, ticker: 25, trade: 69, "book:snapshot": 1, "book:delta": 97 });
    expectAllValid(p);
  });

  test("subscribe acks carry the argument as id", () => {
    expect(p.results.slice(0, 6).map((r) => (r.kind === "ack" ? r.id : r.kind))).toEqual([
      "tickers:BTC-USDT",
      "tickers:BTC-USDT",
      "trades:BTC-USDT",
      "tickers:BTC-USDT",
      "trades:BTC-USDT",
      "books:BTC-USDT",
    ]);
  });

  test("trades: id = tradeId, taker side, ts; ids 338476307..338476375 without a gap", () => {
    expect(only<Trade>(p, 8)).toEqual({
      type: "trade",
      exchange: "okx",
      market: "BTC-USDT",
      symbol: "BTC-USDT",
      ts: 1652459224818,
      recvTs: RECV_TS,
      id: "338476307",
      price: 30236,
      amount: 0.0002,
      side: "buy",
    });
    expect(only<Trade>(p, 192)).toMatchObject({
      id: "338476375",
      price: 30227.6,
      amount: 0.00000088,
      ts: 1652459235576,
    });
    const trades = p.perLine.flat().filter((m): m is Trade => m.type === "trade");
    expect(trades.map((t) => Number(t.id))).toEqual(Array.from({ length: 69 }, (_, i) => 338476307 + i));
    expect(trades.filter((t) => t.side === "buy")).toHaveLength(44);
    expect(trades.filter((t) => t.side === "sell")).toHaveLength(25);
  });

  test("tickers: spot volume = vol24h (base), quoteVolume = volCcy24h, change from open24h", () => {
    const t = only<Ticker>(p, 7);
    expect(t).toMatchObject({
      type: "ticker",
      market: "BTC-USDT",
      ts: 1652459224956,
      last: 30236,
      open: 29700.4,
      high: 31073,
      low: 28020.3,
      volume: 17602.13085371,
      quoteVolume: Number("525802090.62716611"),
      change: 535.6,
      bid: 30228.6,
      ask: 30228.7,
    });
    expect(t.changePct).toBeCloseTo((535.6 / 29700.4) * 100, 10);
    expect(only<Ticker>(p, 193)).toMatchObject({ last: 30227.6, volume: 17605.61722866, ts: 1652459235637 });
  });

  test("books: 400-level snapshot, then updates; no seqId in 2022 ⇒ seq = ts, prevSeq null; checksum + exact", () => {
    const snap = only<Book>(p, 9);
    expect(snap).toMatchObject({
      kind: "snapshot",
      seq: 1652459225381,
      prevSeq: null,
      ts: 1652459225381,
      checksum: 47640993,
    });
    expect(snap.bids).toHaveLength(400);
    expect(snap.asks).toHaveLength(400);
    expect(snap.bids[0]).toEqual([30243.4, 0.0012029]);
    expect(snap.asks[0]).toEqual([30243.5, 1.44679]);
    expect(snap.exact!.asks[0]).toEqual(["30243.5", "1.44679"]);
    const upd = only<Book>(p, 10);
    expect(upd).toMatchObject({ kind: "delta", seq: 1652459225453, prevSeq: null, checksum: -652563973 });
    expect(upd.asks).toHaveLength(26);
    expect(upd.bids[0]).toEqual([30237.2, 0]);
    expect(upd.exact!.bids[0]).toEqual(["30237.2", "0"]);
  });

  test("replayed, every recorded checksum verifies and the book ends at the known answer", () => {
    const r = replayChecksums(p.perLine.flat());
    expect(r).toEqual({
      verified: 98,
      failed: 0,
      bids: [
        ["30236.1", "0.18050747"],
        ["30234", "0.052"],
        ["30233.2", "0.07180355"],
        ["30233", "0.28155591"],
        ["30231.5", "0.0077"],
      ],
      asks: [
        ["30236.2", "0.001"],
        ["30243.9", "0.0002"],
        ["30246.5", "0.00087743"],
        ["30246.6", "0.16"],
        ["30249", "0.06179"],
      ],
    });
  });
});

describe("okx/v5_BTC-USD-220527_ws.jsonl (dated future, sizes in contracts)", () => {
  const p = parseFile("okx/v5_BTC-USD-220527_ws.jsonl", okxSwap);

  test("every line is accounted for", () => {
    expect(p.lines).toHaveLength(111);
    expect(p.counts).toEqual({ ack: 6, ticker: 2, trade: 4, "book:snapshot": 1, "book:delta": 98 });
    expectAllValid(p);
  });

  test("the swap adapter resolves dated futures by their id", () => {
    expect(okxSwap.marketOfSymbol("BTC-USD-220527")).toBe("BTC-USD-220527");
    expect(only<Trade>(p, 8)).toMatchObject({
      market: "BTC-USD-220527",
      symbol: "BTC-USD-220527",
      id: "7849",
      price: 30218.8,
      amount: 1,
      side: "buy",
      ts: 1652459199958,
    });
    expect(only<Trade>(p, 93)).toMatchObject({ id: "7852", price: 30229.6, amount: 30 });
  });

  test("futures tickers: volume = volCcy24h (base), no quote volume (OKX sends none: null)", () => {
    const t = only<Ticker>(p, 95);
    expect(t).toMatchObject({ last: 30229.6, open: 29571.4, volume: 2620.4014, bid: 30211.8, ask: 30217.8 });
    expect(t.quoteVolume).toBeNull();
  });

  test("books: snapshot and 98 updates; every checksum verifies; the known final top 5", () => {
    const snap = only<Book>(p, 9);
    expect(snap).toMatchObject({ kind: "snapshot", checksum: 1054815633 });
    expect(snap.bids).toHaveLength(72);
    expect(snap.asks).toHaveLength(64);
    expect(only<Book>(p, 111)).toMatchObject({
      kind: "delta",
      bids: [],
      asks: [
        [30238.8, 3],
        [30240.7, 0],
      ],
    });
    expect(replayChecksums(p.perLine.flat())).toEqual({
      verified: 99,
      failed: 0,
      bids: [
        ["30229.4", "2"],
        ["30228.1", "2"],
        ["30209.9", "38"],
        ["30209.8", "4"],
        ["30209.7", "171"],
      ],
      asks: [
        ["30238.8", "3"],
        ["30240.1", "2"],
        ["30242.5", "2"],
        ["30259.2", "104"],
        ["30259.3", "12"],
      ],
    });
  });
});

describe("okx/v5_BTC-USD-220527_ws.jsonl with its contract (inverse, ctVal 100 USD): base units", () => {
  const contract = { value: 100, inverse: true };
  const c: ParseContext = { ...ctx(), contractOf: (m) => (m === "BTC-USD-220527" ? contract : undefined) };
  const p = parseFile("okx/v5_BTC-USD-220527_ws.jsonl", okxSwap, c);
  const raw = parseFile("okx/v5_BTC-USD-220527_ws.jsonl", okxSwap);

  test("trades: amount = contracts × 100 USD / price, the raw contracts kept", () => {
    const t = only<Trade>(p, 8);
    expect(t).toMatchObject({ id: "7849", price: 30218.8, contracts: 1 });
    expect(t.amount).toBeCloseTo(100 / 30218.8, 15);
    const t2 = only<Trade>(p, 93);
    expect(t2).toMatchObject({ id: "7852", price: 30229.6, contracts: 30 });
    expect(t2.amount).toBeCloseTo((30 * 100) / 30229.6, 15);
    expectAllValid(p);
  });

  test("books: every level converted at its own price, contractValue named; checksums still verify", () => {
    const snap = only<Book>(p, 9);
    const rawSnap = only<Book>(raw, 9);
    expect(snap.contractValue).toBe(100);
    expect(snap.bids.map(([px]) => px)).toEqual(rawSnap.bids.map(([px]) => px));
    for (const [i, [px, amount]] of snap.bids.entries())
      expect(amount).toBeCloseTo((rawSnap.bids[i]![1] * 100) / px, 12);
    const [[px, amount], deleted] = only<Book>(p, 111).asks as [[number, number], [number, number]];
    expect([px, deleted]).toEqual([30238.8, [30240.7, 0]]);
    expect(amount).toBeCloseTo((3 * 100) / 30238.8, 15);
    expect(replayChecksums(p.perLine.flat())).toMatchObject({ verified: 99, failed: 0 });
  });

  test("tickers are base volumes already: unchanged", () => {
    expect(only<Ticker>(p, 95)).toEqual(only<Ticker>(raw, 95));
  });
});

interface TardisLevel {
  price: number;
  amount: number;
}
type TardisMessage = Record<string, unknown> & { type: string; symbol: string; timestamp: string };

function tardisExpected(rel: string): TardisMessage[][] {
  return readLines(rel).map((l) => JSON.parse(l) as TardisMessage[]);
}

const levelsOf = (ls: TardisLevel[]): [number, number][] => ls.map((l) => [l.price, l.amount]);

describe("tardis-node okex spot vectors", () => {
  const p = parseFile("okx/tardis_v5_spot_messages.jsonl", okxSpot);
  const expected = tardisExpected("okx/tardis_v5_spot_expected_normalized.jsonl");

  test("every line is accounted for", () => {
    expect(p.lines).toHaveLength(6);
    expect(expected).toHaveLength(6);
    expect(p.results.map((r) => resultLabel(r))).toEqual([
      "ack",
      "trade",
      "book:snapshot",
      "book:delta",
      "ticker",
      "trade",
    ]);
    expectAllValid(p);
  });

  test("matches tardis's normalized output on every line both normalize", () => {
    for (const [i, msgs] of p.perLine.entries()) {
      const tardis = expected[i]!;
      if (msgs.length === 0) {
        expect(tardis).toEqual([]); // the subscribe ack
        continue;
      }
      const m = msgs[0]!;
      const t = tardis[0]!;
      expect(m.symbol).toBe(t.symbol);
      expect(m.ts).toBe(Date.parse(t.timestamp));
      if (m.type === "trade") {
        expect(t.type).toBe("trade");
        expect([m.id, m.price, m.amount, m.side]).toEqual([t.id, t.price, t.amount, t.side] as never);
      } else if (m.type === "book") {
        expect(t.type).toBe("book_change");
        expect(m.kind === "snapshot").toBe(t.isSnapshot as boolean);
        expect(m.bids).toEqual(levelsOf(t.bids as TardisLevel[]));
        expect(m.asks).toEqual(levelsOf(t.asks as TardisLevel[]));
      } else if (m.type === "ticker") {
        // tardis turns tickers into a book_ticker; ours is the 24 h ticker, which has bid/ask too
        expect(t.type).toBe("book_ticker");
        expect([m.bid, m.ask]).toEqual([t.bidPrice, t.askPrice] as never);
      } else {
        throw new Error(`unexpected ${m.type} on line ${i + 1}`);
      }
    }
  });

  test("trades-all parses like trades; books-l2-tbt like books (checksums of trimmed vectors kept)", () => {
    expect(only<Trade>(p, 6)).toMatchObject({
      market: "BSV-USDT",
      id: "84834539",
      price: 42.52,
      amount: 3.75,
    });
    expect(only<Book>(p, 3)).toMatchObject({ market: "BTC-DAI", kind: "snapshot", checksum: -1971869027 });
    expect(only<Book>(p, 4)).toMatchObject({
      market: "ETC-ETH",
      kind: "delta",
      bids: [[0.00895, 3.5]],
      asks: [],
      checksum: 386150553,
      exact: { bids: [["0.00895", "3.5"]], asks: [] },
    });
  });
});

describe("tardis-node okex-futures vectors", () => {
  const c = ctx();
  const p = parseFile("okx/tardis_v5_futures_messages.jsonl", okxSwap, c);
  const expected = tardisExpected("okx/tardis_v5_futures_expected_normalized.jsonl");

  test("every line is accounted for", () => {
    expect(p.lines).toHaveLength(14);
    expect(expected).toHaveLength(14);
    expect(p.results.map((r) => resultLabel(r))).toEqual([
      "ack",
      "book:snapshot",
      "trade",
      "deriv", // mark-price
      "deriv", // open-interest
      "ignored:unsupported:price-limit",
      "ticker",
      "book:delta",
      "ignored:unsupported:liquidations", // tardis's envelope around REST polls, not an OKX channel
      "ignored:unsupported:liquidations",
      "deriv", // index-tickers
      "deriv", // mark-price
      "liquidation",
      "liquidation", // the same push again: same id, deduplicated downstream
    ]);
    expectAllValid(p);
  });

  test("book and trade lines match tardis", () => {
    for (const line of [2, 3, 8]) {
      const m = only<MarketMessage>(p, line);
      const t = expected[line - 1]![0]!;
      expect(m.symbol).toBe(t.symbol);
      expect(m.ts).toBe(Date.parse(t.timestamp));
      if (m.type === "book") {
        expect(m.bids).toEqual(levelsOf(t.bids as TardisLevel[]));
        expect(m.asks).toEqual(levelsOf(t.asks as TardisLevel[]));
      } else if (m.type === "trade") {
        expect([m.id, m.price, m.amount, m.side]).toEqual([t.id, t.price, t.amount, t.side] as never);
      }
    }
  });

  test("deriv channels merge per market like tardis's derivative_ticker; open interest in base (oiCcy)", () => {
    const mark = only<Deriv>(p, 4);
    expect(mark).toMatchObject({
      market: "FIL-USDT-220325",
      ts: 1640131204676,
      markPrice: 36.232,
      openInterest: null,
    });
    expect(mark.markPrice).toBe(expected[3]![0]!.markPrice as number);
    const oi = only<Deriv>(p, 5);
    // tardis reports oi (236870 contracts); we report oiCcy (23687 FIL), keeping the mark price
    expect(expected[4]![0]!.openInterest).toBe(236870);
    expect(oi).toMatchObject({ ts: 1640131202886, markPrice: 36.232, openInterest: 23687, indexPrice: null });
    const mark2 = only<Deriv>(p, 12);
    expect(mark2).toMatchObject({ markPrice: 36.662, openInterest: 23687, ts: 1640140257676 });
    expect(mark2.markPrice).toBe(expected[11]![0]!.markPrice as number);
  });

  test("index-tickers (index FIL-USDT) feed the FIL-USDT-SWAP perpetual", () => {
    // tardis merges the index into the dated FIL-USDT-220325 future; an index follows the swap here
    expect(only<Deriv>(p, 11)).toMatchObject({
      market: "FIL-USDT-PERP",
      symbol: "FIL-USDT-SWAP",
      indexPrice: 35.583,
      markPrice: null,
      ts: 1640140200581,
    });
    expect(expected[11]![0]!.indexPrice).toBe(35.583);
  });

  test("futures ticker: base volume from volCcy24h; bid/ask match tardis's book_ticker", () => {
    const t = only<Ticker>(p, 7);
    const bookTicker = expected[6]!.find((m) => m.type === "book_ticker")!;
    expect(t).toMatchObject({
      last: 36.245,
      volume: 39687.4,
      bid: bookTicker.bidPrice,
      ask: bookTicker.askPrice,
    });
  });

  test("liquidation-orders: price = bkPx, amount = sz, side = the liquidation order's side, a stable id", () => {
    const a = only<Liquidation>(p, 13);
    const b = only<Liquidation>(p, 14);
    const t = expected[13]![0]!;
    expect(a).toEqual({
      type: "liquidation",
      exchange: "okx",
      market: "XRP-USD-230929",
      symbol: "XRP-USD-230929",
      ts: 1680173247614,
      recvTs: RECV_TS,
      id: "1680173247614-buy-short-0.55205-39",
      price: 0.55205,
      amount: 39,
      side: "buy",
    });
    expect([a.price, a.amount, a.side, a.ts]).toEqual([
      t.price,
      t.amount,
      t.side,
      Date.parse(t.timestamp),
    ] as never);
    // tardis emits the repeated push once; ours repeats with the same id, which NATS deduplicates
    expect(expected[12]).toEqual([]);
    expect(b.id).toBe(a.id);
  });
});
