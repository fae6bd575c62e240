/**
 * Token buckets by client (an API key id or an IP): `perSecond` requests a second on average,
 * bursts of `burst`. `take` says whether a request may pass and, if not, how many seconds until
 * it may. Idle full buckets are forgotten, so the map stays bounded by the active clients.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private lastSweep = 0;

  constructor(
    readonly perSecond: number,
    readonly burst: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** `{ ok: true }`, or `{ ok: false, retryAfterS }` (whole seconds, at least 1). */
  take(client: string): { ok: true } | { ok: false; retryAfterS: number } {
    if (this.perSecond <= 0) return { ok: true };
    const t = this.now();
    this.sweep(t);
    const b = this.buckets.get(client) ?? { tokens: this.burst, at: t };
    b.tokens = Math.min(this.burst, b.tokens + ((t - b.at) / 1000) * this.perSecond);
    b.at = t;
    this.buckets.set(client, b);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return { ok: true };
    }
    return { ok: false, retryAfterS: Math.max(1, Math.ceil((1 - b.tokens) / this.perSecond)) };
  }

  get tracked(): number {
    return this.buckets.size;
  }

  private sweep(t: number): void {
    if (t - this.lastSweep < 10_000) return;
    this.lastSweep = t;
    const refillMs = (this.burst / this.perSecond) * 1000;
    for (const [client, b] of this.buckets) if (t - b.at >= refillMs) this.buckets.delete(client);
  }
}

/** Counts open connections by client and refuses one past the limit (0 = no limit). */
export class ConnectionCounter {
  private readonly open = new Map<string, number>();

  constructor(readonly limit: number) {}

  /** Takes a slot for `client`; false when it already holds `limit`. */
  acquire(client: string): boolean {
    const n = this.open.get(client) ?? 0;
    if (this.limit > 0 && n >= this.limit) return false;
    this.open.set(client, n + 1);
    return true;
  }

  release(client: string): void {
    const n = (this.open.get(client) ?? 0) - 1;
    if (n > 0) this.open.set(client, n);
    else this.open.delete(client);
  }

  count(client: string): number {
    return this.open.get(client) ?? 0;
  }
}
