import { JOB_PRIORITIES, type JobPriority, type RestLimits, redisKeys } from "@tickerplant/core";
import type { Redis } from "ioredis";

/**
 * A per-exchange request-weight budget shared by every process through Redis, metered as the
 * exchanges meter it: a rolling window. Weight is counted in buckets of 1/20 window; a call may
 * go when the buckets of the last window (plus two buckets of slack, so we never under-count
 * against the exchange's own rolling window) leave room for it under its priority's cap.
 *
 * Priorities: each has a cap (immediate may use the whole budget, long keeps headroom free for
 * the others) and a lower priority also waits while a higher one is waiting (the waiters set),
 * so a long backfill yields the budget as soon as immediate work arrives.
 *
 * Rate-limit answers (429/418, Bybit's 403) block every process until Retry-After or a back-off
 * that doubles with each consecutive one; while errors are counted the caps shrink.
 */
const BUCKETS_PER_WINDOW = 20;
const SLACK_BUCKETS = 2;

/** Share of the budget each priority may reach. Long leaves 6 % for heals and user requests. */
export const PRIORITY_CAPS: Readonly<Record<JobPriority, number>> = {
  immediate: 1,
  short: 0.98,
  medium: 0.96,
  long: 0.94,
};

/** Our share of the exchange's published limit (clock skew and other clients on the IP). */
export const DEFAULT_SAFETY = 0.98;

// KEYS[1] bucket prefix, KEYS[2] waiters zset, KEYS[3] block key, KEYS[4] error counter
// ARGV: now, weight, cap, rank, bucketMs, buckets, member, waiterTtlMs
// Returns {0, used} when reserved, {1, waitMs} when it must wait.
const ACQUIRE = `
local now = tonumber(ARGV[1])
local weight = tonumber(ARGV[2])
local cap = tonumber(ARGV[3])
local rank = tonumber(ARGV[4])
local bucketMs = tonumber(ARGV[5])
local n = tonumber(ARGV[6])
local member = ARGV[7]
local ttl = tonumber(ARGV[8])
local blocked = tonumber(redis.call('GET', KEYS[3]) or '0')
if blocked > now then
  redis.call('ZADD', KEYS[2], now + ttl + (blocked - now), member)
  return {1, blocked - now}
end
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
if rank > 0 then
  local waiting = redis.call('ZRANGE', KEYS[2], 0, -1)
  for _, m in ipairs(waiting) do
    if tonumber(string.sub(m, 1, 1)) < rank and m ~= member then
      redis.call('ZADD', KEYS[2], now + ttl, member)
      return {1, 20}
    end
  end
end
local errors = tonumber(redis.call('GET', KEYS[4]) or '0')
if errors > 0 then cap = math.floor(cap / (1 + errors)) end
local cur = math.floor(now / bucketMs)
local used = 0
local oldest = -1
for b = cur - n + 1, cur do
  local v = tonumber(redis.call('GET', KEYS[1] .. b) or '0')
  if v > 0 and oldest < 0 then oldest = b end
  used = used + v
end
if used + weight > cap and used > 0 then
  redis.call('ZADD', KEYS[2], now + ttl, member)
  local wait = (oldest + n) * bucketMs - now
  if wait < 1 then wait = 1 end
  return {1, wait}
end
redis.call('INCRBY', KEYS[1] .. cur, weight)
redis.call('PEXPIRE', KEYS[1] .. cur, (n + 1) * bucketMs)
redis.call('ZREM', KEYS[2], member)
return {0, used + weight}`;

// KEYS[1] bucket prefix; ARGV: now, bucketMs, buckets, observed → raises the current bucket so the
// window's sum is at least what the exchange reports.
const OBSERVE = `
local now = tonumber(ARGV[1])
local bucketMs = tonumber(ARGV[2])
local n = tonumber(ARGV[3])
local observed = tonumber(ARGV[4])
local cur = math.floor(now / bucketMs)
local used = 0
for b = cur - n + 1, cur do used = used + tonumber(redis.call('GET', KEYS[1] .. b) or '0') end
if observed > used then
  redis.call('INCRBY', KEYS[1] .. cur, observed - used)
  redis.call('PEXPIRE', KEYS[1] .. cur, (n + 1) * bucketMs)
end
return used`;

// A block only ever moves later. KEYS[1] block key; ARGV: until, ttl.
const BLOCK = `
if tonumber(redis.call('GET', KEYS[1]) or '0') < tonumber(ARGV[1]) then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
end
return 1`;

const USED = `
local now = tonumber(ARGV[1])
local bucketMs = tonumber(ARGV[2])
local n = tonumber(ARGV[3])
local cur = math.floor(now / bucketMs)
local used = 0
for b = cur - n + 1, cur do used = used + tonumber(redis.call('GET', KEYS[1] .. b) or '0') end
return used`;

