import { type Deriv, redisKeys, TransientError } from "@tickerplant/core";
import { DERIV_FIELDS, type DerivField } from "@tickerplant/db";
import type { Redis } from "@tickerplant/runtime";
import type { Envelope } from "./envelope.ts";
import type { StorageMetrics } from "./metrics.ts";

/**
 * Merges deriv messages into `deriv:<ex>:<mkt>`. Messages are partial (null = not in this
 * message, never "cleared"), so each value is kept on its own: field `<name>` with `<name>Ts`, the
 * exchange time it was last set at, and a value only replaces one that is not newer. The message
 * fields (ts, recvTs, symbol, simulated) follow the newest message; `seq` is the highest stream
 * sequence merged; `json` is rebuilt from the hash as one normalized deriv message. Numbers stay
 * the strings JavaScript wrote (cjson would round them to 14 digits).
 * KEYS[1] = hash; ARGV = ts, recvTs, seq, updatedAt, exchange, market, symbol, simulated
 * ("true", "false" or "" = absent), then (field, value, fieldTs) triples.
 * Returns how many parts (values, message fields) were applied: 0 = everything was older.
 */
const MERGE_DERIV = `
local key = KEYS[1]
local applied = 0
for i = 9, #ARGV, 3 do
  local cur = tonumber(redis.call('HGET', key, ARGV[i] .. 'Ts'))
  if not cur or tonumber(ARGV[i + 2]) >= cur then
    redis.call('HSET', key, ARGV[i], ARGV[i + 1], ARGV[i] .. 'Ts', ARGV[i + 2])
    applied = applied + 1
  end
end
local cts = tonumber(redis.call('HGET', key, 'ts'))
if not cts or tonumber(ARGV[1]) >= cts then
  redis.call('HSET', key, 'type', 'deriv', 'exchange', ARGV[5], 'market', ARGV[6], 'symbol', ARGV[7],
    'ts', ARGV[1], 'recvTs', ARGV[2])
  if ARGV[8] == '' then redis.call('HDEL', key, 'simulated') else redis.call('HSET', key, 'simulated', ARGV[8]) end
  applied = applied + 1
end
if applied == 0 then return 0 end
local cseq = tonumber(redis.call('HGET', key, 'seq'))
if not cseq or tonumber(ARGV[3]) > cseq then redis.call('HSET', key, 'seq', ARGV[3]) end
local h = redis.call('HMGET', key, 'exchange', 'market', 'symbol', 'ts', 'recvTs', 'simulated',
  'markPrice', 'indexPrice', 'fundingRate', 'nextFundingTime', 'openInterest')
local json = '{"type":"deriv","exchange":' .. cjson.encode(h[1]) .. ',"market":' .. cjson.encode(h[2]) ..
  ',"symbol":' .. cjson.encode(h[3]) .. ',"ts":' .. h[4] .. ',"recvTs":' .. h[5]
if h[6] then json = json .. ',"simulated":' .. h[6] end
local names = {'markPrice', 'indexPrice', 'fundingRate', 'nextFundingTime', 'openInterest'}
for j = 1, 5 do json = json .. ',"' .. names[j] .. '":' .. (h[6 + j] or 'null') end
redis.call('HSET', key, 'json', json .. '}', 'updatedAt', ARGV[4])
return applied`;

export function derivKey(d: Deriv): string {
  return redisKeys.market("deriv", d.exchange, d.market);
}

/** What one script call carries for a market: the newest message and the newest value of each field. */
interface Merge {
  head: Envelope<Deriv>;
  maxSeq: number;
  values: Map<DerivField, { value: number; ts: number; seq: number }>;
}

// In stream order, so an equal sequence (a later event of the same message) is the newer one.
const newer = (ts: number, seq: number, than: { ts: number; seq: number }) =>
  ts > than.ts || (ts === than.ts && seq >= than.seq);

/** Folds a batch per market, so each market costs one script call. */
export function mergeBatch(batch: readonly Envelope<Deriv>[]): Map<string, Merge> {
  const out = new Map<string, Merge>();
  for (const e of batch) {
    const key = derivKey(e.msg);
    let m = out.get(key);
    if (!m) {
      m = { head: e, maxSeq: e.seq, values: new Map() };
      out.set(key, m);
    } else {
      if (newer(e.msg.ts, e.seq, { ts: m.head.msg.ts, seq: m.head.seq })) m.head = e;
      m.maxSeq = Math.max(m.maxSeq, e.seq);
    }
    for (const f of DERIV_FIELDS) {
      const value = e.msg[f];
      if (value === null) continue;
      const prev = m.values.get(f);
      if (!prev || newer(e.msg.ts, e.seq, prev)) m.values.set(f, { value, ts: e.msg.ts, seq: e.seq });
    }
  }
  return out;
}

function scriptArgs(m: Merge, updatedAt: number): string[] {
  const d = m.head.msg;
  const args = [
    String(d.ts),
    String(d.recvTs),
    String(m.maxSeq),
    String(updatedAt),
    d.exchange,
    d.market,
    d.symbol,
    d.simulated === undefined ? "" : String(d.simulated),
  ];
  for (const [f, v] of m.values) args.push(f, String(v.value), String(v.ts));
  return args;
}

// On a pipeline, a defined command queues the call and returns the pipeline.
type MergeDeriv = (key: string, ...args: string[]) => unknown;

/** Keeps the merged latest derivatives state per market in Redis. */
export class DerivState {
  constructor(private readonly deps: { redis: Redis; metrics: StorageMetrics; now?: () => number }) {
    deps.redis.defineCommand("tpMergeDeriv", { numberOfKeys: 1, lua: MERGE_DERIV });
  }

  async write(batch: readonly Envelope<Deriv>[]): Promise<void> {
    const merges = [...mergeBatch(batch).entries()];
    if (merges.length === 0) return;
    const now = this.deps.now?.() ?? Date.now();
    const pipeline = this.deps.redis.pipeline();
    const call = (pipeline as unknown as { tpMergeDeriv: MergeDeriv }).tpMergeDeriv.bind(pipeline);
    for (const [key, m] of merges) call(key, ...scriptArgs(m, now));
    let results: Array<[Error | null, unknown]> | null;
    try {
      results = await pipeline.exec();
    } catch (err) {
      throw new TransientError("redis_unavailable", "writing derivatives state to Redis", { cause: err });
    }
    merges.forEach(([key], i) => {
      const [err, applied] = results?.[i] ?? [new Error("no reply"), 0];
      if (err) throw new TransientError("redis_unavailable", `writing ${key}`, { cause: err });
      this.deps.metrics.latestUpdates.inc({
        kind: "deriv",
        outcome: Number(applied) > 0 ? "applied" : "stale",
      });
    });
  }
}
