import type postgres from "postgres";
import { msToTimestamptz } from "./time.ts";

/**
 * Candles rolled up from the stored 1m candles: each interval from the one below it (every bucket
 * of a level lies inside one bucket of the next), so a refresh reads few rows. The views
 * `candles_<interval>` (migration 006) show them, on both the licensed and the Apache path.
 */
export const ROLLUP_LEVELS = [
  { interval: "5m", widthMs: 300_000, width: "5 minutes", source: "1m" },
  { interval: "15m", widthMs: 900_000, width: "15 minutes", source: "5m" },
  { interval: "1h", widthMs: 3_600_000, width: "1 hour", source: "15m" },
  { interval: "4h", widthMs: 14_400_000, width: "4 hours", source: "1h" },
  { interval: "1d", widthMs: 86_400_000, width: "1 day", source: "4h" },
  { interval: "1w", widthMs: 604_800_000, width: "7 days", source: "1d" },
] as const;

export type RollupInterval = (typeof ROLLUP_LEVELS)[number]["interval"];

/** Intervals served from `candles_<interval>` views: the 1m base and its rollups. */
export const HISTORY_INTERVALS = ["1m", ...ROLLUP_LEVELS.map((l) => l.interval)] as const;
export type HistoryInterval = (typeof HISTORY_INTERVALS)[number];

export function isHistoryInterval(interval: string): interval is HistoryInterval {
  return (HISTORY_INTERVALS as readonly string[]).includes(interval);
}

export function intervalWidthMs(interval: HistoryInterval): number {
  return interval === "1m" ? 60_000 : (ROLLUP_LEVELS.find((l) => l.interval === interval)?.widthMs ?? 0);
}

/** TimescaleDB's default `time_bucket` origin (a Monday): weeks start on Mondays 00:00 UTC. */
const BUCKET_ORIGIN_MS = Date.UTC(2000, 0, 3);

/** `time_bucket(width, t)` in epoch ms, the same alignment the SQL uses. */
export function bucketStart(t: number, widthMs: number): number {
  return Math.floor((t - BUCKET_ORIGIN_MS) / widthMs) * widthMs + BUCKET_ORIGIN_MS;
}

/** Which storage the views read: continuous aggregates (licensed) or the refreshed table. */
export async function rollupMode(sql: postgres.Sql): Promise<"continuous-aggregates" | "rollup-table"> {
  const [row] = await sql<{ n: number }[]>`
    select count(*)::int as n from pg_class where relname = 'candle_rollups' and relkind in ('r', 'p')`;
  return (row?.n ?? 0) > 0 ? "rollup-table" : "continuous-aggregates";
}

interface Range {
  exchange: string;
  market: string;
  from: number;
  to: number;
}

/** Per market: ranges widened to whole buckets of `widthMs`, overlapping ones merged. */
export function bucketRanges(ranges: readonly Range[], widthMs: number): Range[] {
  const byMarket = new Map<string, Range[]>();
  for (const r of ranges) {
    const key = `${r.exchange}\u0000${r.market}`;
    const list = byMarket.get(key) ?? [];
    list.push({ ...r, from: bucketStart(r.from, widthMs), to: bucketStart(r.to - 1, widthMs) + widthMs });
    byMarket.set(key, list);
  }
  const out: Range[] = [];
  for (const list of byMarket.values()) {
    list.sort((a, b) => a.from - b.from);
    let cur: Range | undefined;
    for (const r of list) {
      if (cur && r.from <= cur.to) cur.to = Math.max(cur.to, r.to);
      else {
        if (cur) out.push(cur);
        cur = { ...r };
      }
    }
    if (cur) out.push(cur);
  }
  return out;
}

export interface RollupRefreshResult {
  /** false when another process held the refresh lock, or the views are continuous aggregates. */
  ran: boolean;
  /** Market/day ranges whose 1m candles changed since the last refresh. */
  ranges: number;
  /** Rollup rows written per interval. */
  rows: Record<string, number>;
}

