import type { RestLimits } from "@tickerplant/core";
import type { Redis } from "ioredis";

/**
 * A per-exchange request-weight budget shared by every process through Redis. Each window has a
 * counter; a call reserves its weight before it is sent, and the exchange's used-weight header
 * (when it reports more than we counted, e.g. other clients on the same IP) raises the counter.
 * A 429/418 sets a block until the exchange's Retry-After.
 */
const RESERVE = `
local used = redis.call('INCRBY', KEYS[1], ARGV[1])
if used == tonumber(ARGV[1]) then redis.call('PEXPIRE', KEYS[1], ARGV[3]) end
if used > tonumber(ARGV[2]) then
  redis.call('DECRBY', KEYS[1], ARGV[1])
  return -1
end
return used`;

const OBSERVE = `
local used = tonumber(redis.call('GET', KEYS[1]) or '0')
if tonumber(ARGV[1]) > used then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
end
return 1`;

export class WeightBudget {
  /** Fraction of the exchange's budget we allow ourselves. */
  private readonly budget: number;

  constructor(
    private readonly redis: Redis,
    private readonly exchange: string,
    private readonly limits: RestLimits,
    safety = 0.8,
  ) {
    this.budget = Math.max(1, Math.floor(limits.budget * safety));
  }

  private windowKey(now: number): string {
    return `ratelimit:${this.exchange}:${Math.floor(now / this.limits.windowMs)}`;
  }

  private get blockKey(): string {
    return `ratelimit:${this.exchange}:blocked_until`;
  }

  /** Waits until `weight` fits in the current window (or a block ends), then reserves it. */
  async acquire(weight: number, signal?: AbortSignal): Promise<void> {
    for (;;) {
      signal?.throwIfAborted();
      const now = Date.now();
      const blockedUntil = Number((await this.redis.get(this.blockKey)) ?? 0);
      if (blockedUntil > now) {
        await pause(Math.min(blockedUntil - now, 5000), signal);
        continue;
      }
      const used = (await this.redis.eval(
        RESERVE,
        1,
        this.windowKey(now),
        weight,
        this.budget,
        this.limits.windowMs * 2,
      )) as number;
      if (used >= 0) return;
      const nextWindow = (Math.floor(now / this.limits.windowMs) + 1) * this.limits.windowMs;
      await pause(Math.min(nextWindow - now + 5, 5000), signal);
    }
  }

  /** Records the exchange's own count of weight used in the current window. */
  async observeUsed(used: number): Promise<void> {
    await this.redis.eval(OBSERVE, 1, this.windowKey(Date.now()), used, this.limits.windowMs * 2);
  }

  async blockFor(ms: number): Promise<void> {
    await this.redis.set(this.blockKey, String(Date.now() + ms), "PX", ms);
  }

  async used(): Promise<number> {
    return Number((await this.redis.get(this.windowKey(Date.now()))) ?? 0);
  }
}

/** A sleep that ends early, with the abort reason, when the caller gives up. */
function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      "abort",
      () => {
        clearTimeout(timer);
        reject(signal.reason);
      },
      { once: true },
    );
  });
}
