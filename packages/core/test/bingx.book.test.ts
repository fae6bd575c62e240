import { describe, expect, test } from "bun:test";
import type { ParseContext } from "../src/adapter.ts";
import { BookSync } from "../src/book/sync.ts";
import { bingxSpot, bingxSwap } from "../src/exchanges/bingx/index.ts";
import type { Book } from "../src/schemas/messages.ts";

/** BingX @incrDepth frames through the parser and the shared BookSync with BingX's rule. */

const ctx = (): ParseContext => ({
  recvTs: 1,
  marketOf: (s) => bingxSwap.marketOfSymbol(s),
  state: new Map(),
});

function book(frame: string, c: ParseContext): Book {
  const r = bingxSwap.parseFrame(frame, c);
  if (r.kind !== "data" || r.messages[0]?.type !== "book")
    throw new Error(`not a book: ${JSON.stringify(r)}`);
  return r.messages[0];
}

const incr = (action: "all" | "update", id: number, bids: string[][], asks: string[][]) =>
  JSON.stringify({
    code: 0,
    dataType: "BTC-USDT@incrDepth",
    data: { action, lastUpdateId: id, time: 1760002514979 + id, bids, asks },
  });

describe("bingx book sync", () => {
  test("both adapters take the snapshot from the stream", () => {
    expect(bingxSpot.bookSync?.snapshotFrom).toBe("stream");
    expect(bingxSwap.bookSync).toBe(bingxSpot.bookSync!);
  });

  test("full depth, +1 updates applied, a repeat ignored, a skipped id breaks and asks for a resubscribe", () => {
    const c = ctx();
    const sync = new BookSync(bingxSwap.bookSync!);
    const all = book(
      incr(
        "all",
        100,
        [
          ["100.0", "1"],
          ["99.0", "2"],
        ],
        [
          ["102.0", "1"],
          ["101.0", "3"],
        ],
      ),
      c,
    );
    expect(sync.onMessage(all).map((o) => o.kind)).toEqual(["snapshot"]);
    expect(sync.book.asks.best).toBe(101);
    const u1 = book(incr("update", 101, [["100.0", "0"]], [["101.0", "1.5"]]), c);
    expect(sync.onMessage(u1).map((o) => o.kind)).toEqual(["delta"]);
    expect([sync.book.bids.best, sync.seq]).toEqual([99, 101]);
    expect(sync.onMessage(u1)).toEqual([]); // repeated: stale, not a gap
    const u3 = book(incr("update", 103, [["98.0", "1"]], []), c);
    const out = sync.onMessage(u3);
    expect(out.map((o) => o.kind)).toEqual(["break", "need-snapshot"]);
    expect(out[0]).toMatchObject({ reason: "gap", fromSeq: 101, toSeq: 103 });
    expect(sync.synced).toBe(false);
    // the resubscription's full depth restarts the book
    const again = book(incr("all", 103, [["98.0", "1"]], [["101.0", "1"]]), c);
    expect(sync.onMessage(again).map((o) => o.kind)).toEqual(["snapshot"]);
    expect(sync.onMessage(book(incr("update", 104, [], [["101.0", "0"]]), c)).map((o) => o.kind)).toEqual([
      "delta",
    ]);
  });

  test("updates before the first full depth are not applied", () => {
    const sync = new BookSync(bingxSwap.bookSync!);
    const out = sync.onMessage(book(incr("update", 7, [["1", "1"]], []), ctx()));
    expect(out.map((o) => o.kind)).toEqual(["need-snapshot"]);
    expect(sync.book.bids.best).toBeUndefined();
  });
});
