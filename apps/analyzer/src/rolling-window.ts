/**
 * A market's rolling window of trades, kept as fixed-width time buckets (default: 1440 one-minute
 * buckets = 24 h), so memory is bounded by the bucket count whatever the trade rate.
 *
 * The window ends at the head bucket: the newest minute seen, from the clock (`advance`) or from a
 * trade stamped later than the clock. It covers the head bucket (partial, exact up to the latest
 * trade) and the `buckets - 1` whole buckets before it; a trade in an older bucket is outside.
 *
 * open = price of the earliest trade in the window (ties: the first one added), last = price of the
 * latest (ties: the last one added), so late and out-of-order trades land where they belong.
 */

export interface WindowTrade {
  ts: number;
  price: number;
  amount: number;
  simulated?: boolean;
  /** Log return from the market's previous trade (absent for its first). */
  logReturn?: number;
}

export interface WindowStats {
  last: number;
  open: number;
  change: number;
  changePct: number;
  high: number;
  low: number;
  volume: number;
  quoteVolume: number;
  vwap: number;
  trades: number;
  /** Standard deviation of the log returns in the window (0 with fewer than two). */
  volatility: number;
  /** Some trade in the window came from the exchange simulator. */
  simulated: boolean;
  firstTs: number;
  lastTs: number;
}

interface Aggregate {
  count: number;
  volume: number;
  quoteVolume: number;
  high: number;
  low: number;
  firstTs: number;
  firstPrice: number;
  lastTs: number;
  lastPrice: number;
  simulated: number;
  returns: number;
  returnSum: number;
  returnSquares: number;
}

interface Bucket extends Aggregate {
  index: number;
}

/** A bucket as plain numbers (the checkpoint's form): index, then the aggregate's fields. */
export type PackedBucket = number[];

const FIELDS = [
  "count",
  "volume",
  "quoteVolume",
  "high",
  "low",
  "firstTs",
  "firstPrice",
  "lastTs",
  "lastPrice",
  "simulated",
  "returns",
  "returnSum",
  "returnSquares",
] as const satisfies ReadonlyArray<keyof Aggregate>;

function pack(b: Bucket): PackedBucket {
  return [b.index, ...FIELDS.map((f) => b[f])];
}

function unpack(p: PackedBucket): Bucket | undefined {
  if (p.length !== FIELDS.length + 1 || !p.every((n) => typeof n === "number" && Number.isFinite(n))) {
    return undefined;
  }
  const b = { index: p[0]!, ...emptyAggregate() };
  FIELDS.forEach((f, i) => {
    b[f] = p[i + 1]!;
  });
  return b.count > 0 ? b : undefined;
}

function emptyAggregate(): Aggregate {
  return {
    count: 0,
    volume: 0,
    quoteVolume: 0,
    high: Number.NEGATIVE_INFINITY,
    low: Number.POSITIVE_INFINITY,
    firstTs: Number.POSITIVE_INFINITY,
    firstPrice: Number.NaN,
    lastTs: Number.NEGATIVE_INFINITY,
    lastPrice: Number.NaN,
    simulated: 0,
    returns: 0,
    returnSum: 0,
    returnSquares: 0,
  };
}

/** Folds `b` into `a` (a is earlier in bucket order, so ties keep a's first and b's last). */
function merge(a: Aggregate, b: Aggregate): void {
  if (b.count === 0) return;
  a.count += b.count;
  a.volume += b.volume;
  a.quoteVolume += b.quoteVolume;
  if (b.high > a.high) a.high = b.high;
  if (b.low < a.low) a.low = b.low;
  if (b.firstTs < a.firstTs) {
    a.firstTs = b.firstTs;
    a.firstPrice = b.firstPrice;
  }
  if (b.lastTs >= a.lastTs) {
    a.lastTs = b.lastTs;
    a.lastPrice = b.lastPrice;
  }
  a.simulated += b.simulated;
  a.returns += b.returns;
  a.returnSum += b.returnSum;
  a.returnSquares += b.returnSquares;
}

export class RollingWindow {
  /** Non-empty buckets in ascending index order (at most `size`). */
  private buckets: Bucket[] = [];
  private head = Number.NEGATIVE_INFINITY;
  /** Aggregate of every bucket but the head one; recomputed only when one of them changes. */
  private closed: Aggregate | undefined;
  /** Buckets added to since the last `takeChanged` (the checkpoint writes only those). */
  private changed = new Set<number>();

  constructor(
    readonly size = 1440,
    readonly bucketMs = 60_000,
  ) {}

  private indexOf(ts: number): number {
    return Math.floor(ts / this.bucketMs);
  }

  /** Moves the window's end to `now` (never backwards); returns true when trades expired. */
  advance(now: number): boolean {
    return this.moveHead(this.indexOf(now));
  }

