import { type Book, redisKeys, TransientError } from "@tickerplant/core";
import type { Redis } from "@tickerplant/runtime";
import type { BookMetrics } from "./book-metrics.ts";

/**
 * Several writer instances write the same keys: a state is stored only when its JetStream stream
 * sequence is newer than the stored one (the same sequence only refreshes the TTL), so a lagging
 * instance never moves a book back. The TTL lets a book nobody maintains any more disappear.
 * KEYS[1] = hash; ARGV = stream seq, ttl ms, then field/value pairs.
 * Returns 1 when written, 2 when already stored (TTL refreshed), 0 when older than the stored one.
 */
const WRITE_BOOK = `
local cur = tonumber(redis.call('HGET', KEYS[1], 'seq'))
local seq = tonumber(ARGV[1])
if cur and cur > seq then return 0 end
if cur == seq then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 2
end
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], unpack(ARGV, 3))
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1`;

/** A synced book's top levels, or the mark that the market's book lost continuity. */
export type BookWrite =
  | { exchange: string; market: string; streamSeq: number; book: Book }
  | { exchange: string; market: string; streamSeq: number; book: null; detail: string };

/**
 * The hash `book:<ex>:<mkt>`: `json` = a normalized book snapshot message (top N levels),
 * `bookSeq`/`ts` = its seq and exchange time, `depth` = N, `seq` = the JetStream stream sequence
 * of the last message applied, `updatedAt` = when this state was first written (ms), `synced` = 1.
 * A market whose book lost continuity has `synced` = 0 and no `json` until the next snapshot.
 */
export function bookHash(w: BookWrite, depth: number, updatedAt: number): string[] {
  const common = ["seq", String(w.streamSeq), "updatedAt", String(updatedAt)];
  if (w.book === null) return [...common, "synced", "0", "detail", w.detail];
  return [
    ...common,
    "synced",
    "1",
    "json",
    JSON.stringify(w.book),
    "bookSeq",
    String(w.book.seq),
    "ts",
    String(w.book.ts),
    "depth",
    String(depth),
  ];
}

type WriteBook = (key: string, ...args: string[]) => unknown;

export class BookStore {
  constructor(private readonly deps: { redis: Redis; metrics: BookMetrics; depth: number; ttlMs: number }) {
    deps.redis.defineCommand("tpWriteBook", { numberOfKeys: 1, lua: WRITE_BOOK });
  }

  async write(writes: readonly BookWrite[], now: number): Promise<void> {
    if (writes.length === 0) return;
    const pipeline = this.deps.redis.pipeline();
    const call = (pipeline as unknown as { tpWriteBook: WriteBook }).tpWriteBook.bind(pipeline);
    for (const w of writes) {
      call(
        redisKeys.market("book", w.exchange, w.market),
        String(w.streamSeq),
        String(this.deps.ttlMs),
        ...bookHash(w, this.deps.depth, now),
      );
    }
    let results: Array<[Error | null, unknown]> | null;
    try {
      results = await pipeline.exec();
    } catch (err) {
      throw new TransientError("redis_unavailable", "writing order books to Redis", { cause: err });
    }
    writes.forEach((w, i) => {
      const [err, outcome] = results?.[i] ?? [new Error("no reply"), 0];
      if (err)
        throw new TransientError(
          "redis_unavailable",
          `writing ${redisKeys.market("book", w.exchange, w.market)}`,
          {
            cause: err,
          },
        );
      const label =
        outcome === 1 ? (w.book === null ? "unsynced" : "applied") : outcome === 2 ? "unchanged" : "stale";
      this.deps.metrics.latestWrites.inc({ outcome: label });
    });
  }
}
