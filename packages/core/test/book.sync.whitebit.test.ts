import { describe, expect, test } from "bun:test";
import { whitebit } from "../src/exchanges/whitebit/index.ts";
import { breaks, readLines, replay } from "./book-replay.ts";

/**
 * WhiteBIT has no recorded depth stream in test/fixtures: only the documentation's incremental
 * `depth_update` (ws_docs_examples.jsonl, update_id 214403 after past_update_id 214399). It is
 * replayed here after a full-book push in the documented format, followed by frames in the same
 * format that exercise the rules: the past_update_id chain, the limit truncation and the keepalive
 * snapshot WhiteBIT re-sends after 10 s without a change.
 */

const docsDelta = readLines("whitebit/ws_docs_examples.jsonl").find((l) => l.includes('"depth_update"'))!;

type Rows = Array<[string, string]>;
const push = (
  full: boolean,
  book: { update_id: number; past_update_id?: number; asks?: Rows; bids?: Rows },
) =>
  JSON.stringify({
    id: null,
    method: "depth_update",
    params: [full, { timestamp: 1689600180.5164, event_time: 1749026542.817, ...book }, "ETH_USDT"],
  });

// the book the documented delta applies to: it deletes ask 0.020861 and bid 0.020800
const SNAPSHOT = push(true, {
  update_id: 214399,
  asks: [
    ["0.020861", "1.2"],
    ["0.020870", "3"],
  ],
  bids: [
    ["0.020844", "1"],
    ["0.020800", "7"],
    ["0.020700", "2"],
  ],
});
const NEXT = push(false, { update_id: 214410, past_update_id: 214403, bids: [["0.020850", "0.5"]] });
// the book after SNAPSHOT, the docs' delta and NEXT, as WhiteBIT re-sends it when nothing changes
const KEEPALIVE_ROWS = {
  asks: [
    ["0.020870", "3"],
    ["0.020900", "2.5"],
  ] as Rows,
  bids: [
    ["0.020850", "0.5"],
    ["0.020844", "5.949"],
    ["0.020700", "2"],
  ] as Rows,
};
const KEEPALIVE = push(true, { update_id: 214410, ...KEEPALIVE_ROWS });

const run = (lines: string[]) => replay({ adapter: whitebit, lines });

describe("WhiteBIT book sync", () => {
  test("the documented delta chains onto its snapshot (past_update_id == previous update_id)", () => {
    const r = run([SNAPSHOT, docsDelta, NEXT]);
    expect(breaks(r)).toEqual([]);
    expect(r.outputs.map((o) => o.kind)).toEqual(["snapshot", "delta", "delta"]);
    const sync = r.syncs.get("ETH-USDT")!;
    expect(sync.seq).toBe(214410);
    expect(sync.book.top(5)).toEqual({
      bids: [
        [0.02085, 0.5],
        [0.020844, 5.949],
        [0.0207, 2],
      ],
      asks: [
        [0.02087, 3],
        [0.0209, 2.5],
      ],
    });
  });

  test("the keepalive snapshot equal to the book is proof, not news: nothing is published", () => {
    const r = run([SNAPSHOT, docsDelta, NEXT, KEEPALIVE]);
    expect(r.outputs.map((o) => o.kind)).toEqual(["snapshot", "delta", "delta"]);
    // the chain goes on from the keepalive's update_id
    const after = run([
      SNAPSHOT,
      docsDelta,
      NEXT,
      KEEPALIVE,
      push(false, { update_id: 214420, past_update_id: 214410, asks: [["0.020870", "0"]] }),
    ]);
    expect(after.outputs.at(-1)).toMatchObject({ kind: "delta", book: { seq: 214420, prevSeq: 214410 } });
    expect(breaks(after)).toEqual([]);
  });

  test("a keepalive snapshot that differs from the book is reported as a reset, then replaces it", () => {
    // the docs' delta is lost: the book still holds ask 0.020861 and bid 0.020800
    const r = run([
      SNAPSHOT,
      push(false, { update_id: 214410, past_update_id: 214399, bids: [["0.020850", "0.5"]] }),
      KEEPALIVE,
    ]);
    const out = r.outputs.map((o) => o.kind);
    expect(out).toEqual(["snapshot", "delta", "break", "snapshot"]);
    expect(breaks(r)[0]).toMatchObject({ reason: "reset", fromSeq: 214410, toSeq: 214410 });
    expect(r.syncs.get("ETH-USDT")!.book.top(1).asks).toEqual([[0.02087, 3]]);
  });

  test("a deliberate hole (the documented delta lost) is a gap", () => {
    const r = run([SNAPSHOT, NEXT]);
    expect(breaks(r)).toEqual([expect.objectContaining({ reason: "gap", fromSeq: 214399, toSeq: 214410 })]);
    expect(r.outputs.at(-1)).toEqual({ kind: "need-snapshot" });
    expect(r.syncs.get("ETH-USDT")!.synced).toBe(false);
  });

  test("the book is truncated to the subscribed limit (100) after every update", () => {
    const asks: Rows = Array.from({ length: 100 }, (_, i) => [(1 + i / 1000).toFixed(3), "1"]);
    const bids: Rows = Array.from({ length: 100 }, (_, i) => [(0.9 - i / 1000).toFixed(3), "1"]);
    const r = run([
      push(true, { update_id: 1, asks, bids }),
      push(false, { update_id: 2, past_update_id: 1, asks: [["0.999", "1"]], bids: [["0.901", "1"]] }),
    ]);
    const book = r.syncs.get("ETH-USDT")!.book;
    expect([book.bids.size, book.asks.size]).toEqual([100, 100]);
    expect(book.asks.get(1.099)).toBeUndefined(); // pushed out of the 100
    expect(whitebit.bookSync).toMatchObject({ snapshotFrom: "stream", depth: 100, compareSnapshots: true });
  });
});
