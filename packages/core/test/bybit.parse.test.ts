import { describe, expect, test } from "bun:test";
import type { ExchangeAdapter, FrameResult, ParseContext } from "../src/adapter.ts";
import { BookSync } from "../src/book/index.ts";
import { bookSync, bybitLinear, bybitSpot, tickerState } from "../src/exchanges/bybit/index.ts";
import type { Bbo, Book, Deriv, Liquidation, MarketMessage, Ticker, Trade } from "../src/schemas/messages.ts";
import { readLines } from "./fixtures.ts";
import {
  countLabels,
  messagesPerResult,
  parseContext,
  RECV_TS,
  resultLabel,
  schemaErrors,
} from "./parse-harness.ts";

const label = (r: FrameResult): string => resultLabel(r, "distinct");

interface Parsed {
  lines: string[];
  raw: Record<string, unknown>[];
  results: FrameResult[];
  perLine: MarketMessage[][];
  counts: Record<string, number>;
  ctx: ParseContext;
}

function parseFile(rel: string, adapter: ExchangeAdapter, c: ParseContext): Parsed {
  const lines = readLines(rel);
  const results = lines.map((line) => adapter.parseFrame(line, c));
  const counts = countLabels(results, label);
  return {
    lines,
    raw: lines.map((l) => JSON.parse(l) as Record<string, unknown>),
    results,
    perLine: messagesPerResult(results),
    counts,
    ctx: c,
  };
}

function only<T extends MarketMessage>(p: Parsed, line: number): T {
  const msgs = p.perLine[line - 1];
  expect(msgs).toHaveLength(1);
  return msgs![0] as T;
}

function ofType<T extends MarketMessage>(p: Parsed, line: number, type: T["type"]): T {
  const m = p.perLine[line - 1]!.filter((x) => x.type === type);
  expect(m).toHaveLength(1);
  return m[0] as T;
}

function expectAllValid(p: Parsed): void {
  expect(p.perLine.flat().flatMap(schemaErrors)).toEqual([]);
}

const lv = (rows: [string, string][]) => rows.map(([p, q]): [number, number] => [Number(p), Number(q)]);

