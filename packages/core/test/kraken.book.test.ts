import { describe, expect, test } from "bun:test";
import type { ParseContext } from "../src/adapter.ts";
import {
  applyKrakenBook,
  checksumField,
  checksumInput,
  crc32,
  createKrakenBook,
  type ExactLevel,
  type KrakenBook,
  kraken,
  krakenBookChecksum,
  krakenChecksum,
  marketOfSymbol,
  verifyKrakenBook,
} from "../src/exchanges/kraken/index.ts";
import type { Book } from "../src/schemas/messages.ts";
import { readLines } from "./fixtures.ts";

function ctx(): ParseContext {
  return { recvTs: 1_800_000_000_000, marketOf: (s) => marketOfSymbol(s), state: new Map() };
}

/** A normalized book message built from exact strings (as the parsers make them). */
function book(kind: Book["kind"], asks: ExactLevel[], bids: ExactLevel[], checksum?: number): Book {
  const lv = (rows: ExactLevel[]) => rows.map(([p, q]): [number, number] => [Number(p), Number(q)]);
  return {
    type: "book",
    exchange: "kraken",
    market: "BTC-USD",
    symbol: "BTC/USD",
    ts: 1,
    recvTs: 1,
    kind,
    seq: 1,
    prevSeq: null,
    bids: lv(bids),
    asks: lv(asks),
    ...(checksum !== undefined ? { checksum } : {}),
    exact: { bids, asks },
  };
}

const top = (b: KrakenBook, side: "bids" | "asks", n = 5) => b[side].slice(0, n).map((l) => l.exact);

describe("checksum function", () => {
  test("CRC-32 (IEEE) check value and Kraken's field formatting", () => {
    expect(crc32("123456789")).toBe(0xcbf43926);
    expect(crc32("")).toBe(0);
    // the guide's examples
    expect(checksumField("45285.2")).toBe("452852");
    expect(checksumField("0.00100000")).toBe("100000");
    expect(checksumField("0.05000")).toBe("5000");
    expect(checksumField("0.00000304")).toBe("304");
    expect(checksumField("100.0")).toBe("1000");
    expect(checksumInput([["0.05000", "0.00000304"]], [])).toBe("5000304");
  });

  test("the v2 guide's BTC/USD snapshot: checksum 3310070434", () => {
    const r = kraken.parseFrame(
      '{"channel":"book","type":"snapshot","data":[{"symbol":"BTC/USD","bids":[{"price":45283.5,"qty":0.10000000},{"price":45283.4,"qty":1.54582015},{"price":45282.1,"qty":0.10000000},{"price":45281.0,"qty":0.10000000},{"price":45280.3,"qty":1.54592586},{"price":45279.0,"qty":0.07990000},{"price":45277.6,"qty":0.03310103},{"price":45277.5,"qty":0.30000000},{"price":45277.3,"qty":1.54602737},{"price":45276.6,"qty":0.15445238}],"asks":[{"price":45285.2,"qty":0.00100000},{"price":45286.4,"qty":1.54571953},{"price":45286.6,"qty":1.54571109},{"price":45289.6,"qty":1.54560911},{"price":45290.2,"qty":0.15890660},{"price":45291.8,"qty":1.54553491},{"price":45294.7,"qty":0.04454749},{"price":45296.1,"qty":0.35380000},{"price":45297.5,"qty":0.09945542},{"price":45299.5,"qty":0.18772827}],"checksum":3310070434,"timestamp":"2023-10-06T17:35:55.440295Z"}]}',
      ctx(),
    );
    if (r.kind !== "data") throw new Error(`expected data, got ${r.kind}`);
    const msg = r.messages[0] as Book;
    expect(msg.exact!.asks[0]).toEqual(["45285.2", "0.00100000"]);
    expect(msg.exact!.bids[3]).toEqual(["45281.0", "0.10000000"]);
    expect(krakenChecksum(msg.exact!.asks, msg.exact!.bids)).toBe(3310070434);
    const b = applyKrakenBook(createKrakenBook(10), msg);
    expect(verifyKrakenBook(b, msg)).toBe(true);
    // the same book printed the way JSON.parse would print it does not match: exact strings matter
    const lossy = msg.asks.map(([p, q]): ExactLevel => [String(p), String(q)]);
    const lossyBids = msg.bids.map(([p, q]): ExactLevel => [String(p), String(q)]);
    expect(krakenChecksum(lossy, lossyBids)).not.toBe(3310070434);
  });
});

