/**
 * One side of an L2 book: prices kept sorted best-first in a plain array (binary search, splice),
 * amounts in a parallel array, and the exchange's exact strings where a checksum needs them.
 * Updates are O(log n) to find plus a memmove of the tail; top-N reads are O(N).
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
    return this.prices[0];
  }

  /** Index of `price`, or -(insertion point) - 1 when absent. */
  private find(price: number): number {
    const p = this.prices;
    let lo = 0;
    let hi = p.length - 1;
    const desc = this.kind === "bid";
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const v = p[mid]!;
      if (v === price) return mid;
      if (desc ? v > price : v < price) lo = mid + 1;
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
    if (this.prices.length <= depth) return;
    this.prices.length = depth;
    this.amounts.length = depth;
    if (this.keepExact) {
      this.exactPrices.length = depth;
      this.exactAmounts.length = depth;
    }
  }

  clear(): void {
    this.prices = [];
    this.amounts = [];
    this.exactPrices = [];
    this.exactAmounts = [];
  }

  top(n: number): Array<[number, number]> {
    const len = Math.min(n, this.prices.length);
    const out = new Array<[number, number]>(len);
    for (let i = 0; i < len; i++) out[i] = [this.prices[i]!, this.amounts[i]!];
    return out;
  }

  topExact(n: number): Array<[string, string]> {
    if (!this.keepExact) throw new Error("this book does not keep exact strings");
    const len = Math.min(n, this.prices.length);
    const out = new Array<[string, string]>(len);
    for (let i = 0; i < len; i++) out[i] = [this.exactPrices[i]!, this.exactAmounts[i]!];
    return out;
  }
}
