/** Misbehaviour the simulator was told to show; shared by the server plumbing and the profiles. */
export class Faults {
  private stalledUntil = 0;
  private silentUntil = 0;
  private forced429 = 0;
  private forced429RetryAfterSec = 1;
  private forcedStatus = 429;
  private delayedRest = 0;
  private restDelayMs = 0;
  private restDelayPath: string | undefined;

  /**
   * Stop sending data frames for `ms`; sockets stay open. Pings and control replies continue (a
   * frozen feed on a live link), unless `silent`: then nothing at all is sent (a hung link).
   */
  stall(ms: number, now: number = Date.now(), silent = false): void {
    const until = now + Math.max(0, ms);
    this.stalledUntil = Math.max(this.stalledUntil, until);
    if (silent) this.silentUntil = Math.max(this.silentUntil, until);
  }

  endStall(): void {
    this.stalledUntil = 0;
    this.silentUntil = 0;
  }

  /** A silent stall: keepalives and control replies are withheld too. */
  isSilent(now: number = Date.now()): boolean {
    return now < this.silentUntil;
  }

  isStalled(now: number = Date.now()): boolean {
    return now < this.stalledUntil;
  }

  stallRemainingMs(now: number = Date.now()): number {
    return Math.max(0, this.stalledUntil - now);
  }

  /** Answer the next `count` REST calls with 429. */
  reject429(count: number, retryAfterSec = 1): void {
    this.rejectRest(count, 429, retryAfterSec);
  }

  /**
   * Answer the next `count` REST calls with the exchange's rate-limit reply under this status:
   * 429 (too many requests), 418 (Binance's IP ban) or 403 (a WAF / Bybit-style ban), with Retry-After.
   */
  rejectRest(count: number, status: 429 | 418 | 403, retryAfterSec = 1): void {
    this.forced429 = Math.max(0, Math.floor(count));
    this.forced429RetryAfterSec = Math.max(0, Math.floor(retryAfterSec));
    this.forcedStatus = status;
  }

  get forcedRejectStatus(): number {
    return this.forcedStatus;
  }

  /**
   * Hold the next `count` REST answers for `ms` (a snapshot that times out at the client); with
   * `path`, only answers to that path (e.g. the depth snapshot's) are held, so other calls cannot
   * take the fault.
   */
  delayRest(count: number, ms: number, path?: string): void {
    this.delayedRest = Math.max(0, Math.floor(count));
    this.restDelayMs = Math.max(0, ms);
    this.restDelayPath = path;
  }

  /** Consumes one delayed answer for this path; returns its delay in ms, or 0. */
  takeRestDelay(path?: string): number {
    if (this.delayedRest <= 0) return 0;
    if (this.restDelayPath !== undefined && path !== this.restDelayPath) return 0;
    this.delayedRest--;
    return this.restDelayMs;
  }

  /** Consumes one forced 429; returns its Retry-After in seconds, or undefined. */
  takeForced429(): number | undefined {
    if (this.forced429 <= 0) return undefined;
    this.forced429--;
    return this.forced429RetryAfterSec;
  }

  get pending429(): number {
    return this.forced429;
  }
}