describe("every checksum Kraken sent in the v1 recordings passes on the rebuilt book", () => {
  const cases = [
    {
      file: "kraken/v1_book1000_WAVESEUR_ws.jsonl",
      deltas: 576,
      bids: [
        ["13.233000", "651.13730823"],
        ["13.232900", "102.00000000"],
        ["13.231900", "25.92000000"],
        ["13.226200", "134.79000000"],
        ["13.223000", "96.00000000"],
      ],
      asks: [
        ["13.258100", "29.25957971"],
        ["13.264600", "103.00000000"],
        ["13.270600", "415.00000000"],
        ["13.275700", "2065.21000000"],
        ["13.276100", "4.17098583"],
      ],
    },
    {
      file: "kraken/v1_book1000_XMRUSD_ws.jsonl",
      deltas: 846,
      bids: [
        ["353.64000000", "30.30000000"],
        ["353.63000000", "5.00000000"],
        ["353.61000000", "6.86028723"],
        ["353.57000000", "7.57500000"],
        ["353.50000000", "3.11500000"],
      ],
      asks: [
        ["354.48000000", "6.86050247"],
        ["354.57000000", "11.64000000"],
        ["354.67000000", "7.57500000"],
        ["354.76000000", "3.01559666"],
        ["355.04000000", "4.31705243"],
      ],
    },
  ];

  function replay(file: string, depth: number) {
    const c = ctx();
    const b = createKrakenBook(depth);
    let verified = 0;
    let failed = 0;
    let snapshots = 0;
    for (const line of readLines(file)) {
      const r = kraken.parseFrame(line, c);
      if (r.kind !== "data") continue;
      for (const m of r.messages) {
        if (m.type !== "book") continue;
        applyKrakenBook(b, m);
        if (m.kind === "snapshot") snapshots++;
        const ok = verifyKrakenBook(b, m);
        if (ok === true) verified++;
        if (ok === false) failed++;
      }
    }
    return { b, verified, failed, snapshots };
  }

  for (const k of cases) {
    test(`${k.file}: ${k.deltas} of ${k.deltas} verified; final top 5 as PROVENANCE's known answers`, () => {
      const { b, verified, failed, snapshots } = replay(k.file, 1000);
      expect(snapshots).toBe(1);
      expect(failed).toBe(0);
      expect(verified).toBe(k.deltas);
      expect(top(b, "bids")).toEqual(k.bids as ExactLevel[]);
      expect(top(b, "asks")).toEqual(k.asks as ExactLevel[]);
    });

    test(`${k.file}: a book kept at the wrong depth (10) fails the exchange's checksums`, () => {
      const { failed } = replay(k.file, 10);
      expect(failed).toBeGreaterThan(k.deltas / 2);
    });
  }
});

describe("applyKrakenBook rules", () => {
  const asks10: ExactLevel[] = Array.from({ length: 10 }, (_, i) => [`${101 + i}.0`, "1.00000000"]);
  const bids10: ExactLevel[] = Array.from({ length: 10 }, (_, i) => [`${100 - i}.0`, "1.00000000"]);

  test("a snapshot replaces the book; levels are kept best first", () => {
    const b = createKrakenBook(10);
    applyKrakenBook(b, book("snapshot", [["200.0", "1"]], [["1.0", "1"]]));
    applyKrakenBook(b, book("snapshot", [...asks10].reverse(), bids10));
    expect(b.asks.map((l) => l.price)).toEqual([101, 102, 103, 104, 105, 106, 107, 108, 109, 110]);
    expect(b.bids.map((l) => l.price)).toEqual([100, 99, 98, 97, 96, 95, 94, 93, 92, 91]);
    expect(krakenBookChecksum(b)).toBe(krakenChecksum(asks10, bids10));
  });

  test("truncation to the subscribed depth after each message (no deletions for levels pushed out)", () => {
    // The exchange side, subscribed at depth 10: asks 101..110 in scope, 111 beyond it.
    const snapshot = book("snapshot", asks10, bids10);
    // 1. a better ask pushes 110 out of scope: Kraken sends no deletion for 110
    const insert = book("delta", [["100.5", "2.00000000"]], []);
    // 2. (110 is then cancelled out of scope: nothing is sent)
    // 3. 101 is deleted and 111 comes into scope
    const expectedAsks: ExactLevel[] = [
      ["100.5", "2.00000000"],
      ...asks10.slice(1, 9),
      ["111.0", "4.00000000"],
    ];
    const remove = book(
      "delta",
      [
        ["101.0", "0.00000000"],
        ["111.0", "4.00000000"],
      ],
      [],
      krakenChecksum(expectedAsks, bids10),
    );
    const truncated = createKrakenBook(10);
    const untruncated = createKrakenBook(1000);
    for (const b of [truncated, untruncated]) {
      applyKrakenBook(b, snapshot);
      applyKrakenBook(b, insert);
    }
    expect(truncated.asks).toHaveLength(10);
    expect(truncated.asks.at(-1)!.price).toBe(109);
    expect(untruncated.asks).toHaveLength(11);
    applyKrakenBook(truncated, remove);
    applyKrakenBook(untruncated, remove);
    expect(top(truncated, "asks", 10)).toEqual(expectedAsks);
    expect(verifyKrakenBook(truncated, remove)).toBe(true);
    // the untruncated book still holds the stale 110 in its top 10
    expect(verifyKrakenBook(untruncated, remove)).toBe(false);
  });

  test("several updates of one level in a message apply in order; deleting an absent level is a no-op", () => {
    const b = createKrakenBook(10);
    applyKrakenBook(b, book("snapshot", asks10, bids10));
    const before = krakenBookChecksum(b);
    applyKrakenBook(b, book("delta", [], [["42.0", "0.00000000"]]));
    expect(krakenBookChecksum(b)).toBe(before);
    applyKrakenBook(
      b,
      book(
        "delta",
        [],
        [
          ["100.0", "5.00000000"],
          ["100.0", "0.00000000"],
          ["100.0", "7.50000000"],
        ],
      ),
    );
    expect(b.bids[0]!.exact).toEqual(["100.0", "7.50000000"]);
    expect(b.bids).toHaveLength(10);
  });

  test("a message without exact strings falls back to the numbers (checksum then best effort)", () => {
    const b = createKrakenBook(10);
    const m = book("snapshot", [["1.5", "2"]], [["1.0", "3"]]);
    delete m.exact;
    applyKrakenBook(b, m);
    expect(b.asks[0]!.exact).toEqual(["1.5", "2"]);
    expect(verifyKrakenBook(b, m)).toBeUndefined();
  });
});
