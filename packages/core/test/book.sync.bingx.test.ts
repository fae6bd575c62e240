import { describe, expect, test } from "bun:test";
import { bingxSpot, bingxSwap } from "../src/exchanges/bingx/index.ts";
import { breaks, levels, readLines, replay } from "./book-replay.ts";

/**
 * BingX has no recorded `@incrDepth` sequence in test/fixtures (only one `depth20` partial book,
 * swap_ws_decoded_samples.jsonl). The incremental rule is shown on frames in the documented format
 * (spot: {price: qty} maps, swap: [[price, qty]] rows; action "all" then "update" with
 * lastUpdateId + 1); the recorded partial book goes through BookSync as what it is, a standalone
 * snapshot.
 */

const spotFrame = (action: string, id: number, asks: Record<string, string>, bids: Record<string, string>) =>
  JSON.stringify({
    code: 0,
    timestamp: 1769443327000 + id,
    success: true,
    dataType: "BTC-USDT@incrDepth",
    data: { action, lastUpdateId: id, asks, bids },
  });
const swapFrame = (
  action: string,
  id: number,
  bids: Array<[string, string]>,
  asks: Array<[string, string]>,
) =>
  JSON.stringify({
    code: 0,
    dataType: "BTC-USDT@incrDepth",
    data: { action, lastUpdateId: id, time: 1760002514979 + id, bids, asks },
  });

const SPOT = [
  spotFrame("all", 524996, { "87555.23": "1.5", "87556.35": "0.2" }, { "87549.60": "2", "87555.22": "1" }),
  spotFrame(
    "update",
    524997,
    { "87556.35": "0.004666", "87555.23": "0" },
    { "87555.22": "0", "87554.34": "0.001949" },
  ),
  spotFrame("update", 524998, { "87557.00": "3" }, { "87549.60": "2.5" }),
  spotFrame("update", 524999, { "87556.35": "0" }, {}),
];

describe("BingX incrDepth book sync", () => {
  test("spot: full depth, then updates whose lastUpdateId grows by 1", () => {
    const r = replay({ adapter: bingxSpot, lines: SPOT });
    expect(breaks(r)).toEqual([]);
    expect(r.outputs.map((o) => o.kind)).toEqual(["snapshot", "delta", "delta", "delta"]);
    const sync = r.syncs.get("BTC-USDT")!;
    expect(sync.seq).toBe(524999);
    expect(sync.book.top(5)).toEqual({
      bids: [
        [87554.34, 0.001949],
        [87549.6, 2.5],
      ],
      asks: [[87557, 3]],
    });
  });

  test("a deliberate hole (one update lost) is a gap; a repeated update is ignored", () => {
    const r = replay({ adapter: bingxSpot, lines: SPOT, skipDelta: 1 });
    expect(breaks(r)).toEqual([expect.objectContaining({ reason: "gap", fromSeq: 524997, toSeq: 524999 })]);
    expect(r.outputs.at(-1)).toEqual({ kind: "need-snapshot" });
    const dup = replay({ adapter: bingxSpot, lines: [...SPOT.slice(0, 3), SPOT[2]!, SPOT[3]!] });
    expect(breaks(dup)).toEqual([]);
    expect(dup.syncs.get("BTC-USDT")!.seq).toBe(524999);
  });

  test("a new full depth (after a resubscribe) replaces the book", () => {
    const r = replay({
      adapter: bingxSpot,
      lines: [...SPOT.slice(0, 2), SPOT[3]!, spotFrame("all", 600000, { "90000": "1" }, { "89999": "1" })],
    });
    expect(r.outputs.map((o) => o.kind)).toEqual(["snapshot", "delta", "break", "need-snapshot", "snapshot"]);
    expect(r.syncs.get("BTC-USDT")!.book.top(5)).toEqual({ bids: [[89999, 1]], asks: [[90000, 1]] });
  });

  test("swap: the same rule on [[price, qty]] rows", () => {
    const lines = [
      swapFrame(
        "all",
        393592634,
        [["121706.6", "16.8741"]],
        [
          ["121706.8", "4.7697"],
          ["122539.8", "0.0002"],
        ],
      ),
      swapFrame(
        "update",
        393592635,
        [
          ["121706.6", "0.0000"],
          ["121700.1", "1.5"],
        ],
        [],
      ),
      swapFrame("update", 393592637, [], [["121706.8", "0"]]), // 636 lost
    ];
    const r = replay({ adapter: bingxSwap, lines });
    expect(r.outputs.map((o) => o.kind)).toEqual(["snapshot", "delta", "break", "need-snapshot"]);
    expect(breaks(r)[0]).toMatchObject({ reason: "gap", fromSeq: 393592635, toSeq: 393592637 });
  });

  test("the recorded depth20 partial book (asks sent best last) is a standalone snapshot, sorted", () => {
    const line = readLines("bingx/swap_ws_decoded_samples.jsonl").find((l) => l.includes("@depth20"))!;
    const raw = JSON.parse(line).data as { bids: Array<[string, string]>; asks: Array<[string, string]> };
    const r = replay({ adapter: bingxSwap, lines: [line, line] });
    expect(breaks(r)).toEqual([]);
    expect(r.outputs.map((o) => o.kind)).toEqual(["snapshot", "snapshot"]);
    const book = r.syncs.get("ETH-USDT-PERP")!.book;
    expect(book.top(1)).toEqual({ bids: levels(raw.bids.slice(0, 1)), asks: levels(raw.asks.slice(-1)) });
    expect([book.bids.size, book.asks.size]).toEqual([20, 20]);
    expect(book.crossed).toBe(false);
  });
});
