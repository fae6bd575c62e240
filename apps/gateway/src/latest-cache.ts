import type { Redis } from "@tickerplant/runtime";
import { type LatestEntry, type LatestKind, readLatest } from "./latest-state.ts";

/**
 * REST reads of the latest-state hashes, shared for `ttlMs`: under load every request for a
 * market used to be a Redis round trip; now concurrent and back-to-back requests for the same
 * filter share one (bench/rest.ts). Values may lag Redis by at most `ttlMs`; the freshness a
 * response reports (`updatedAt`, `ageMs`) is computed per request from the stored time, so it
 * stays true. `ttlMs` 0 reads Redis every time.
 */
export class LatestCache {
  private readonly entries = new Map<string, { at: number; read: Promise<LatestEntry[]> }>();

  constructor(
    private readonly deps: {
      redis: Redis;
      ttlMs: number;
      /** Most filters kept; the oldest is dropped first. */
      maxFilters?: number;
      now?: () => number;
    },
  ) {}

  read(kind: LatestKind, exchange: string, market: string): Promise<LatestEntry[]> {
    const { redis, ttlMs } = this.deps;
    if (ttlMs <= 0) return readLatest(redis, kind, exchange, market);
    const now = (this.deps.now ?? Date.now)();
    const key = `${kind}\u0000${exchange}\u0000${market}`;
    const hit = this.entries.get(key);
    if (hit && now - hit.at < ttlMs) return hit.read;
    const read = readLatest(redis, kind, exchange, market);
    // A failed read is not shared beyond the requests already waiting on it.
    read.catch(() => {
      if (this.entries.get(key)?.read === read) this.entries.delete(key);
    });
    this.entries.delete(key); // re-inserted last: Map order is the eviction order
    this.entries.set(key, { at: now, read });
    const max = this.deps.maxFilters ?? 10_000;
    if (this.entries.size > max) this.entries.delete(this.entries.keys().next().value!);
    return read;
  }
}