  private moveHead(index: number): boolean {
    if (index <= this.head) return false;
    this.head = index;
    this.closed = undefined;
    const oldest = index - this.size + 1;
    let drop = 0;
    while (drop < this.buckets.length && this.buckets[drop]!.index < oldest) drop++;
    if (drop > 0) this.buckets.splice(0, drop);
    return drop > 0;
  }

  /** Adds a trade; returns false (and ignores it) when it is older than the window. */
  add(t: WindowTrade): boolean {
    const index = this.indexOf(t.ts);
    this.moveHead(index);
    if (index <= this.head - this.size) return false;
    const b = this.bucketFor(index);
    b.count++;
    b.volume += t.amount;
    b.quoteVolume += t.price * t.amount;
    if (t.price > b.high) b.high = t.price;
    if (t.price < b.low) b.low = t.price;
    if (t.ts < b.firstTs) {
      b.firstTs = t.ts;
      b.firstPrice = t.price;
    }
    if (t.ts >= b.lastTs) {
      b.lastTs = t.ts;
      b.lastPrice = t.price;
    }
    this.changed.add(index);
    if (t.simulated) b.simulated++;
    if (t.logReturn !== undefined && Number.isFinite(t.logReturn)) {
      b.returns++;
      b.returnSum += t.logReturn;
      b.returnSquares += t.logReturn * t.logReturn;
    }
    if (index !== this.head) this.closed = undefined;
    return true;
  }

  private bucketFor(index: number): Bucket {
    const last = this.buckets[this.buckets.length - 1];
    if (last?.index === index) return last;
    if (last === undefined || last.index < index) {
      const b = { index, ...emptyAggregate() };
      this.buckets.push(b);
      return b;
    }
    // A late trade: binary search for its bucket, inserting one when missing.
    let lo = 0;
    let hi = this.buckets.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.buckets[mid]!.index < index) lo = mid + 1;
      else hi = mid;
    }
    const found = this.buckets[lo];
    if (found?.index === index) return found;
    const b = { index, ...emptyAggregate() };
    this.buckets.splice(lo, 0, b);
    return b;
  }

  get empty(): boolean {
    return this.buckets.length === 0;
  }

  /** The newest bucket index (the window's end), or undefined before the first trade or advance. */
  get headIndex(): number | undefined {
    return Number.isFinite(this.head) ? this.head : undefined;
  }

  /** The oldest bucket index still inside the window. */
  get oldestIndex(): number {
    return this.head - this.size + 1;
  }

  /** Every bucket (`all`), or those added to since the last call, packed; resets the change set. */
  takeChanged(all = false): PackedBucket[] {
    const out: PackedBucket[] = [];
    for (const b of this.buckets) if (all || this.changed.has(b.index)) out.push(pack(b));
    this.changed.clear();
    return out;
  }

  /** Replaces the window with a checkpoint's head and buckets (unreadable ones are skipped). */
  restore(head: number | undefined, packed: readonly PackedBucket[]): void {
    this.head = head ?? Number.NEGATIVE_INFINITY;
    this.closed = undefined;
    this.changed.clear();
    const oldest = this.oldestIndex;
    this.buckets = packed
      .map(unpack)
      .filter((b): b is Bucket => b !== undefined && b.index >= oldest && b.index <= this.head)
      .sort((a, b) => a.index - b.index);
  }

  /** The window's statistics, or undefined when it holds no trade. */
  stats(): WindowStats | undefined {
    if (this.buckets.length === 0) return undefined;
    const headBucket = this.buckets[this.buckets.length - 1]!;
    const hasHead = headBucket.index === this.head;
    if (this.closed === undefined) {
      this.closed = emptyAggregate();
      const end = hasHead ? this.buckets.length - 1 : this.buckets.length;
      for (let i = 0; i < end; i++) merge(this.closed, this.buckets[i]!);
    }
    const a = { ...this.closed };
    if (hasHead) merge(a, headBucket);
    const change = a.lastPrice - a.firstPrice;
    return {
      last: a.lastPrice,
      open: a.firstPrice,
      change,
      changePct: a.firstPrice !== 0 ? (change / a.firstPrice) * 100 : 0,
      high: a.high,
      low: a.low,
      volume: a.volume,
      quoteVolume: a.quoteVolume,
      vwap: a.volume > 0 ? a.quoteVolume / a.volume : a.lastPrice,
      trades: a.count,
      volatility: volatility(a),
      simulated: a.simulated > 0,
      firstTs: a.firstTs,
      lastTs: a.lastTs,
    };
  }
}

/** Sample standard deviation of the log returns, from their count, sum and sum of squares. */
function volatility(a: Aggregate): number {
  if (a.returns < 2) return 0;
  const variance = (a.returnSquares - (a.returnSum * a.returnSum) / a.returns) / (a.returns - 1);
  return variance > 0 ? Math.sqrt(variance) : 0;
}