/** Re-read a little before the watermark: a transaction that started earlier may commit later. */
const WATERMARK_OVERLAP = "2 minutes";
const LOCK_SQL = "select pg_try_advisory_xact_lock(hashtext('tickerplant:candle-rollups')) as locked";

/**
 * Incremental refresh of `candle_rollups` (Apache path): finds the days whose 1m candles were
 * written since the last run, and recomputes every level's buckets over those days, lowest level
 * first. One refresh at a time across all processes (an advisory lock; a busy lock skips).
 */
export async function refreshCandleRollups(sql: postgres.Sql): Promise<RollupRefreshResult> {
  if ((await rollupMode(sql)) !== "rollup-table") return { ran: false, ranges: 0, rows: {} };
  return sql.begin(async (tx) => {
    const [lock] = await tx.unsafe<{ locked: boolean }[]>(LOCK_SQL);
    if (!lock?.locked) return { ran: false, ranges: 0, rows: {} };
    const [state] = await tx<{ watermark: string }[]>`
      select watermark::text from rollup_state where name = 'candles'`;
    const changed = await tx<{ exchange: string; market: string; day: number }[]>`
      select exchange, market, (extract(epoch from time_bucket('1 day', open_time)) * 1000)::float8 as day
      from candles
      where interval = '1m'
        ${state ? tx`and written_at > ${state.watermark}::timestamptz - ${WATERMARK_OVERLAP}::interval` : tx``}
      group by 1, 2, 3`;
    const days: Range[] = changed.map((c) => ({
      exchange: c.exchange,
      market: c.market,
      from: c.day,
      to: c.day + 86_400_000,
    }));
    const rows: Record<string, number> = {};
    for (const level of ROLLUP_LEVELS) {
      const ranges = bucketRanges(days, level.widthMs);
      rows[level.interval] = ranges.length === 0 ? 0 : await rollUp(tx, level, ranges);
    }
    await tx`
      insert into rollup_state (name, watermark) values ('candles', now())
      on conflict (name) do update set watermark = excluded.watermark`;
    return { ran: true, ranges: days.length, rows };
  });
}

async function rollUp(
  tx: postgres.TransactionSql,
  level: (typeof ROLLUP_LEVELS)[number],
  ranges: Range[],
): Promise<number> {
  const source = `candles_${level.source}`;
  const result = await tx`
    with r as (
      select * from unnest(
        ${tx.array(ranges.map((r) => r.exchange))}::text[],
        ${tx.array(ranges.map((r) => r.market))}::text[],
        ${tx.array(ranges.map((r) => msToTimestamptz(r.from)))}::text[]::timestamptz[],
        ${tx.array(ranges.map((r) => msToTimestamptz(r.to)))}::text[]::timestamptz[]
      ) as r(exchange, market, f, t)
    )
    insert into candle_rollups (exchange, market, interval, open_time, open, high, low, close, volume,
                                quote_volume, trades, base_candles, base_closed, simulated, refreshed_at)
    select s.exchange, s.market, ${level.interval}, time_bucket(${level.width}::interval, s.open_time) as bucket,
           first(s.open, s.open_time), max(s.high), min(s.low), last(s.close, s.open_time), sum(s.volume),
           case when count(s.quote_volume) = count(*) then sum(s.quote_volume) end,
           case when count(s.trades) = count(*) then sum(s.trades) end,
           sum(s.base_candles)::int, bool_and(s.base_closed), bool_or(s.simulated), now()
    from r join ${tx(source)} s
      on s.exchange = r.exchange and s.market = r.market and s.open_time >= r.f and s.open_time < r.t
    group by s.exchange, s.market, bucket
    on conflict (exchange, market, interval, open_time) do update set
      open = excluded.open, high = excluded.high, low = excluded.low, close = excluded.close,
      volume = excluded.volume, quote_volume = excluded.quote_volume, trades = excluded.trades,
      base_candles = excluded.base_candles, base_closed = excluded.base_closed,
      simulated = excluded.simulated, refreshed_at = excluded.refreshed_at`;
  return result.count;
}
