import { parseMarketKey, redisKeys } from "@tickerplant/core";
import type { Redis } from "@tickerplant/runtime";

/**
 * Reads the latest-state hashes the storage-writer and analyzer keep in Redis:
 * `ticker:<ex>:<mkt>`, `bbo:<ex>:<mkt>`, `stats:<ex>:<mkt>`, `deriv:<ex>:<mkt>` (field `json` = the
 * full message — for deriv the merged state —, `updatedAt` = ms) and `source:<ex>` (fields source,
 * url, updatedAt; set by the ingestor).
 */

export type LatestKind = "ticker" | "bbo" | "stats" | "deriv";
/** The kinds whose WebSocket channels get the stored value as a snapshot on subscribe. */
export const LATEST_KINDS: readonly LatestKind[] = ["ticker", "bbo", "stats"];

export interface LatestEntry {
  kind: LatestKind;
  exchange: string;
  market: string;
  /** The stored message, parsed; not yet validated. */
  data: unknown;
  updatedAt: number | null;
  /** The JetStream sequence of the stored message, when the writer records it. */
  seq: number | null;
}

/** Most keys one read returns: a pattern over every market stays bounded. */
export const MAX_LATEST_KEYS = 10_000;

async function scanKeys(redis: Redis, pattern: string, limit: number): Promise<string[]> {
  const keys = new Set<string>();
  let cursor = "0";
  do {
    const [next, batch] = await redis.scan(cursor, "MATCH", pattern, "COUNT", 1000);
    cursor = next;
    for (const k of batch) keys.add(k);
  } while (cursor !== "0" && keys.size < limit);
  return [...keys].sort().slice(0, limit);
}

/** Latest values of one kind; `exchange`/`market` may be `*`. Sorted by key. */
export async function readLatest(
  redis: Redis,
  kind: LatestKind,
  exchange = "*",
  market = "*",
): Promise<LatestEntry[]> {
  const key = redisKeys.market(kind, exchange, market);
  const keys = exchange !== "*" && market !== "*" ? [key] : await scanKeys(redis, key, MAX_LATEST_KEYS);
  if (keys.length === 0) return [];
  const pipeline = redis.pipeline();
  for (const key of keys) pipeline.hmget(key, "json", "updatedAt", "seq");
  const results = (await pipeline.exec()) ?? [];
  const out: LatestEntry[] = [];
  results.forEach(([err, value], i) => {
    if (err) throw err;
    const [json, updatedAt, seq] = value as [string | null, string | null, string | null];
    if (json === null) return;
    const at = parseMarketKey(keys[i]!);
    if (!at) return;
    let data: unknown;
    try {
      data = JSON.parse(json);
    } catch {
      data = undefined; // reported by the caller as an invalid record
    }
    out.push({
      kind,
      exchange: at.exchange,
      market: at.market,
      data,
      updatedAt: toNumber(updatedAt),
      seq: toNumber(seq),
    });
  });
  return out;
}

export interface SourceInfo {
  source: "live" | "simulated" | "unknown";
  url: string | null;
  updatedAt: number | null;
}

/** Where each exchange's data comes from, as the ingestor last reported it. */
export async function readSources(
  redis: Redis,
  exchanges: readonly string[],
): Promise<Map<string, SourceInfo>> {
  const pipeline = redis.pipeline();
  for (const ex of exchanges) pipeline.hmget(redisKeys.source(ex), "source", "url", "updatedAt");
  const results = (await pipeline.exec()) ?? [];
  const out = new Map<string, SourceInfo>();
  results.forEach(([err, value], i) => {
    if (err) throw err;
    const [source, url, updatedAt] = value as [string | null, string | null, string | null];
    out.set(exchanges[i]!, {
      source: source === "live" || source === "simulated" ? source : "unknown",
      url,
      updatedAt: toNumber(updatedAt),
    });
  });
  return out;
}

function toNumber(v: string | null): number | null {
  if (v === null || v === "") return null;
  const n = Number(v);
  return Number.isFinite(n) ? n : null;
}
