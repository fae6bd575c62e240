import { describe, expect, test } from "bun:test";
import { BookSync } from "../src/book/sync.ts";
import { type ExactLevel, kraken, krakenBookSync, krakenChecksum } from "../src/exchanges/kraken/index.ts";
import type { Book } from "../src/schemas/messages.ts";
import { breaks, levels, readLines, replay } from "./book-replay.ts";

/**
 * Kraken `book-1000` v1 recordings (test/fixtures/kraken; the adapter parses v1 as well as v2)
 * replayed through BookSync with Kraken's rules at the recorded depth: every update carries
 * Kraken's CRC32 of the top 10 levels, and every one must pass on the rebuilt book; the final top 5
 * must equal the known answers in PROVENANCE.md.
 */

const FILES = [
  {
    file: "kraken/v1_book1000_WAVESEUR_ws.jsonl",
    market: "WAVES-EUR",
    updates: 576,
    bids: [
      ["13.233000", "651.13730823"],
      ["13.232900", "102.00000000"],
      ["13.231900", "25.92000000"],
      ["13.226200", "134.79000000"],
      ["13.223000", "96.00000000"],
    ] as Array<[string, string]>,
    asks: [
      ["13.258100", "29.25957971"],
      ["13.264600", "103.00000000"],
      ["13.270600", "415.00000000"],
      ["13.275700", "2065.21000000"],
      ["13.276100", "4.17098583"],
    ] as Array<[string, string]>,
  },
  {
    file: "kraken/v1_book1000_XMRUSD_ws.jsonl",
    market: "XMR-USD",
    updates: 846,
    bids: [
      ["353.64000000", "30.30000000"],
      ["353.63000000", "5.00000000"],
      ["353.61000000", "6.86028723"],
      ["353.57000000", "7.57500000"],
      ["353.50000000", "3.11500000"],
    ] as Array<[string, string]>,
    asks: [
      ["354.48000000", "6.86050247"],
      ["354.57000000", "11.64000000"],
      ["354.67000000", "7.57500000"],
      ["354.76000000", "3.01559666"],
      ["355.04000000", "4.31705243"],
    ] as Array<[string, string]>,
  },
];

const rules = krakenBookSync(1000); // the recordings subscribed book-1000

