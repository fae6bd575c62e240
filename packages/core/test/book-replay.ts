import { expect, test } from "bun:test";
import type { ExchangeAdapter, ParseContext } from "../src/adapter.ts";
import { BookSync, type BookSyncRules, type SyncOutput } from "../src/book/sync.ts";
import type { Bbo, Book, MarketMessage } from "../src/schemas/messages.ts";
import { readJson, readLines } from "./fixtures.ts";

/**
 * Replays a recorded book sequence through BookSync with an adapter's rules, the way the ingestor
 * runs it: one BookSync per market, frames in receive order, a REST snapshot (REST exchanges)
 * handed in after the frame it followed in the recording. Collects what the known answers in
 * test/fixtures/PROVENANCE.md count.
 */

export interface Replay {
  syncs: Map<string, BookSync>;
  outputs: SyncOutput[];
  /** Book messages fed to BookSync, per market, in order. */
  fed: Map<string, Book[]>;
  /** Diffs applied to a book (the bridging diff included). */
  applied: number;
  /** Book top after every applied stream message, by seq (for cross-checks against bbo messages). */
  topAt: Map<number, { bid: [number, number] | undefined; ask: [number, number] | undefined }>;
  bbos: Bbo[];
  /** The delta left out (skipDelta). */
  skipped?: Book;
}

export interface ReplayOptions {
  adapter: ExchangeAdapter;
  rules?: BookSyncRules;
  lines: string[];
  /** Market of an exchange symbol (default: the adapter's guess). */
  marketOf?: (symbol: string) => string | undefined;
  /** A REST snapshot body, handed in after this many lines. */
  rest?: { body: unknown; afterLines: number; market: string };
  /**
   * Leave out the frame that carries the n-th book delta (0-based, across markets), as if the
   * connection had lost it: a deliberate hole.
   */
  skipDelta?: number;
}

export function replay(o: ReplayOptions): Replay {
  const rules = o.rules ?? o.adapter.bookSync;
  if (!rules) throw new Error(`${o.adapter.id} ${o.adapter.marketType} has no bookSync`);
  const ctx: ParseContext = {
    recvTs: 1,
    marketOf: o.marketOf ?? ((s) => o.adapter.marketOfSymbol(s)),
    state: new Map(),
  };
  const r: Replay = { syncs: new Map(), outputs: [], fed: new Map(), applied: 0, topAt: new Map(), bbos: [] };
  const syncOf = (market: string) => {
    let s = r.syncs.get(market);
    if (!s) {
      s = new BookSync(rules);
      r.syncs.set(market, s);
      r.fed.set(market, []);
    }
    return s;
  };
  const record = (sync: BookSync, out: SyncOutput[], restSeq?: number) => {
    for (const x of out) {
      // a delta, or a snapshot made by the diff that bridged a REST snapshot
      if (x.kind === "delta" || (x.kind === "snapshot" && restSeq !== undefined && x.book.seq !== restSeq)) {
        r.applied++;
      }
    }
    // the book as it is now is the book after the last message only (a REST snapshot may apply
    // several buffered diffs at once)
    const last = out.findLast((x) => x.kind === "delta" || x.kind === "snapshot");
    if (last && (last.kind === "delta" || last.kind === "snapshot") && last.book.seq !== restSeq) {
      r.topAt.set(last.book.seq, { bid: sync.book.bids.top(1)[0], ask: sync.book.asks.top(1)[0] });
    }
    r.outputs.push(...out);
  };
  const lost = o.skipDelta === undefined ? undefined : frameOfDelta(o, o.skipDelta);
  r.skipped = lost?.delta;
  o.lines.forEach((line, i) => {
    if (o.rest && i === o.rest.afterLines) {
      const snap = o.adapter.rest.parseDepth(o.rest.body, { recvTs: 1, market: o.rest.market });
      const sync = syncOf(o.rest.market);
      record(sync, sync.onRestSnapshot(snap), snap.seq);
    }
    if (i === lost?.line) return; // never reaches the parser
    const res = o.adapter.parseFrame(line, ctx);
    if (res.kind !== "data") return;
    for (const m of res.messages as MarketMessage[]) {
      if (m.type === "bbo") r.bbos.push(m);
      if (m.type !== "book") continue;
      const sync = syncOf(m.market);
      r.fed.get(m.market)!.push(m);
      record(sync, sync.onMessage(m));
    }
  });
  return r;
}

/** The line that carries the n-th book delta, and the delta. */
function frameOfDelta(o: ReplayOptions, n: number): { line: number; delta: Book } {
  const ctx: ParseContext = {
    recvTs: 1,
    marketOf: o.marketOf ?? ((s) => o.adapter.marketOfSymbol(s)),
    state: new Map(),
  };
  let deltas = 0;
  for (const [i, line] of o.lines.entries()) {
    const res = o.adapter.parseFrame(line, ctx);
    if (res.kind !== "data") continue;
    for (const m of res.messages) {
      if (m.type === "book" && m.kind === "delta" && deltas++ === n) return { line: i, delta: m };
    }
  }
  throw new Error(`there is no book delta ${n}`);
}

