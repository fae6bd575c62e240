/**
 * What a Kraken `book` subscription at one depth has published for one market: the top `depth`
 * levels per side as printed. Each flush diffs the current book against it the way Kraken streams:
 * new and changed levels with their size, qty 0 for a level deleted within scope, and nothing for
 * a level that merely fell out of scope (clients truncate to the depth). The checksum is CRC-32 of
 * the top 10 asks then bids, "." and leading zeros removed.
 */

export type PrintedLevel = [price: string, qty: string];

export interface BookChanges {
  bids: PrintedLevel[];
  asks: PrintedLevel[];
}

function field(v: string): string {
  let i = 0;
  const s = v.replace(".", "");
  while (i < s.length && s[i] === "0") i++;
  return s.slice(i);
}

/** Kraken's checksum of best-first printed levels (Bun's CRC-32: independent of the adapter's). */
export function bookChecksum(asks: readonly PrintedLevel[], bids: readonly PrintedLevel[]): number {
  let s = "";
  for (const [p, q] of asks.slice(0, 10)) s += field(p) + field(q);
  for (const [p, q] of bids.slice(0, 10)) s += field(p) + field(q);
  return Bun.hash.crc32(s) >>> 0;
}

function diffSide(
  old: readonly PrintedLevel[],
  next: readonly PrintedLevel[],
  depth: number,
  zero: string,
  better: (a: number, b: number) => boolean,
): PrintedLevel[] {
  const before = new Map(old.map(([p, q]) => [p, q]));
  const after = new Set(next.map(([p]) => p));
  const out: PrintedLevel[] = [];
  for (const [p, q] of next) if (before.get(p) !== q) out.push([p, q]);
  const worst = next.length === depth ? Number(next[next.length - 1]![0]) : undefined;
  for (const [p] of old) {
    if (after.has(p)) continue;
    // deleted within scope → qty 0; pushed beyond the depth → nothing (the client truncates)
    if (worst === undefined || better(Number(p), worst)) out.push([p, zero]);
  }
  return out;
}

export class BookView {
  bids: PrintedLevel[] = [];
  asks: PrintedLevel[] = [];

  constructor(
    readonly depth: number,
    /** The pair's zero quantity as printed, e.g. "0.00000". */
    private readonly zero: string,
  ) {}

  /** Moves the view to `next` (best first, at most `depth` per side); the changes, or null. */
  advance(next: { bids: PrintedLevel[]; asks: PrintedLevel[] }): BookChanges | null {
    const bids = diffSide(this.bids, next.bids, this.depth, this.zero, (a, b) => a > b);
    const asks = diffSide(this.asks, next.asks, this.depth, this.zero, (a, b) => a < b);
    this.bids = next.bids;
    this.asks = next.asks;
    return bids.length === 0 && asks.length === 0 ? null : { bids, asks };
  }

  checksum(): number {
    return bookChecksum(this.asks, this.bids);
  }
}