describe("Kraken book sync on recorded data", () => {
  for (const k of FILES) {
    test(`${k.file}: all ${k.updates} checksums pass; the final book is the known one`, () => {
      const r = replay({ adapter: kraken, rules, lines: readLines(k.file) });
      const fed = r.fed.get(k.market)!;
      expect(fed.filter((m) => m.kind === "snapshot")).toHaveLength(1);
      expect(fed.filter((m) => m.kind === "delta" && m.checksum !== undefined)).toHaveLength(k.updates);
      // verify ran after each of them: a single mismatch would be a break
      expect(breaks(r)).toEqual([]);
      expect(r.outputs.map((o) => o.kind)).toEqual(["snapshot", ...Array(k.updates).fill("delta")]);
      const sync = r.syncs.get(k.market)!;
      expect(sync.book.top(5)).toEqual({ bids: levels(k.bids), asks: levels(k.asks) });
      expect(sync.book.bids.topExact(5)).toEqual(k.bids);
      expect(sync.book.asks.topExact(5)).toEqual(k.asks);
    });

    test(`${k.file}: a deliberate hole (one update frame lost) fails the next checksum`, () => {
      for (const skip of [3, 300]) {
        const r = replay({ adapter: kraken, rules, lines: readLines(k.file), skipDelta: skip });
        const fed = r.fed.get(k.market)!;
        const next = fed[skip + 1]!; // after the snapshot and the updates before the hole
        expect(breaks(r)).toEqual([expect.objectContaining({ reason: "checksum", toSeq: next.seq })]);
        expect(r.outputs.at(-1)).toEqual({ kind: "need-snapshot" });
        expect(r.syncs.get(k.market)!.synced).toBe(false);
      }
    });
  }

  test("the checksum's limit: a lost update below the top 10 shows only once that level reaches it", () => {
    const k = FILES[0]!;
    const lines = readLines(k.file);
    // update 1 (an ask below the top 10) is lost: found 40 updates later, when it matters
    const late = replay({ adapter: kraken, rules, lines, skipDelta: 1 });
    const fed = late.fed.get(k.market)!;
    expect(breaks(late)).toEqual([expect.objectContaining({ reason: "checksum", toSeq: fed[41]!.seq })]);
    // update 574 (deep in the book) is lost near the end of the recording: never seen
    const never = replay({ adapter: kraken, rules, lines, skipDelta: 574 });
    expect(breaks(never)).toEqual([]);
    expect(never.syncs.get(k.market)!.book.top(5)).toEqual({ bids: levels(k.bids), asks: levels(k.asks) });
  });

  test("the adapter's rules truncate to the subscribed depth (100), as Kraken expects", () => {
    expect(kraken.bookSync).toMatchObject({ snapshotFrom: "stream", depth: 100 });
  });

  test("truncation after every message: without it a level pushed out of scope breaks the checksum", () => {
    const asks10: ExactLevel[] = Array.from({ length: 10 }, (_, i) => [`${101 + i}.0`, "1.00000000"]);
    const bids10: ExactLevel[] = Array.from({ length: 10 }, (_, i) => [`${100 - i}.0`, "1.00000000"]);
    const msg = (
      kind: Book["kind"],
      seq: number,
      asks: ExactLevel[],
      bids: ExactLevel[],
      sum?: number,
    ): Book => ({
      type: "book",
      exchange: "kraken",
      market: "BTC-USD",
      symbol: "BTC/USD",
      ts: seq,
      recvTs: seq,
      kind,
      seq,
      prevSeq: kind === "snapshot" ? null : seq - 1,
      bids: levels(bids),
      asks: levels(asks),
      exact: { bids, asks },
      ...(sum !== undefined ? { checksum: sum } : {}),
    });
    // subscribed at depth 10: a better ask pushes 110 out of scope (no deletion is sent), then 101
    // is deleted and 111 comes into scope
    const after: ExactLevel[] = [["100.5", "2.00000000"], ...asks10.slice(1, 9), ["111.0", "4.00000000"]];
    const stream = [
      msg("snapshot", 1, asks10, bids10, krakenChecksum(asks10, bids10)),
      msg(
        "delta",
        2,
        [["100.5", "2.00000000"]],
        [],
        krakenChecksum([["100.5", "2.00000000"], ...asks10.slice(0, 9)], bids10),
      ),
      msg(
        "delta",
        3,
        [
          ["101.0", "0.00000000"],
          ["111.0", "4.00000000"],
        ],
        [],
        krakenChecksum(after, bids10),
      ),
    ];
    const right = new BookSync(krakenBookSync(10));
    expect(stream.flatMap((m) => right.onMessage(m)).map((o) => o.kind)).toEqual([
      "snapshot",
      "delta",
      "delta",
    ]);
    expect(right.book.asks.topExact(10)).toEqual(after);
    const wrong = new BookSync(krakenBookSync(1000));
    const out = stream.flatMap((m) => wrong.onMessage(m));
    expect(out.find((o) => o.kind === "break")).toMatchObject({ reason: "checksum", toSeq: 3 });
  });

  test("v2: the checksum on a snapshot is verified too (the docs' BTC/USD example)", () => {
    const frame = (checksum: number) =>
      `{"channel":"book","type":"snapshot","data":[{"symbol":"BTC/USD","bids":[{"price":45283.5,"qty":0.10000000},{"price":45283.4,"qty":1.54582015},{"price":45282.1,"qty":0.10000000},{"price":45281.0,"qty":0.10000000},{"price":45280.3,"qty":1.54592586},{"price":45279.0,"qty":0.07990000},{"price":45277.6,"qty":0.03310103},{"price":45277.5,"qty":0.30000000},{"price":45277.3,"qty":1.54602737},{"price":45276.6,"qty":0.15445238}],"asks":[{"price":45285.2,"qty":0.00100000},{"price":45286.4,"qty":1.54571953},{"price":45286.6,"qty":1.54571109},{"price":45289.6,"qty":1.54560911},{"price":45290.2,"qty":0.15890660},{"price":45291.8,"qty":1.54553491},{"price":45294.7,"qty":0.04454749},{"price":45296.1,"qty":0.35380000},{"price":45297.5,"qty":0.09945542},{"price":45299.5,"qty":0.18772827}],"checksum":${checksum},"timestamp":"2023-10-06T17:35:55.440295Z"}]}`;
    const run = (checksum: number) =>
      replay({ adapter: kraken, rules: krakenBookSync(10), lines: [frame(checksum)] }).outputs.map(
        (o) => o.kind,
      );
    expect(run(3310070434)).toEqual(["snapshot"]);
    expect(run(3310070435)).toEqual(["break", "need-snapshot"]);
  });
});
