import { describe, expect, test } from "bun:test";
import { BookSync } from "../src/book/sync.ts";
import { marketOfInstId, okxSpot, okxSwap } from "../src/exchanges/okx/index.ts";
import type { Book } from "../src/schemas/messages.ts";
import { breaks, levels, readLines, replay } from "./book-replay.ts";

/**
 * OKX v5 `books` recordings (test/fixtures/okx, 2022: every message carries the CRC32 of the top
 * 25 levels, no seqId yet) replayed through BookSync with the adapter's rules: every checksum the
 * exchange sent must pass and the final top 5 equal the known answers in PROVENANCE.md. The same
 * frames rewritten to today's format (seqId/prevSeqId chain, checksum 0) prove the production rule.
 */

const marketOf = (s: string) => (s === "BTC-USD-220527" ? s : marketOfInstId(s));

const FILES = [
  {
    file: "okx/v5_BTC-USDT_ws.jsonl",
    market: "BTC-USDT",
    adapter: okxSpot,
    checksums: 98,
    bids: [
      ["30236.1", "0.18050747"],
      ["30234", "0.052"],
      ["30233.2", "0.07180355"],
      ["30233", "0.28155591"],
      ["30231.5", "0.0077"],
    ] as Array<[string, string]>,
    asks: [
      ["30236.2", "0.001"],
      ["30243.9", "0.0002"],
      ["30246.5", "0.00087743"],
      ["30246.6", "0.16"],
      ["30249", "0.06179"],
    ] as Array<[string, string]>,
  },
  {
    file: "okx/v5_BTC-USD-220527_ws.jsonl",
    market: "BTC-USD-220527",
    adapter: okxSwap,
    checksums: 99,
    bids: [
      ["30229.4", "2"],
      ["30228.1", "2"],
      ["30209.9", "38"],
      ["30209.8", "4"],
      ["30209.7", "171"],
    ] as Array<[string, string]>,
    asks: [
      ["30238.8", "3"],
      ["30240.1", "2"],
      ["30242.5", "2"],
      ["30259.2", "104"],
      ["30259.3", "12"],
    ] as Array<[string, string]>,
  },
];

/**
 * The recorded frames as OKX sends them today: seqId/prevSeqId chained (steps of varying size, as
 * live ids are not consecutive) and checksum 0. `reset` restarts the ids lower at that update, as
 * after an exchange maintenance.
 */
function modernize(lines: string[], reset?: number): string[] {
  let seq = 1_000;
  let updates = 0;
  return lines.map((line) => {
    const f = JSON.parse(line);
    if (f.arg?.channel !== "books" || !f.data) return line;
    const d = f.data[0];
    const prev = f.action === "snapshot" ? -1 : seq;
    if (f.action === "update" && updates++ === reset) seq = 3;
    else seq += 1 + ((seq * 7) % 13);
    return JSON.stringify({ ...f, data: [{ ...d, checksum: 0, seqId: seq, prevSeqId: prev }] });
  });
}

