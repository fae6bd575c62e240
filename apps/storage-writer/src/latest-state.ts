import { type Bbo, redisKeys, type Ticker, TransientError } from "@tickerplant/core";
import type { Redis } from "@tickerplant/runtime";
import type { Envelope } from "./envelope.ts";
import type { StorageMetrics } from "./metrics.ts";

export type Quote = Ticker | Bbo;

/**
 * Replaces the hash only when the incoming message is not older than the stored one (by `ts`, then
 * stream sequence), so redeliveries and out-of-order batches never move the latest state back.
 * The hash is replaced whole (DEL + HSET) so optional fields of an older message cannot linger.
 * KEYS[1] = hash; ARGV = ts, seq, then field/value pairs. Returns 1 when written, 0 when stale.
 */
const SET_IF_NEWER = `
local cur = redis.call('HMGET', KEYS[1], 'ts', 'seq')
local ts, seq = tonumber(ARGV[1]), tonumber(ARGV[2])
local cts, cseq = tonumber(cur[1]), tonumber(cur[2])
if cts and (cts > ts or (cts == ts and cseq and cseq > seq)) then return 0 end
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], unpack(ARGV, 3))
return 1`;

export function latestKey(q: Quote): string {
  return redisKeys.market(q.type, q.exchange, q.market);
}

/**
 * The hash: every field of the normalized message as a string (null → "null"), `json` = the
 * whole message, `updatedAt` = when it was written (ms), `seq` = its JetStream stream sequence.
 * A bbo's own `seq` (the exchange's book update id) is kept as `exchangeSeq` (and in `json`).
 */
export function latestHash(e: Envelope<Quote>, updatedAt: number): string[] {
  const fields: string[] = [];
  for (const [k, v] of Object.entries(e.msg)) fields.push(k === "seq" ? "exchangeSeq" : k, String(v));
  fields.push("json", JSON.stringify(e.msg), "updatedAt", String(updatedAt), "seq", String(e.seq));
  return fields;
}

// On a pipeline, a defined command queues the call and returns the pipeline.
type SetIfNewer = (key: string, ...args: string[]) => unknown;

/** Writes the latest ticker and bbo per market to Redis, one pipelined script call per market. */
export class LatestState {
  constructor(private readonly deps: { redis: Redis; metrics: StorageMetrics; now?: () => number }) {
    deps.redis.defineCommand("tpSetIfNewer", { numberOfKeys: 1, lua: SET_IF_NEWER });
  }

  async write(batch: readonly Envelope<Quote>[]): Promise<void> {
    // Only the newest message per key matters; the script still guards against older batches.
    const newest = new Map<string, Envelope<Quote>>();
    for (const e of batch) {
      const key = latestKey(e.msg);
      const prev = newest.get(key);
      if (!prev || e.msg.ts > prev.msg.ts || (e.msg.ts === prev.msg.ts && e.seq >= prev.seq))
        newest.set(key, e);
    }
    if (newest.size === 0) return;
    const now = this.deps.now?.() ?? Date.now();
    const pipeline = this.deps.redis.pipeline();
    const call = (pipeline as unknown as { tpSetIfNewer: SetIfNewer }).tpSetIfNewer.bind(pipeline);
    const entries = [...newest.entries()];
    for (const [key, e] of entries) call(key, String(e.msg.ts), String(e.seq), ...latestHash(e, now));
    let results: Array<[Error | null, unknown]> | null;
    try {
      results = await pipeline.exec();
    } catch (err) {
      throw new TransientError("redis_unavailable", "writing latest state to Redis", { cause: err });
    }
    entries.forEach(([, e], i) => {
      const [err, applied] = results?.[i] ?? [new Error("no reply"), 0];
      if (err) throw new TransientError("redis_unavailable", `writing ${latestKey(e.msg)}`, { cause: err });
      this.deps.metrics.latestUpdates.inc({ kind: e.msg.type, outcome: applied === 1 ? "applied" : "stale" });
    });
  }
}