describe("bybit spot testnet 2026: orderbook.50 + orderbook.1 + publicTrade + op replies", () => {
  const p = parseFile(
    "bybit/v5_spot_testnet_BTCUSDT_ws.jsonl",
    bybitSpot,
    parseContext({ BTCUSDT: "BTC-USDT" }),
  );

  test("every line is accounted for", () => {
    expect(p.lines).toHaveLength(43);
    expect(p.counts).toEqual({
      ack: 1, // subscribe sub1
      "book:snapshot": 1,
      "book:delta": 18,
      bbo: 14,
      trade: 7,
      control: 1, // pong
      error: 1, // the rejected subscribe for NOSUCHSYM
    });
    expectAllValid(p);
  });

  test("op replies: subscribe ack with req_id, pong, rejected subscribe without req_id", () => {
    expect(p.results[0]).toEqual({ kind: "ack", id: "sub1" });
    expect(p.results[3]).toEqual({ kind: "control", event: "pong" });
    expect(p.results[42]).toEqual({
      kind: "error",
      id: null,
      message: "subscribe: Invalid symbol :[orderbook.50.NOSUCHSYM]",
    });
  });

  test("trades: id = i, side = S (taker), ts = T; a two-trade push", () => {
    expect(only<Trade>(p, 7)).toEqual({
      type: "trade",
      exchange: "bybit",
      market: "BTC-USDT",
      symbol: "BTCUSDT",
      ts: 1789299660688,
      recvTs: RECV_TS,
      id: "2100000000188691524",
      price: 77140.5,
      amount: 0.00389,
      side: "sell",
    });
    expect(p.perLine[17]!.map((t) => [(t as Trade).id, (t as Trade).price, (t as Trade).amount])).toEqual([
      ["2100000000188691533", 77140.5, 0.000078],
      ["2100000000188691534", 77140.1, 0.003812],
    ]);
    const trades = p.perLine.flat().filter((m): m is Trade => m.type === "trade");
    expect(trades.map((t) => t.id.slice(-4))).toEqual([
      "1524",
      "1528",
      "1533",
      "1534",
      "1535",
      "1536",
      "1540",
      "1544",
    ]);
    expect(trades.map((t) => t.side)).toEqual([
      "sell",
      "sell",
      "sell",
      "sell",
      "sell",
      "buy",
      "sell",
      "sell",
    ]);
    expect(only<Trade>(p, 26)).toMatchObject({
      price: 77140.7,
      amount: 0.000012,
      side: "buy",
      ts: 1789299672316,
    });
  });

  test("orderbook.50: snapshot then deltas, seq = u contiguous 3734358..3734376, prevSeq = u - 1", () => {
    const snap = only<Book>(p, 2);
    expect([snap.kind, snap.seq, snap.prevSeq, snap.ts, snap.bids.length, snap.asks.length]).toEqual([
      "snapshot",
      3734358,
      null,
      1789299657452,
      50,
      50,
    ]);
    expect(snap.bids[0]).toEqual([77140.5, 0.216593]);
    expect(snap.asks[0]).toEqual([77140.6, 0.324006]);
    expect(only<Book>(p, 5)).toEqual({
      type: "book",
      exchange: "bybit",
      market: "BTC-USDT",
      symbol: "BTCUSDT",
      ts: 1789299658933,
      recvTs: RECV_TS,
      kind: "delta",
      seq: 3734359,
      prevSeq: 3734358,
      bids: [
        [77140.3, 0],
        [77139.8, 0],
        [76200, 0.002114],
        [76181.8, 0.003835],
      ],
      asks: [
        [77141.2, 0],
        [77928, 0.002492],
      ],
    });
    const books = p.perLine.flat().filter((m): m is Book => m.type === "book");
    expect(books.map((b) => b.seq)).toEqual(Array.from({ length: 19 }, (_, i) => 3734358 + i));
    for (let i = 1; i < books.length; i++) expect(books[i]!.prevSeq).toBe(books[i - 1]!.seq);
  });

  test("orderbook.1 (spot: snapshots only): bbo with seq = u; the 3 s re-send repeats u", () => {
    expect(only<Bbo>(p, 3)).toEqual({
      type: "bbo",
      exchange: "bybit",
      market: "BTC-USDT",
      symbol: "BTCUSDT",
      ts: 1789299655643,
      recvTs: RECV_TS,
      bidPrice: 77140.5,
      bidAmount: 0.216593,
      askPrice: 77140.6,
      askAmount: 0.324006,
      seq: 1980705,
    });
    const b12 = only<Bbo>(p, 12);
    const b14 = only<Bbo>(p, 14);
    expect([b12.seq, b14.seq]).toEqual([1980707, 1980707]);
    expect([b14.ts - b12.ts, b14.bidAmount, b14.askPrice]).toEqual([3090, 0.208813, 77140.6]);
    const b15 = only<Bbo>(p, 15);
    expect([b15.seq, b15.bidPrice, b15.bidAmount, b15.askPrice, b15.askAmount]).toEqual([
      1980708, 77140.5, 0.000078, 77140.7, 0.240088,
    ]);
    expect(only<Bbo>(p, 42)).toMatchObject({
      seq: 1980716,
      bidPrice: 77140.5,
      askPrice: 77140.6,
      askAmount: 0.324084,
    });
  });

  test("replayed, the book gives the recorded known answers and matches every orderbook.1 of the same seq", () => {
    const bids = new Map<number, number>();
    const asks = new Map<number, number>();
    /** top of book after each orderbook.50 frame, by the frame's cross sequence (raw `data.seq`) */
    const topBySeq = new Map<number, [number, number, number, number]>();
    let crosschecks = 0;
    p.perLine.forEach((msgs, i) => {
      const raw = p.raw[i]!;
      const crossSeq = (raw.data as { seq?: number } | undefined)?.seq;
      for (const m of msgs) {
        if (m.type === "book") {
          if (m.kind === "snapshot") {
            bids.clear();
            asks.clear();
          }
          for (const [pr, q] of m.bids) q === 0 ? bids.delete(pr) : bids.set(pr, q);
          for (const [pr, q] of m.asks) q === 0 ? asks.delete(pr) : asks.set(pr, q);
          const bb = Math.max(...bids.keys());
          const ba = Math.min(...asks.keys());
          topBySeq.set(crossSeq!, [bb, bids.get(bb)!, ba, asks.get(ba)!]);
        }
      }
    });
    p.perLine.forEach((msgs, i) => {
      const crossSeq = (p.raw[i]!.data as { seq?: number } | undefined)?.seq;
      for (const m of msgs) {
        if (m.type !== "bbo") continue;
        const top = topBySeq.get(crossSeq!);
        if (!top) continue;
        expect([m.bidPrice, m.bidAmount, m.askPrice, m.askAmount]).toEqual(top);
        crosschecks++;
      }
    });
    expect(crosschecks).toBe(13);
    const sortedBids = [...bids].sort((a, b) => b[0] - a[0]).slice(0, 5);
    const sortedAsks = [...asks].sort((a, b) => a[0] - b[0]).slice(0, 5);
    expect(sortedBids).toEqual(
      lv([
        ["77140.5", "0.236197"],
        ["77140.4", "0.177861"],
        ["77140.3", "0.131763"],
        ["77140.2", "0.097612"],
        ["77140.1", "0.127871"],
      ]),
    );
    expect(sortedAsks).toEqual(
      lv([
        ["77140.7", "0.240076"],
        ["77140.8", "0.177784"],
        ["77140.9", "0.131763"],
        ["77141", "0.131763"],
        ["77141.1", "0.131763"],
      ]),
    );
  });

  test("the book sync rules keep the book through all 18 deltas; a missing delta is a gap", () => {
    const sync = new BookSync(bookSync);
    const books = p.perLine.flat().filter((m): m is Book => m.type === "book");
    const outputs = books.flatMap((b) => sync.onMessage(b));
    expect(outputs.map((o) => o.kind)).toEqual(["snapshot", ...Array(18).fill("delta")]);
    expect(sync.synced).toBe(true);
    expect(sync.book.top(5)).toEqual({
      bids: lv([
        ["77140.5", "0.236197"],
        ["77140.4", "0.177861"],
        ["77140.3", "0.131763"],
        ["77140.2", "0.097612"],
        ["77140.1", "0.127871"],
      ]),
      asks: lv([
        ["77140.7", "0.240076"],
        ["77140.8", "0.177784"],
        ["77140.9", "0.131763"],
        ["77141", "0.131763"],
        ["77141.1", "0.131763"],
      ]),
    });
    // a replayed delta is stale, not a gap
    expect(sync.onMessage(books[5]!)).toEqual([]);
    // without delta u=3734362 the next one breaks the book and asks for a resubscribe
    const again = new BookSync(bookSync);
    const out = books.filter((b) => b.seq !== 3734362).flatMap((b) => again.onMessage(b));
    const brk = out.find((o) => o.kind === "break");
    expect(brk).toMatchObject({ kind: "break", reason: "gap", fromSeq: 3734361, toSeq: 3734363 });
    expect(out.filter((o) => o.kind === "need-snapshot")).toHaveLength(1);
    expect(again.synced).toBe(false);
  });

  test("the same frames through the linear adapter give the same messages (one parser)", () => {
    const q = parseFile(
      "bybit/v5_spot_testnet_BTCUSDT_ws.jsonl",
      bybitLinear,
      parseContext({ BTCUSDT: "BTC-USDT" }),
    );
    expect(q.perLine).toEqual(p.perLine);
  });
});