/** Levels as the exchange printed them → numbers, for comparing with a book's top. */
export const levels = (rows: Array<[string, string]>): Array<[number, number]> =>
  rows.map(([p, a]) => [Number(p), Number(a)]);

export const breaks = (r: Replay) => r.outputs.filter((o) => o.kind === "break");

/** bbo messages whose seq is a book update id: each must equal the book's top right after it. */
export function bboCrossChecks(r: Replay): { passed: number; failed: Bbo[] } {
  let passed = 0;
  const failed: Bbo[] = [];
  for (const b of r.bbos) {
    const top = b.seq === undefined ? undefined : r.topAt.get(b.seq);
    if (!top) continue;
    const ok =
      top.bid?.[0] === b.bidPrice &&
      top.bid?.[1] === b.bidAmount &&
      top.ask?.[0] === b.askPrice &&
      top.ask?.[1] === b.askAmount;
    if (ok) passed++;
    else failed.push(b);
  }
  return { passed, failed };
}

/** A recorded book sequence's known answers (test/fixtures/PROVENANCE.md). */
export interface KnownBook {
  file: string;
  market: string;
  /** WS lines received before the REST snapshot arrived. */
  before: number;
  stale: number;
  applied: number;
  finalSeq: number;
  bids: Array<[string, string]>;
  asks: Array<[string, string]>;
  levels: [number, number];
  crossChecks: number;
}

export interface RecordedBookSuite {
  adapter: ExchangeAdapter;
  known: KnownBook[];
  /** Fixture paths of a known file's WS lines and of its REST snapshot body. */
  wsLines: (file: string) => string;
  restBody: (file: string) => string;
  /** The known file the continuity test replays. */
  continuityOf: number;
  /** The hole is the diff `stale + holeAfter` in (well after the bridge). */
  holeAfter: number;
}

/**
 * The tests every REST-snapshot exchange's recorded books pass (call inside a describe): each
 * file ends at its known book, published messages are continuous, a deliberate hole is a gap.
 */
export function recordedBookSyncTests(s: RecordedBookSuite): void {
  const run = (k: KnownBook, skipDelta?: number) =>
    replay({
      adapter: s.adapter,
      lines: readLines(s.wsLines(k.file)),
      rest: { body: readJson(s.restBody(k.file)), afterLines: k.before, market: k.market },
      skipDelta,
    });

  for (const k of s.known) {
    test(`${k.file}: bridges the REST snapshot and ends at the known book`, () => {
      const r = run(k);
      const sync = r.syncs.get(k.market)!;
      expect(breaks(r)).toEqual([]);
      expect(sync.synced).toBe(true);
      expect(r.applied).toBe(k.applied);
      expect(r.fed.get(k.market)!.length - r.applied).toBe(k.stale);
      expect(sync.seq).toBe(k.finalSeq);
      expect(sync.book.top(5)).toEqual({ bids: levels(k.bids), asks: levels(k.asks) });
      expect([sync.book.bids.size, sync.book.asks.size]).toEqual(k.levels);
      // the exchange's own best bid/ask at the same update id
      const x = bboCrossChecks(r);
      expect(x.failed).toEqual([]);
      expect(x.passed).toBe(k.crossChecks);
    });
  }

  test("published messages are continuous: each delta's prevSeq is the previous message's seq", () => {
    const k = s.known[s.continuityOf]!;
    const r = run(k);
    let last: number | null = null;
    for (const o of r.outputs) {
      if (o.kind === "snapshot") last = o.book.seq;
      if (o.kind === "delta") {
        expect(o.book.prevSeq).toBe(last);
        last = o.book.seq;
      }
    }
    expect(last).toBe(k.finalSeq);
  });

  for (const k of s.known) {
    test(`${k.file}: a deliberate hole (one diff left out) is a gap`, () => {
      const skip = k.stale + s.holeAfter;
      const r = run(k, skip);
      const hole = r.skipped!;
      const fed = r.fed.get(k.market)!;
      const next = fed[fed.findIndex((d) => d.prevSeq === hole.seq)]!;
      expect(next.prevSeq).toBe(hole.seq); // the diff after the hole names the missing one's u
      expect(breaks(r)).toEqual([
        expect.objectContaining({ reason: "gap", fromSeq: hole.prevSeq, toSeq: next.seq }),
      ]);
      expect(r.outputs.some((o) => o.kind === "need-snapshot")).toBe(true);
      expect(r.syncs.get(k.market)!.synced).toBe(false);
    });
  }
}

export { readJson, readLines };
