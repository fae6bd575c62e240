import { describe, expect, test } from "bun:test";
import { BookSync, type SyncOutput } from "../src/book/sync.ts";
import { binance, guessMarket } from "../src/exchanges/binance/index.ts";
import type { Book } from "../src/schemas/messages.ts";
import { readJson, readLines } from "./fixtures.ts";

/**
 * Replays recorded Binance spot diffs through BookSync with the REST snapshot arriving where it did
 * in the recording, and checks the known answers computed from the same data (PROVENANCE.md).
 */
function replay(ws: string, snapshot: string, snapshotAfterLine: number) {
  const ctx = { recvTs: 1, marketOf: guessMarket, state: new Map<string, unknown>() };
  const sync = new BookSync(binance.bookSync!);
  const outputs: SyncOutput[] = [];
  const lines = readLines(ws);
  lines.forEach((line, i) => {
    if (i === snapshotAfterLine) {
      const snap = binance.rest.parseDepth(readJson(snapshot), { recvTs: 1, market: "X-Y" });
      outputs.push(...sync.onRestSnapshot(snap));
    }
    const r = binance.parseFrame(line, ctx);
    if (r.kind !== "data") return;
    for (const m of r.messages) if (m.type === "book") outputs.push(...sync.onMessage(m as Book));
  });
  return { sync, outputs };
}

const top = (levels: Array<[number, number]>) => levels.map(([p, a]) => [p, a]);

describe("Binance spot book sync on recorded data", () => {
  test("NKNUSDT: bridges the snapshot and ends at the known book", () => {
    const { sync, outputs } = replay(
      "binance/spot_NKNUSDT_ws.jsonl",
      "binance/spot_NKNUSDT_rest_depth_snapshot.json",
      1,
    );
    expect(outputs.filter((o) => o.kind === "break")).toEqual([]);
    expect(outputs.filter((o) => o.kind === "snapshot")).toHaveLength(1);
    // The snapshot is published on arrival (the one earlier diff was stale); then the 149 diffs
    // the known answer counts, the first of them bridging the snapshot.
    expect(outputs.filter((o) => o.kind === "delta")).toHaveLength(149);
    expect(sync.seq).toBe(499870179);
    const book = sync.book.top(5);
    expect(top(book.bids)).toEqual([
      [0.3527, 9602],
      [0.3526, 2829],
      [0.3525, 1850],
      [0.3524, 3421],
      [0.3522, 7231],
    ]);
    expect(book.asks[0]).toEqual([0.3531, 152]);
  });

  test("published deltas are continuous: each prevSeq is the previous message's seq", () => {
    const { outputs } = replay(
      "binance/spot_NKNUSDT_ws.jsonl",
      "binance/spot_NKNUSDT_rest_depth_snapshot.json",
      1,
    );
    let last: number | null = null;
    for (const o of outputs) {
      if (o.kind === "snapshot") last = o.book.seq;
      if (o.kind === "delta") {
        expect(o.book.prevSeq).toBe(last);
        last = o.book.seq;
      }
    }
  });

  test("a deliberate hole is detected and only this market resyncs", () => {
    const ctx = { recvTs: 1, marketOf: guessMarket, state: new Map<string, unknown>() };
    const sync = new BookSync(binance.bookSync!);
    const lines = readLines("binance/spot_NKNUSDT_ws.jsonl");
    const snap = binance.rest.parseDepth(readJson("binance/spot_NKNUSDT_rest_depth_snapshot.json"), {
      recvTs: 1,
      market: "NKN-USDT",
    });
    sync.onRestSnapshot(snap);
    const deltas = lines
      .map((l) => binance.parseFrame(l, ctx))
      .flatMap((r) => (r.kind === "data" ? r.messages : []))
      .filter((m): m is Book => m.type === "book");
    const outputs: SyncOutput[] = [];
    deltas.forEach((d, i) => {
      if (i !== 60) outputs.push(...sync.onMessage(d)); // drop one diff
    });
    const breaks = outputs.filter((o) => o.kind === "break");
    expect(breaks).toHaveLength(1);
    expect(breaks[0]).toMatchObject({ reason: "gap", fromSeq: deltas[59]!.seq, toSeq: deltas[61]!.seq });
    expect(outputs.filter((o) => o.kind === "need-snapshot").length).toBeGreaterThanOrEqual(1);
    expect(sync.synced).toBe(false);
  });

  test("never applies a delta before its snapshot", () => {
    const sync = new BookSync(binance.bookSync!);
    const d: Book = {
      type: "book",
      exchange: "binance",
      market: "A-B",
      symbol: "AB",
      ts: 1,
      recvTs: 1,
      kind: "delta",
      seq: 10,
      prevSeq: 9,
      bids: [[1, 1]],
      asks: [],
    };
    expect(sync.onMessage(d)).toEqual([{ kind: "need-snapshot" }]);
    expect(sync.book.empty).toBe(true);
    // A snapshot older than the buffered delta cannot be bridged: fetch again.
    const old: Book = { ...d, kind: "snapshot", seq: 5, prevSeq: null, bids: [[1, 2]], asks: [[2, 1]] };
    expect(sync.onRestSnapshot(old)).toEqual([{ kind: "need-snapshot" }]);
    const fresh: Book = { ...old, seq: 9 };
    const out = sync.onRestSnapshot(fresh);
    expect(out).toHaveLength(1);
    expect(out[0]).toMatchObject({ kind: "snapshot", book: { seq: 10, bids: [[1, 1]], asks: [[2, 1]] } });
  });

  test("a crossed book is a break", () => {
    const sync = new BookSync(binance.bookSync!);
    const base: Book = {
      type: "book",
      exchange: "binance",
      market: "A-B",
      symbol: "AB",
      ts: 1,
      recvTs: 1,
      kind: "snapshot",
      seq: 1,
      prevSeq: null,
      bids: [[1, 1]],
      asks: [[2, 1]],
    };
    sync.onRestSnapshot(base);
    sync.onMessage({ ...base, kind: "delta", seq: 2, prevSeq: 1, bids: [], asks: [] });
    const out = sync.onMessage({ ...base, kind: "delta", seq: 3, prevSeq: 2, bids: [[2.5, 1]], asks: [] });
    expect(out[0]).toMatchObject({ kind: "break", reason: "crossed" });
  });
});
