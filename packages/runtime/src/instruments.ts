import {
  type ContractSpec,
  contractSpecOf,
  type ExchangeAdapter,
  type JobPriority,
  type MarketInfo,
  redisKeys,
} from "@tickerplant/core";
import type { Redis } from "./redis.ts";
import type { RestExecutor } from "./rest-executor.ts";

/**
 * Each exchange's instruments (tick and lot size, contract value) in Redis, hash
 * `instruments:<exchange>` (field = market, value = MarketInfo JSON): written by the scheduler's
 * markets refresh, read by whoever must convert contract sizes (the ingestor).
 */

/** Replaces the exchange's instruments with `markets` (one MULTI: readers never see half a list). */
export async function writeInstruments(redis: Redis, exchange: string, markets: readonly MarketInfo[]) {
  const key = redisKeys.instruments(exchange);
  const fields: string[] = [];
  for (const m of markets) fields.push(m.market, JSON.stringify(m));
  const tx = redis.multi().del(key);
  if (fields.length > 0) tx.hset(key, ...fields);
  const results = await tx.exec();
  for (const [err] of results ?? []) if (err) throw err;
}

/** The exchange's stored instruments by market (empty when never refreshed). */
export async function readInstruments(redis: Redis, exchange: string): Promise<Map<string, MarketInfo>> {
  const raw = await redis.hgetall(redisKeys.instruments(exchange));
  const out = new Map<string, MarketInfo>();
  for (const [market, json] of Object.entries(raw)) {
    try {
      out.set(market, JSON.parse(json) as MarketInfo);
    } catch {
      // a corrupt entry is no instrument: its market is treated as unknown
    }
  }
  return out;
}

/** The contracts of the markets that have one. */
export function contractSpecs(instruments: ReadonlyMap<string, MarketInfo>): Map<string, ContractSpec> {
  const out = new Map<string, ContractSpec>();
  for (const [market, info] of instruments) {
    const spec = contractSpecOf(info);
    if (spec) out.set(market, spec);
  }
  return out;
}

/**
 * The contracts of `markets` on a contract-sized adapter: from the stored instruments, and for
 * any market they lack (never refreshed, newly listed) from the adapter's instruments endpoint
 * through its metered executor. Markets without a contract value after that are returned as
 * missing (their sizes stay in contracts). Other adapters need none: an empty map.
 */
export async function resolveContracts(
  redis: Redis,
  adapter: ExchangeAdapter,
  executor: RestExecutor,
  markets: readonly string[],
  signal?: AbortSignal,
  priority?: JobPriority,
): Promise<{ contracts: Map<string, ContractSpec>; missing: string[]; fetched: boolean }> {
  if (adapter.contractSized !== true) return { contracts: new Map(), missing: [], fetched: false };
  const contracts = contractSpecs(await readInstruments(redis, adapter.id));
  let fetched = false;
  if (markets.some((m) => !contracts.has(m))) {
    const { body } = await executor.execute(adapter.rest.marketsRequest(), signal, priority);
    const listed = adapter.rest.parseMarkets(body);
    for (const [m, spec] of contractSpecs(new Map(listed.map((i) => [i.market, i]))))
      if (!contracts.has(m)) contracts.set(m, spec);
    fetched = true;
  }
  return { contracts, missing: markets.filter((m) => !contracts.has(m)), fetched };
}
