/**
 * One side of an L2 book: prices kept sorted worst-first in a plain array — the best price at the
 * end, where most updates land, so an insert or delete there moves few elements — with amounts in
 * a parallel array and the exchange's exact strings where a checksum needs them. Finding a level
 * is O(log n); top-N reads are O(N).
 */
export class BookSide {
  private prices: number[] = [];
  private amounts: number[] = [];
  private exactPrices: string[] = [];
  private exactAmounts: string[] = [];

  /** bids: highest first; asks: lowest first. */
  constructor(
    readonly kind: "bid" | "ask",
    private readonly keepExact: boolean,
  ) {}

  get size(): number {
    return this.prices.length;
  }

  get best(): number | undefined {
    return this.prices[this.prices.length - 1];
  }

  /** Index of `price`, or -(insertion point) - 1 when absent. */
  private find(price: number): number {
    const p = this.prices;
    let lo = 0;
    let hi = p.length - 1;
    // Worst first: bids ascend towards the best (highest), asks descend towards the best (lowest).
    const ascending = this.kind === "bid";
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const v = p[mid]!;
      if (v === price) return mid;
      if (ascending ? v < price : v > price) lo = mid + 1;
      else hi = mid - 1;
    }
    return -lo - 1;
  }

  /** Sets a level's amount; 0 deletes it. */
  set(price: number, amount: number, exactPrice?: string, exactAmount?: string): void {
    const i = this.find(price);
    if (amount === 0) {
      if (i >= 0) this.removeAt(i);
      return;
    }
    if (i >= 0) {
      this.amounts[i] = amount;
      if (this.keepExact) this.exactAmounts[i] = exactAmount ?? String(amount);
      return;
    }
    const at = -i - 1;
    this.prices.splice(at, 0, price);
    this.amounts.splice(at, 0, amount);
    if (this.keepExact) {
      this.exactPrices.splice(at, 0, exactPrice ?? String(price));
      this.exactAmounts.splice(at, 0, exactAmount ?? String(amount));
    }
  }

  private removeAt(i: number): void {
    this.prices.splice(i, 1);
    this.amounts.splice(i, 1);
    if (this.keepExact) {
      this.exactPrices.splice(i, 1);
      this.exactAmounts.splice(i, 1);
    }
  }

  get(price: number): number | undefined {
    const i = this.find(price);
    return i >= 0 ? this.amounts[i] : undefined;
  }

  /** Keeps the best `depth` levels (exchanges that stop sending deletes for levels pushed out). */
  truncate(depth: number): void {
    const excess = this.prices.length - depth;
    if (excess <= 0) return;
    this.prices.splice(0, excess);
    this.amounts.splice(0, excess);
    if (this.keepExact) {
      this.exactPrices.splice(0, excess);
      this.exactAmounts.splice(0, excess);
    }
  }

  clear(): void {
    this.prices = [];
    this.amounts = [];
    this.exactPrices = [];
    this.exactAmounts = [];
  }

  /** The best `n` levels, best first. */
  top(n: number): Array<[number, number]> {
    const last = this.prices.length - 1;
    const len = Math.min(n, this.prices.length);
    const out = new Array<[number, number]>(len);
    for (let i = 0; i < len; i++) out[i] = [this.prices[last - i]!, this.amounts[last - i]!];
    return out;
  }

  topExact(n: number): Array<[string, string]> {
    if (!this.keepExact) throw new Error("this book does not keep exact strings");
    const last = this.prices.length - 1;
    const len = Math.min(n, this.prices.length);
    const out = new Array<[string, string]>(len);
    for (let i = 0; i < len; i++) out[i] = [this.exactPrices[last - i]!, this.exactAmounts[last - i]!];
    return out;
  }
}