describe("bybit linear tickers 2026: snapshot then partial deltas, merged", () => {
  const p = parseFile(
    "bybit/v5_linear_tickers_BTCUSDT_2026_ws.jsonl",
    bybitLinear,
    parseContext({ BTCUSDT: "BTC-USDT-PERP" }),
  );

  test("every line is accounted for", () => {
    expect(p.lines).toHaveLength(29);
    expect(p.counts).toEqual({
      "ticker+deriv": 6, // the snapshot and 5 deltas that change both
      ticker: 7,
      deriv: 4, // only mark/index/funding/OI changed
      // only sizes (or unchanged prices) in the delta: nothing normalized changed
      "ignored:ticker_unchanged": 11,
      ack: 1, // arrives after the first pushes
    });
    expectAllValid(p);
  });

  test("snapshot: ticker and deriv", () => {
    expect(ofType<Ticker>(p, 1, "ticker")).toEqual({
      type: "ticker",
      exchange: "bybit",
      market: "BTC-USDT-PERP",
      symbol: "BTCUSDT",
      ts: 1790757082283,
      recvTs: RECV_TS,
      last: 83024.6,
      open: 84057.7,
      high: 84556,
      low: 82813.8,
      volume: 44701.1,
      quoteVolume: 3734121786.2434,
      change: -1033.1,
      changePct: -1.229,
      bid: 83024.6,
      ask: 83024.7,
    });
    expect(ofType<Deriv>(p, 1, "deriv")).toEqual({
      type: "deriv",
      exchange: "bybit",
      market: "BTC-USDT-PERP",
      symbol: "BTCUSDT",
      ts: 1790757082283,
      recvTs: RECV_TS,
      markPrice: 83024.7,
      indexPrice: 83074.01,
      fundingRate: -0.00007774,
      nextFundingTime: 1790784000000,
      openInterest: 57118.511,
    });
    // built field by field: the published JSON keeps this key order
    expect(Object.keys(ofType<Ticker>(p, 1, "ticker")).join()).toBe(
      "type,exchange,market,symbol,ts,recvTs,last,open,high,low,volume,quoteVolume,change,changePct,bid,ask",
    );
    expect(Object.keys(ofType<Deriv>(p, 1, "deriv")).join()).toBe(
      "type,exchange,market,symbol,ts,recvTs,markPrice,indexPrice,fundingRate,nextFundingTime,openInterest",
    );
  });

  test("deltas merge into the snapshot: absent fields keep their values", () => {
    // line 3 changes last price and volumes; high/low/open come from the snapshot
    expect(only<Ticker>(p, 3)).toMatchObject({
      ts: 1790757082584,
      last: 83024.7,
      open: 84057.7,
      high: 84556,
      low: 82813.8,
      volume: 44701.103,
      quoteVolume: 3734122035.3175,
      change: -1033,
      changePct: -1.2289,
    });
    // line 7 changes only the mark price (and OI value): a deriv with the merged index/funding/OI
    expect(only<Deriv>(p, 7)).toMatchObject({
      ts: 1790757083083,
      markPrice: 83024.6,
      indexPrice: 83073.68, // from line 5
      fundingRate: -0.00007774, // from the snapshot
      openInterest: 57118.511,
    });
    // line 27 changes prevPrice24h: the open moves
    expect(only<Ticker>(p, 27)).toMatchObject({
      open: 84061.4,
      last: 83029,
      change: -1032.4,
      changePct: -1.2281,
    });
  });

  test("the merged state at the end equals the recorded known answer (the fields messages read)", () => {
    const state = tickerState(p.ctx, "BTCUSDT")!;
    expect(state).toMatchObject({
      lastPrice: "83028.80",
      markPrice: "83032.50",
      indexPrice: "83084.25",
      bid1Price: "83028.80",
      ask1Price: "83028.90",
      turnover24h: "3732610660.3813",
      volume24h: "44683.1380",
      price24hPcnt: "-0.012283",
    });
    // fields no message reads are not kept
    expect(state.bid1Size).toBeUndefined();
    expect(state.tickDirection).toBeUndefined();
    const lastTicker = only<Ticker>(p, 29);
    expect([lastTicker.last, lastTicker.bid, lastTicker.ask, lastTicker.volume]).toEqual([
      83028.8, 83028.8, 83028.9, 44683.138,
    ]);
  });

  test("cs strictly increases; every ticker/deriv carries its push's ts", () => {
    const pushes = p.raw.filter((r) => r.topic !== undefined);
    for (let i = 1; i < pushes.length; i++)
      expect(pushes[i]!.cs as number).toBeGreaterThan(pushes[i - 1]!.cs as number);
    p.perLine.forEach((msgs, i) => {
      for (const m of msgs) expect(m.ts).toBe(p.raw[i]!.ts as number);
    });
  });

  test("a delta on a fresh connection (state emptied) is invalid until the next snapshot", () => {
    const c = parseContext({ BTCUSDT: "BTC-USDT-PERP" });
    expect(bybitLinear.parseFrame(p.lines[2]!, c)).toMatchObject({
      kind: "invalid",
      reason: "delta_without_snapshot",
    });
    expect(bybitLinear.parseFrame(p.lines[0]!, c).kind).toBe("data");
    expect(bybitLinear.parseFrame(p.lines[2]!, c).kind).toBe("data");
  });

  test("the spot adapter emits no deriv messages", () => {
    const c = parseContext({ BTCUSDT: "BTC-USDT" });
    const r = bybitSpot.parseFrame(p.lines[0]!, c);
    expect(label(r)).toBe("ticker");
  });
});