describe("OKX book sync on recorded data", () => {
  for (const k of FILES) {
    test(`${k.file}: every checksum the exchange sent passes; the final book is the known one`, () => {
      const r = replay({ adapter: k.adapter, lines: readLines(k.file), marketOf });
      const fed = r.fed.get(k.market)!;
      const sync = r.syncs.get(k.market)!;
      expect(breaks(r)).toEqual([]);
      expect(fed.filter((m) => m.checksum !== undefined)).toHaveLength(k.checksums);
      expect(fed).toHaveLength(k.checksums); // all of them carry one
      expect(r.outputs.map((o) => o.kind)).toEqual(["snapshot", ...Array(k.checksums - 1).fill("delta")]);
      expect(sync.synced).toBe(true);
      expect(sync.book.top(5)).toEqual({ bids: levels(k.bids), asks: levels(k.asks) });
    });

    test(`${k.file}: a deliberate hole (one update left out) fails the next checksum`, () => {
      const r = replay({ adapter: k.adapter, lines: readLines(k.file), marketOf, skipDelta: 30 });
      const fed = r.fed.get(k.market)!;
      const next = fed[31]!; // after the snapshot and the 30 updates before the hole
      expect(breaks(r)).toEqual([expect.objectContaining({ reason: "checksum", toSeq: next.seq })]);
      expect(r.outputs.filter((o) => o.kind === "delta")).toHaveLength(30); // the updates before the hole
      // nothing is applied until a new snapshot
      expect(r.outputs.at(-1)).toEqual({ kind: "need-snapshot" });
      expect(r.syncs.get(k.market)!.synced).toBe(false);
    });
  }

  test("today's format (seqId chain, checksum 0): the same final book; a hole is a gap", () => {
    const k = FILES[0]!;
    const lines = modernize(readLines(k.file));
    const r = replay({ adapter: k.adapter, lines, marketOf });
    const fed = r.fed.get(k.market)!;
    expect(fed.every((m) => m.checksum === undefined)).toBe(true); // 0 is no checksum
    expect(breaks(r)).toEqual([]);
    expect(r.syncs.get(k.market)!.book.top(5)).toEqual({ bids: levels(k.bids), asks: levels(k.asks) });

    const holed = replay({ adapter: k.adapter, lines, marketOf, skipDelta: 30 });
    expect(breaks(holed)).toEqual([
      expect.objectContaining({
        reason: "gap",
        fromSeq: holed.skipped!.prevSeq,
        toSeq: holed.fed.get(k.market)![31]!.seq,
      }),
    ]);
    expect(holed.outputs.at(-1)).toEqual({ kind: "need-snapshot" });
  });

  test("a sequence reset (seqId lower than its prevSeqId after maintenance) follows; a repeat is stale", () => {
    const k = FILES[0]!;
    const lines = modernize(readLines(k.file), 50);
    const r = replay({ adapter: k.adapter, lines, marketOf });
    const fed = r.fed.get(k.market)!;
    const reset = fed.find((m) => m.prevSeq !== null && m.seq < m.prevSeq)!;
    expect(reset.seq).toBe(3);
    expect(breaks(r)).toEqual([]);
    expect(r.syncs.get(k.market)!.book.top(5)).toEqual({ bids: levels(k.bids), asks: levels(k.asks) });
    // a repeated update after sync is ignored, not a gap
    const sync = new BookSync(okxSpot.bookSync!);
    const [snap, u1, u2] = fed as [Book, Book, Book];
    sync.onMessage(snap);
    sync.onMessage(u1);
    sync.onMessage(u2);
    expect(sync.onMessage(u1)).toEqual([]);
    expect(sync.synced).toBe(true);
  });

  test("an update with neither prevSeqId nor checksum cannot be proven and breaks the book", () => {
    const sync = new BookSync(okxSpot.bookSync!);
    const base: Book = {
      type: "book",
      exchange: "okx",
      market: "BTC-USDT",
      symbol: "BTC-USDT",
      ts: 1,
      recvTs: 1,
      kind: "snapshot",
      seq: 1,
      prevSeq: null,
      bids: [[1, 1]],
      asks: [[2, 1]],
    };
    sync.onMessage(base);
    const out = sync.onMessage({ ...base, kind: "delta", seq: 2, bids: [[1, 2]] });
    expect(out.map((o) => o.kind)).toEqual(["break", "need-snapshot"]);
  });

  test("OKX's keepalive (no levels, seqId == prevSeqId) never reaches the book", () => {
    const frame = JSON.stringify({
      arg: { channel: "books", instId: "BTC-USDT" },
      action: "update",
      data: [{ asks: [], bids: [], ts: "1", checksum: 0, seqId: 5, prevSeqId: 5 }],
    });
    const r = okxSpot.parseFrame(frame, { recvTs: 1, marketOf, state: new Map() });
    expect(r.kind).not.toBe("data");
  });
});
