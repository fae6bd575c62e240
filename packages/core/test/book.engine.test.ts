import { describe, expect, test } from "bun:test";
import { OrderBook } from "../src/book/order-book.ts";

/** Seeded PRNG (mulberry32) so a failure reproduces. */
function prng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The obvious implementation: a Map per side, sorted on every read. */
class ReferenceBook {
  bids = new Map<number, number>();
  asks = new Map<number, number>();
  constructor(private readonly depth = 0) {}
  apply(side: "bid" | "ask", price: number, amount: number) {
    const m = side === "bid" ? this.bids : this.asks;
    if (amount === 0) m.delete(price);
    else m.set(price, amount);
    if (this.depth > 0) this.truncate();
  }
  private truncate() {
    for (const [m, desc] of [
      [this.bids, true],
      [this.asks, false],
    ] as const) {
      if (m.size <= this.depth) continue;
      const keep = [...m.keys()].sort((x, y) => (desc ? y - x : x - y)).slice(0, this.depth);
      const kept = new Set(keep);
      for (const k of [...m.keys()]) if (!kept.has(k)) m.delete(k);
    }
  }
  top(n: number) {
    const sorted = (m: Map<number, number>, desc: boolean) =>
      [...m]
        .sort((x, y) => (desc ? y[0] - x[0] : x[0] - y[0]))
        .slice(0, n)
        .map(([p, a]) => [p, a] as [number, number]);
    return { bids: sorted(this.bids, true), asks: sorted(this.asks, false) };
  }
}

function randomUpdates(
  seed: number,
  count: number,
  onUpdate: (side: "bid" | "ask", price: number, amount: number) => void,
) {
  const r = prng(seed);
  let mid = 10_000;
  for (let i = 0; i < count; i++) {
    if (r() < 0.01) mid += Math.round((r() - 0.5) * 20);
    const side = r() < 0.5 ? "bid" : "ask";
    // Bids below mid, asks above (never crossed); ticks of 0.5.
    const offset = Math.floor(r() * 400) * 0.5 + 0.5;
    const price = side === "bid" ? mid - offset : mid + offset;
    const amount = r() < 0.3 ? 0 : Math.round(r() * 1000) / 100;
    onUpdate(side, price, amount);
  }
}

describe("OrderBook against a reference implementation", () => {
  test("two million random updates: same top 25 every 10k updates and the same full book at the end", () => {
    const book = new OrderBook();
    const ref = new ReferenceBook();
    let n = 0;
    randomUpdates(42, 2_000_000, (side, price, amount) => {
      book.apply(
        side === "bid" ? { bids: [[price, amount]], asks: [] } : { bids: [], asks: [[price, amount]] },
      );
      ref.apply(side, price, amount);
      if (++n % 10_000 === 0) expect(book.top(25)).toEqual(ref.top(25));
    });
    expect(book.top(100_000)).toEqual(ref.top(100_000));
    expect(book.bids.size).toBe(ref.bids.size);
    expect(book.asks.size).toBe(ref.asks.size);
  });

  test("truncation to the subscribed depth after every update", () => {
    const book = new OrderBook({ depth: 10 });
    const ref = new ReferenceBook(10);
    let n = 0;
    randomUpdates(7, 100_000, (side, price, amount) => {
      book.apply(
        side === "bid" ? { bids: [[price, amount]], asks: [] } : { bids: [], asks: [[price, amount]] },
      );
      ref.apply(side, price, amount);
      if (++n % 100 === 0) expect(book.top(10)).toEqual(ref.top(10));
    });
    expect(book.bids.size).toBeLessThanOrEqual(10);
  });
});

describe("OrderBook rules", () => {
  test("amount 0 deletes, a snapshot replaces, repeated levels in one update apply in order", () => {
    const book = new OrderBook();
    book.reset({
      bids: [
        [100, 1],
        [99, 2],
      ],
      asks: [[101, 1]],
    });
    book.apply({
      bids: [
        [99, 0],
        [98, 3],
        [98, 4],
      ],
      asks: [[102, 5]],
    });
    expect(book.top(5)).toEqual({
      bids: [
        [100, 1],
        [98, 4],
      ],
      asks: [
        [101, 1],
        [102, 5],
      ],
    });
    book.reset({ bids: [[50, 1]], asks: [[51, 1]] });
    expect(book.top(5)).toEqual({ bids: [[50, 1]], asks: [[51, 1]] });
  });

  test("detects a crossed book", () => {
    const book = new OrderBook();
    book.reset({ bids: [[100, 1]], asks: [[101, 1]] });
    expect(book.crossed).toBe(false);
    book.apply({ bids: [[101, 1]], asks: [] });
    expect(book.crossed).toBe(true);
  });

  test("keeps the exchange's exact strings beside the numbers", () => {
    const book = new OrderBook({ keepExact: true });
    book.reset({
      bids: [[0.1, 5]],
      asks: [[0.2, 1.5]],
      exact: { bids: [["0.10000", "5.00000000"]], asks: [["0.20000", "1.50000000"]] },
    });
    book.apply({ bids: [[0.1, 6]], asks: [], exact: { bids: [["0.10000", "6.00000000"]], asks: [] } });
    expect(book.bids.topExact(1)).toEqual([["0.10000", "6.00000000"]]);
    expect(book.asks.topExact(1)).toEqual([["0.20000", "1.50000000"]]);
  });
});

describe("BookReplica", () => {
  const base = { type: "book" as const, exchange: "x", market: "A-B", symbol: "AB", ts: 1, recvTs: 1 };
  test("applies a continuous stream and waits for a snapshot after a hole", async () => {
    const { BookReplica } = await import("../src/book/replica.ts");
    const r = new BookReplica();
    expect(r.apply({ ...base, kind: "delta", seq: 2, prevSeq: 1, bids: [[1, 1]], asks: [] })).toBe(false);
    expect(
      r.apply({ ...base, kind: "snapshot", seq: 5, prevSeq: null, bids: [[1, 1]], asks: [[2, 1]] }),
    ).toBe(true);
    expect(r.apply({ ...base, kind: "delta", seq: 6, prevSeq: 5, bids: [[1, 3]], asks: [] })).toBe(true);
    expect(r.book.top(1).bids).toEqual([[1, 3]]);
    expect(r.apply({ ...base, kind: "delta", seq: 9, prevSeq: 8, bids: [], asks: [] })).toBe(false);
    expect(r.synced).toBe(false);
    expect(r.holeCount).toBe(1);
    expect(r.snapshot({ ...base, recvTs: 1 }, 5)).toBeUndefined();
    r.apply({ ...base, kind: "snapshot", seq: 10, prevSeq: null, bids: [[1, 2]], asks: [[2, 2]] });
    expect(r.snapshot({ ...base, recvTs: 1 }, 5)).toMatchObject({
      kind: "snapshot",
      seq: 10,
      bids: [[1, 2]],
    });
  });
});