export interface BudgetState {
  used: number;
  blockedUntil: number | null;
  consecutiveErrors: number;
  waiting: Record<JobPriority, number>;
}

export class WeightBudget {
  /** Weight per window we allow ourselves (safety × the published limit). */
  readonly budget: number;
  readonly bucketMs: number;
  private readonly buckets: number;

  constructor(
    private readonly redis: Redis,
    readonly scope: string,
    readonly limits: RestLimits,
    safety = DEFAULT_SAFETY,
  ) {
    this.budget = Math.max(1, Math.floor(limits.budget * safety));
    this.bucketMs = Math.max(1, Math.floor(limits.windowMs / BUCKETS_PER_WINDOW));
    this.buckets = Math.ceil(limits.windowMs / this.bucketMs) + SLACK_BUCKETS;
  }

  private key(part: Parameters<typeof redisKeys.rateLimit>[1]): string {
    return redisKeys.rateLimit(this.scope, part);
  }

  /** The weight per window `priority` may reach. */
  cap(priority: JobPriority): number {
    return Math.max(1, Math.floor(this.budget * PRIORITY_CAPS[priority]));
  }

  /**
   * Waits until `weight` fits under `priority`'s cap with no higher priority waiting (and no
   * rate-limit block), then reserves it. Default priority: immediate (live feeds' book snapshots).
   */
  async acquire(weight: number, signal?: AbortSignal, priority: JobPriority = "immediate"): Promise<void> {
    const member = `${JOB_PRIORITIES.indexOf(priority)}:${crypto.randomUUID()}`;
    const rank = JOB_PRIORITIES.indexOf(priority);
    try {
      for (;;) {
        signal?.throwIfAborted();
        const [status, value] = (await this.redis.eval(
          ACQUIRE,
          4,
          this.key("w:"),
          this.key("waiters"),
          this.key("blocked_until"),
          this.key("errors"),
          Date.now(),
          weight,
          this.cap(priority),
          rank,
          this.bucketMs,
          this.buckets,
          member,
          2000,
        )) as [number, number];
        if (status === 0) return;
        await pause(Math.min(value, rank === 0 ? 250 : 1000), signal);
      }
    } finally {
      // Leaving (aborted, or done): lower priorities need not wait for us.
      await this.redis.zrem(this.key("waiters"), member).catch(() => {});
    }
  }

  /** Records the exchange's own count of weight used in the current window. */
  async observeUsed(used: number): Promise<void> {
    await this.redis.eval(OBSERVE, 1, this.key("w:"), Date.now(), this.bucketMs, this.buckets, used);
  }

  /** Blocks every process for `ms` (a rate-limit answer's Retry-After or our back-off). */
  async blockFor(ms: number): Promise<void> {
    const until = Date.now() + ms;
    await this.redis.eval(BLOCK, 1, this.key("blocked_until"), until, Math.max(1, Math.ceil(ms)));
  }

  /** Counts a rate-limit answer; returns how many came in a row (across processes). */
  async rateLimited(): Promise<number> {
    const n = await this.redis.incr(this.key("errors"));
    await this.redis.pexpire(this.key("errors"), this.limits.windowMs * 10);
    return n;
  }

  /** A successful call ends the run of rate-limit answers. */
  async succeeded(): Promise<void> {
    // A plain GET first: the common case (no errors) costs no write.
    if ((await this.redis.get(this.key("errors"))) !== null) await this.redis.del(this.key("errors"));
  }

  async used(): Promise<number> {
    return Number(await this.redis.eval(USED, 1, this.key("w:"), Date.now(), this.bucketMs, this.buckets));
  }

  async state(): Promise<BudgetState> {
    const now = Date.now();
    const [used, blocked, errors, waiters] = await Promise.all([
      this.used(),
      this.redis.get(this.key("blocked_until")),
      this.redis.get(this.key("errors")),
      this.redis.zrangebyscore(this.key("waiters"), now, "+inf"),
    ]);
    const waiting = Object.fromEntries(JOB_PRIORITIES.map((p) => [p, 0])) as Record<JobPriority, number>;
    for (const m of waiters) {
      const p = JOB_PRIORITIES[Number(m.slice(0, 1))];
      if (p) waiting[p]++;
    }
    const until = Number(blocked ?? 0);
    return {
      used,
      blockedUntil: until > now ? until : null,
      consecutiveErrors: Number(errors ?? 0),
      waiting,
    };
  }
}

/** A sleep that ends early, with the abort reason, when the caller gives up. */
function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(done, ms);
    function done() {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }
    function onAbort() {
      clearTimeout(timer);
      reject(signal?.reason);
    }
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
