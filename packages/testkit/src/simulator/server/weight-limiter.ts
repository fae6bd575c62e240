/**
 * Rolling-window request weight, as exchanges meter REST calls (Binance: REQUEST_WEIGHT 6000 per
 * minute, reported in X-MBX-USED-WEIGHT-1m). A call that would go over the limit is refused and
 * not counted.
 */
export class WeightLimiter {
  private readonly entries: Array<{ ts: number; weight: number }> = [];
  private head = 0;
  private used = 0;
  /** The most weight ever in one window: a client that respects the limit keeps it ≤ limit. */
  peak = 0;

  constructor(
    public limit: number,
    public readonly windowMs: number = 60_000,
  ) {}

  /** Weight used in the current window. */
  current(now: number = Date.now()): number {
    this.expire(now);
    return this.used;
  }

  /** Counts the call if it fits; otherwise returns the seconds until it would. */
  take(
    weight: number,
    now: number = Date.now(),
  ): { ok: true; used: number } | { ok: false; used: number; retryAfterSec: number } {
    this.expire(now);
    if (this.limit > 0 && this.used + weight > this.limit) {
      return { ok: false, used: this.used, retryAfterSec: this.retryAfter(weight, now) };
    }
    this.entries.push({ ts: now, weight });
    this.used += weight;
    if (this.used > this.peak) this.peak = this.used;
    return { ok: true, used: this.used };
  }

  reset(): void {
    this.entries.length = 0;
    this.head = 0;
    this.used = 0;
    this.peak = 0;
  }

  private retryAfter(weight: number, now: number): number {
    let freed = 0;
    const need = this.used + weight - this.limit;
    for (let i = this.head; i < this.entries.length; i++) {
      const e = this.entries[i]!;
      freed += e.weight;
      if (freed >= need) return Math.max(1, Math.ceil((e.ts + this.windowMs - now) / 1000));
    }
    return Math.max(1, Math.ceil(this.windowMs / 1000));
  }

  private expire(now: number): void {
    const cutoff = now - this.windowMs;
    while (this.head < this.entries.length && this.entries[this.head]!.ts <= cutoff) {
      this.used -= this.entries[this.head]!.weight;
      this.head++;
    }
    if (this.head > 1024 && this.head * 2 > this.entries.length) {
      this.entries.splice(0, this.head);
      this.head = 0;
    }
  }
}