/** Tardis's normalized output (tardis_v5_expected_normalized.jsonl), one array per message line. */
interface TardisOut {
  type: string;
  symbol: string;
  id?: string | null;
  price?: number;
  amount?: number;
  side?: string;
  timestamp: string;
  bidPrice?: number;
  bidAmount?: number;
  askPrice?: number;
  askAmount?: number;
  isSnapshot?: boolean;
  bids?: Array<{ price: number; amount: number }>;
  asks?: Array<{ price: number; amount: number }>;
  lastPrice?: number;
  openInterest?: number;
  fundingRate?: number | null;
  fundingTimestamp?: string | null;
  indexPrice?: number;
  markPrice?: number;
}

describe("tardis-node v5 test vectors (spot, linear, inverse, liquidations)", () => {
  // the vectors mix categories; symbols mapped as the market list would map them
  const symbols = {
    BTCUSD: "BTC-USD-PERP", // inverse
    BTCUSDU23: "BTC-USD-230929", // inverse future
    LTCUSDT: "LTC-USDT-PERP",
    BTCUSDT: "BTC-USDT-PERP",
    BTCPERP: "BTC-USDC-PERP",
    GALAUSDT: "GALA-USDT-PERP",
    XRPUSD: "XRP-USD-PERP",
    PIPPINUSDT: "PIPPIN-USDT-PERP",
  };
  const p = parseFile("bybit/tardis_v5_messages.jsonl", bybitLinear, parseContext(symbols));
  const expected = readLines("bybit/tardis_v5_expected_normalized.jsonl").map(
    (l) => JSON.parse(l) as TardisOut[],
  );

  test("every line is accounted for", () => {
    expect(p.lines).toHaveLength(16);
    expect(expected).toHaveLength(16);
    expect(p.results.map(label)).toEqual([
      "trade", // 3 inverse trades
      "trade",
      "bbo", // orderbook.1 snapshot
      "bbo", // orderbook.1 delta (2023 linear level-1 deltas), merged
      "book:snapshot",
      "book:delta",
      "ticker+deriv", // inverse snapshot
      "deriv", // delta: open interest changed
      "ticker+deriv", // inverse future snapshot (no funding)
      "ignored:ticker_unchanged", // delta: only sizes, basis, pcnt unchanged
      "ticker+deriv",
      "liquidation", // legacy liquidation topic
      "liquidation",
      "bbo", // level-1 delta: a removed level and a new one
      "liquidation", // allLiquidation
      "liquidation", // the same push again: same id (deduplicated downstream)
    ]);
    expect(p.perLine[0]).toHaveLength(3);
    expectAllValid(p);
  });

  test("where tardis normalizes the line too, the values agree", () => {
    let compared = 0;
    const c = parseContext(symbols);
    p.lines.forEach((line, i) => {
      const ours = bybitLinear.parseFrame(line, c);
      const msgs = ours.kind === "data" ? ours.messages : [];
      for (const [k, t] of expected[i]!.entries()) {
        const ts = Date.parse(t.timestamp);
        switch (t.type) {
          case "trade": {
            const m = msgs[k] as Trade;
            expect([m.type, m.symbol, m.id, m.price, m.amount, m.side, m.ts]).toEqual([
              "trade",
              t.symbol,
              t.id!,
              t.price!,
              t.amount!,
              t.side!,
              ts,
            ]);
            break;
          }
          case "book_ticker": {
            const m = msgs.find((x): x is Bbo => x.type === "bbo")!;
            expect([m.bidPrice, m.bidAmount, m.askPrice, m.askAmount, m.ts]).toEqual([
              t.bidPrice!,
              t.bidAmount!,
              t.askPrice!,
              t.askAmount!,
              ts,
            ]);
            break;
          }
          case "book_change": {
            const m = msgs.find((x): x is Book => x.type === "book")!;
            expect(m.kind).toBe(t.isSnapshot ? "snapshot" : "delta");
            expect(m.bids).toEqual(t.bids!.map((l) => [l.price, l.amount]));
            expect(m.asks).toEqual(t.asks!.map((l) => [l.price, l.amount]));
            expect(m.ts).toBe(ts);
            break;
          }
          case "derivative_ticker": {
            const m = msgs.find((x): x is Deriv => x.type === "deriv")!;
            expect([m.markPrice, m.indexPrice, m.fundingRate, m.openInterest, m.ts]).toEqual([
              t.markPrice!,
              t.indexPrice!,
              t.fundingRate ?? null,
              t.openInterest!,
              ts,
            ]);
            expect(m.nextFundingTime).toBe(t.fundingTimestamp ? Date.parse(t.fundingTimestamp) : null);
            expect(Number(tickerState(c, t.symbol)!.lastPrice)).toBe(t.lastPrice!);
            break;
          }
          case "liquidation": {
            const m = msgs[k] as Liquidation;
            expect([m.type, m.symbol, m.price, m.amount, m.side, m.ts]).toEqual([
              "liquidation",
              t.symbol,
              t.price!,
              t.amount!,
              t.side!,
              ts,
            ]);
            break;
          }
          default:
            throw new Error(`unexpected tardis type ${t.type}`);
        }
        compared++;
      }
    });
    expect(compared).toBe(16); // 4 trades, 3 bbo, 2 book, 4 deriv, 3 liquidations
  });

  test("where the outputs differ, on purpose", () => {
    // line 10: tardis emits nothing (no derivative field changed); we neither (no ticker field changed)
    expect(expected[9]).toEqual([]);
    expect(p.perLine[9]).toEqual([]);
    // line 15: tardis's older mapper (its first vector set) did not map allLiquidation; line 16,
    // the same push under its newer mapper, is a liquidation — as both lines are for us
    expect(expected[14]).toEqual([]);
    expect(p.perLine[14]).toEqual(p.perLine[15]!);
    // tardis derives no ticker from tickers pushes; we emit ticker messages as well
    expect(p.perLine.flat().filter((m) => m.type === "ticker")).toHaveLength(3);
  });

  test("liquidations: side is the liquidation order's (a liquidated long sells); content id", () => {
    expect(only<Liquidation>(p, 15)).toEqual({
      type: "liquidation",
      exchange: "bybit",
      market: "PIPPIN-USDT-PERP",
      symbol: "PIPPINUSDT",
      ts: 1740480207110,
      recvTs: RECV_TS,
      id: "1740480207110-Sell-0.02456-2846",
      price: 0.02456,
      amount: 2846,
      side: "buy",
    });
    expect(only<Liquidation>(p, 12)).toMatchObject({ side: "sell", id: "1673251091822-Buy-0.03803-1637" });
  });

  test("inverse future snapshot: empty funding fields are null; level-1 delta merge", () => {
    expect(ofType<Deriv>(p, 9, "deriv")).toMatchObject({
      market: "BTC-USD-230929",
      markPrice: 29023.6,
      fundingRate: null,
      nextFundingTime: null,
      openInterest: 4547176,
    });
    // line 4 changes only the bid size: the ask comes from the snapshot of line 3
    expect(only<Bbo>(p, 4)).toMatchObject({
      bidPrice: 28552,
      bidAmount: 0.012,
      askPrice: 28552.1,
      askAmount: 25.433,
      seq: 7003306,
    });
  });
});
