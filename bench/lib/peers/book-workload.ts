import { type Book, OrderBook } from "@tickerplant/core";
import { Prng } from "@tickerplant/testkit";
import type { RecordedBook } from "./book-recordings.ts";

/**
 * Synthetic book-update streams for books deeper than the recordings, with the level distribution
 * measured on the recordings: for every recorded level update, what it did (changed an amount,
 * deleted a level, inserted one, deleted a level the book did not hold) and at which rank from the
 * best price; and how many levels each message carried. The generator replays those draws on a
 * seeded book of the wanted depth, so updates concentrate near the top as they do on the venues.
 */

export type Action = "modify" | "delete" | "insert" | "delete-missing";

export interface LevelDistribution {
  /** One entry per recorded level update. */
  draws: Array<{ action: Action; rank: number }>;
  /** Levels per recorded delta message. */
  levelsPerMessage: number[];
  recordings: number;
}

/** Rank = index of the price in the best-first side, or where it would be inserted. */
function rankOf(prices: Array<[number, number]>, price: number, bid: boolean): number {
  let lo = 0;
  let hi = prices.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const p = prices[mid]![0];
    if (bid ? p > price : p < price) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export function measureDistribution(recordings: RecordedBook[]): LevelDistribution {
  const draws: LevelDistribution["draws"] = [];
  const levelsPerMessage: number[] = [];
  for (const r of recordings) {
    const book = new OrderBook();
    book.reset(r.snapshot);
    for (const m of r.applied) {
      levelsPerMessage.push(m.bids.length + m.asks.length);
      for (const [sideName, levels] of [
        ["bids", m.bids],
        ["asks", m.asks],
      ] as const) {
        const side = book[sideName];
        const all = side.top(side.size);
        for (const [price, amount] of levels) {
          const rank = rankOf(all, price, sideName === "bids");
          const held = all[rank]?.[0] === price;
          const action: Action =
            amount === 0 ? (held ? "delete" : "delete-missing") : held ? "modify" : "insert";
          draws.push({ action, rank });
        }
      }
      book.apply(m);
    }
  }
  return { draws, levelsPerMessage, recordings: recordings.length };
}

export interface Workload {
  depth: number;
  snapshot: Book;
  deltas: Book[];
  /** The same deltas with the exchange-string form of every level (for books that keep it). */
  exactDeltas: Book[];
  exactSnapshot: Book;
  levelUpdates: number;
}

const TICK = 100; // prices are ticks / 100: 10000.00 ± …

const price = (tick: number) => tick / TICK;

/** One side of the generator's true book: ticks best-first. */
class SideTicks {
  ticks: number[] = [];
  constructor(readonly bid: boolean) {}
  /** Index of a free tick at or behind `rank`, searching deeper; -1 when none is free. */
  freeAt(rank: number, inside: number): number {
    const t = this.ticks;
    for (let r = Math.min(rank, t.length); r <= t.length; r++) {
      const better = r === 0 ? inside : t[r - 1]!;
      const worse = r === t.length ? (this.bid ? better - 3 : better + 3) : t[r]!;
      const gap = Math.abs(worse - better);
      if (gap >= 2) return this.bid ? better - 1 : better + 1;
      if (r === t.length) return this.bid ? better - 1 : better + 1;
    }
    return -1;
  }
  insert(tick: number): void {
    const t = this.ticks;
    let lo = 0;
    let hi = t.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.bid ? t[mid]! > tick : t[mid]! < tick) lo = mid + 1;
      else hi = mid;
    }
    t.splice(lo, 0, tick);
  }
}

const MID = 1_000_000;

/**
 * A seeded stream of `levelUpdates` level updates on a book of `depth` levels per side, drawn from
 * `dist`. Every message is a delta with seq = previous seq + 1 (prevSeq = seq − 1) after a
 * snapshot at seq 1000.
 */
export function generateWorkload(
  dist: LevelDistribution,
  depth: number,
  levelUpdates: number,
  seed = 1,
): Workload {
  const prng = new Prng(seed);
  const amount = () => Math.max(1, Math.round(Math.exp(prng.normal() * 0.8) * 1000)) / 1000;
  const sides = { bids: new SideTicks(true), asks: new SideTicks(false) };
  // initial book: levels 1–3 ticks apart, a 2-tick spread
  for (const [name, s] of Object.entries(sides)) {
    let tick = name === "bids" ? MID - 1 : MID + 1;
    for (let i = 0; i < depth; i++) {
      s.ticks.push(tick);
      tick += (name === "bids" ? -1 : 1) * prng.int(1, 3);
    }
  }
  const base = {
    type: "book" as const,
    exchange: "binance",
    market: "BTC-USDT",
    symbol: "BTCUSDT",
    ts: 1_700_000_000_000,
    recvTs: 1_700_000_000_000,
  };
  const level = (t: number, a: number): [number, number] => [price(t), a];
  const exactOf = (levels: Array<[number, number]>): Array<[string, string]> =>
    levels.map(([p, a]) => [p.toFixed(2), a.toFixed(3)]);
  const snapshot: Book = {
    ...base,
    kind: "snapshot",
    seq: 1000,
    prevSeq: null,
    bids: sides.bids.ticks.map((t) => level(t, amount())),
    asks: sides.asks.ticks.map((t) => level(t, amount())),
  };
  const deltas: Book[] = [];
  let seq = 1000;
  let made = 0;
  while (made < levelUpdates) {
    const n = dist.levelsPerMessage[prng.int(0, dist.levelsPerMessage.length - 1)]!;
    const bids: Array<[number, number]> = [];
    const asks: Array<[number, number]> = [];
    for (let i = 0; i < n && made < levelUpdates; i++, made++) {
      const bid = prng.chance(0.5);
      const s = bid ? sides.bids : sides.asks;
      const other = bid ? sides.asks : sides.bids;
      const out = bid ? bids : asks;
      let { action, rank } = dist.draws[prng.int(0, dist.draws.length - 1)]!;
      // keep the book near its depth: the recorded insert and delete rates are nearly equal
      if (action === "insert" && s.ticks.length > depth * 1.02) action = "delete";
      if (action === "delete" && s.ticks.length < depth * 0.98) action = "insert";
      const at = Math.min(rank, s.ticks.length - 1);
      if (action === "modify") {
        out.push(level(s.ticks[at]!, amount()));
      } else if (action === "delete") {
        out.push(level(s.ticks[at]!, 0));
        s.ticks.splice(at, 1);
      } else {
        // inside the spread for rank 0, never crossing the other side
        const inside = other.ticks[0]!;
        const tick = s.freeAt(rank, inside);
        if (tick < 0) {
          out.push(level(s.ticks[at]!, amount()));
        } else if (action === "insert") {
          out.push(level(tick, amount()));
          s.insert(tick);
        } else {
          out.push(level(tick, 0));
        }
      }
    }
    seq++;
    deltas.push({ ...base, kind: "delta", seq, prevSeq: seq - 1, bids, asks });
  }
  const withExact = (b: Book): Book => ({ ...b, exact: { bids: exactOf(b.bids), asks: exactOf(b.asks) } });
  return {
    depth,
    snapshot,
    deltas,
    exactSnapshot: withExact(snapshot),
    exactDeltas: deltas.map(withExact),
    levelUpdates: made,
  };
}
