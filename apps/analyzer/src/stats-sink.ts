import { analyticsSubject, redisKeys, type Stats } from "@tickerplant/core";
import type { JetStreamPublisher, Redis } from "@tickerplant/runtime";

export function statsKey(exchange: string, market: string): string {
  return redisKeys.market("stats", exchange, market);
}

/** Deterministic: a retried publish of the same computation is deduplicated by the server. */
export function statsMessageId(s: Stats): string {
  return `stats:${s.exchange}:${s.market}:${s.ts}`;
}

/** The Redis hash: every field as a string, the full message as `json`, and `updatedAt` (ms). */
export function statsHash(s: Stats, updatedAt: number): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(s)) out[k] = String(v);
  out.json = JSON.stringify(s);
  out.updatedAt = String(updatedAt);
  return out;
}

/** Writes stats where readers find them: the `stats:` Redis hash and `an.stats.<ex>.<mkt>`. */
export class StatsSink {
  constructor(private readonly deps: { redis: Redis; publisher: JetStreamPublisher; now?: () => number }) {}

  /** Resolves once the Redis writes are done and JetStream has acknowledged every publish. */
  async write(stats: Stats[]): Promise<void> {
    if (stats.length === 0) return;
    const now = this.deps.now?.() ?? Date.now();
    const tx = this.deps.redis.multi();
    for (const s of stats) {
      const key = statsKey(s.exchange, s.market);
      // A hash keeps fields from older writes; the optional `simulated` must not linger.
      if (!s.simulated) tx.hdel(key, "simulated");
      tx.hset(key, statsHash(s, now));
    }
    const results = await tx.exec();
    const failed = results?.find(([err]) => err !== null);
    if (failed) throw failed[0];
    for (const s of stats) {
      await this.deps.publisher.publish(
        analyticsSubject("stats", s.exchange, s.market),
        JSON.stringify(s),
        statsMessageId(s),
      );
    }
    await this.deps.publisher.flush();
  }

  /** A market with no trade in the window has no 24 h stats: drop the stale hash. */
  async remove(markets: Array<{ exchange: string; market: string }>): Promise<void> {
    if (markets.length === 0) return;
    await this.deps.redis.del(...markets.map((m) => statsKey(m.exchange, m.market)));
  }
}
