import { describe, expect, test } from "bun:test";
import type { ParseContext } from "../src/adapter.ts";
import { BookSync } from "../src/book/sync.ts";
import { coinbase } from "../src/exchanges/coinbase/index.ts";
import type { Book, Ticker } from "../src/schemas/messages.ts";
import { breaks, levels, readLines, replay } from "./book-replay.ts";

/**
 * Coinbase recordings (test/fixtures/coinbase) replayed through BookSync with the adapter's
 * rules. Advanced Trade numbers every frame of a connection (`sequence_num`): a hole there is
 * reported by the parser and cuts every book chain on the connection, so the next delta breaks its
 * book. The legacy Exchange feed's level2 has no sequence at all: its proof is the final book and
 * the ticker's best bid/ask, as in PROVENANCE.md.
 */

const ADVANCED = "coinbase/advanced_trade_BTC-USD_ETH-USD_ws.jsonl";

describe("Coinbase Advanced Trade book sync on recorded data", () => {
  test("both books after all frames equal the known answers (top 5, level counts)", () => {
    const r = replay({ adapter: coinbase, lines: readLines(ADVANCED) });
    expect(breaks(r)).toEqual([]);
    expect(r.outputs.map((o) => o.kind)).toEqual([
      "snapshot",
      "delta",
      "delta",
      "delta",
      "delta",
      "snapshot",
      "delta",
    ]);
    const btc = r.syncs.get("BTC-USD")!.book;
    expect(btc.top(5)).toEqual({
      bids: levels([
        ["83277.25", "0.00715626"],
        ["83275.58", "0.02401664"],
        ["83275.17", "0.00720484"],
        ["83275.01", "0.024"],
        ["83274.62", "0.09606768"],
      ]),
      asks: levels([
        ["83277.26", "0.01110256"],
        ["83278.32", "0.03"],
        ["83278.34", "0.03"],
        ["83278.93", "0.02401568"],
        ["83279.35", "0.00720495"],
      ]),
    });
    expect([btc.bids.size, btc.asks.size]).toEqual([154, 152]);
    const eth = r.syncs.get("ETH-USD")!.book;
    expect(eth.top(5)).toEqual({
      bids: levels([
        ["2666.03", "3.37671824"],
        ["2665.8", "7.49891972"],
        ["2665.79", "7.87758975"],
        ["2665.66", "0.19750683"],
        ["2665.63", "2.43779864"],
      ]),
      asks: levels([
        ["2666.04", "2.246"],
        ["2666.08", "1.45536579"],
        ["2666.15", "2.43779864"],
        ["2666.19", "0.19750683"],
        ["2666.2", "0.8"],
      ]),
    });
    expect([eth.bids.size, eth.asks.size]).toEqual([151, 150]);
  });

  test("a deliberate hole (one frame lost) shows in sequence_num and breaks the book on its next delta", () => {
    const r = replay({ adapter: coinbase, lines: readLines(ADVANCED), skipDelta: 1 }); // frame sequence_num 2
    expect(breaks(r)).toEqual([
      expect.objectContaining({ reason: "gap", toSeq: r.fed.get("BTC-USD")![2]!.seq }),
    ]);
    // only BTC-USD resyncs; ETH-USD's snapshot comes after the hole and stays in sync
    expect(r.syncs.get("BTC-USD")!.synced).toBe(false);
    expect(r.syncs.get("ETH-USD")!.synced).toBe(true);
    // the parser saw the hole itself
    const ctx: ParseContext = { recvTs: 1, marketOf: (s) => s, state: new Map() };
    const lines = readLines(ADVANCED);
    const gaps = lines.filter((_, i) => i !== 2).map((l) => coinbase.parseFrame(l, ctx).gap);
    expect(gaps.filter(Boolean)).toEqual([{ fromSeq: 2, toSeq: 2 }]);
  });

  test("a lost frame of another product also cuts this product's chain (the loss is per connection)", () => {
    // the ETH-USD snapshot frame (sequence_num 5) is lost: ETH never syncs, and BTC-USD's next delta
    // breaks too (the recording has none left: BTC's last update again, as the next frame, 2 s later)
    const lines = readLines(ADVANCED).filter((_, i) => i !== 5);
    const again = JSON.stringify({ ...JSON.parse(lines[4]!), sequence_num: 9 }).replaceAll(":53.", ":55.");
    const r = replay({ adapter: coinbase, lines: [...lines, again] });
    expect(breaks(r)).toEqual([expect.objectContaining({ reason: "gap" })]);
    expect(r.syncs.get("BTC-USD")!.synced).toBe(false);
  });
});

/**
 * Legacy feed: replays level2 and compares each ticker's best bid/ask with the book at that moment.
 */
function legacy(file: string, dropLine?: number) {
  const ctx: ParseContext = { recvTs: 1, marketOf: (s) => s, state: new Map() };
  const sync = new BookSync(coinbase.bookSync!);
  let matches = 0;
  let mismatches = 0;
  const outputs = [];
  for (const [i, line] of readLines(file).entries()) {
    if (i === dropLine) continue;
    const r = coinbase.parseFrame(line, ctx);
    if (r.kind !== "data") continue;
    for (const m of r.messages) {
      if (m.type === "book") outputs.push(...sync.onMessage(m as Book));
      if (m.type === "ticker") {
        const t = m as Ticker;
        const ok = t.bid === sync.book.bids.best && t.ask === sync.book.asks.best;
        if (ok) matches++;
        else mismatches++;
      }
    }
  }
  return { sync, matches, mismatches, outputs };
}

describe("Coinbase legacy level2 book sync on recorded data", () => {
  const CASES = [
    {
      file: "coinbase/exchange_legacy_BAND-GBP_ws.jsonl",
      updates: 471,
      matches: 4,
      mismatches: 1,
      bids: [
        ["14.7366", "27.57"],
        ["14.7318", "0.42"],
        ["14.7310", "12.98"],
        ["14.7267", "36.00"],
        ["14.7266", "12.17"],
      ] as Array<[string, string]>,
      asks: [
        ["14.7664", "12.00"],
        ["14.7737", "27.80"],
        ["14.7738", "12.30"],
        ["14.9107", "61.93"],
        ["14.9108", "9.20"],
      ] as Array<[string, string]>,
    },
    {
      file: "coinbase/exchange_legacy_SKL-USD_ws.jsonl",
      updates: 2592,
      matches: 52,
      mismatches: 1,
      bids: [
        ["0.7902", "468.0"],
        ["0.7901", "1548.0"],
        ["0.7900", "8285.3"],
        ["0.7896", "91.3"],
        ["0.7893", "867.7"],
      ] as Array<[string, string]>,
      asks: [
        ["0.7911", "450.0"],
        ["0.7912", "6908.0"],
        ["0.7913", "1707.4"],
        ["0.7915", "3070.0"],
        ["0.7916", "23012.0"],
      ] as Array<[string, string]>,
    },
  ];

  for (const k of CASES) {
    test(`${k.file}: ${k.updates} updates applied; the final book and the ticker checks are the known ones`, () => {
      const { sync, matches, mismatches, outputs } = legacy(k.file);
      expect(outputs.filter((o) => o.kind === "break")).toEqual([]);
      expect(outputs.map((o) => o.kind)).toEqual(["snapshot", ...Array(k.updates).fill("delta")]);
      expect(sync.book.top(5)).toEqual({ bids: levels(k.bids), asks: levels(k.asks) });
      expect([matches, mismatches]).toEqual([k.matches, k.mismatches]);
    });
  }

  test("legacy level2 carries no sequence: a lost update is invisible to the sync (only its effect shows)", () => {
    const k = CASES[0]!;
    // line 3 deletes ask 14.8098 (the snapshot's 4th ask); without it the book keeps a stale level
    const { sync, outputs } = legacy(k.file, 3);
    expect(outputs.filter((o) => o.kind === "break")).toEqual([]);
    expect(sync.synced).toBe(true);
    expect(sync.book.asks.get(14.8098)).toBe(123.1);
    expect(legacy(k.file).sync.book.asks.get(14.8098)).toBeUndefined();
  });
});
