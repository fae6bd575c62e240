import type postgres from "postgres";

/** How long each hypertable keeps rows, in days (0 = forever). Rollups are small: kept forever. */
export const DEFAULT_RETENTION_DAYS: Readonly<Record<RetainedTable, number>> = {
  trades: 90,
  candles: 730,
  tickers: 30,
  book_snapshots: 30,
  derivs: 180,
  liquidations: 365,
  status_events: 365,
};

export type RetainedTable =
  | "trades"
  | "candles"
  | "tickers"
  | "book_snapshots"
  | "derivs"
  | "liquidations"
  | "status_events";

export const RETAINED_TABLES = Object.keys(DEFAULT_RETENTION_DAYS) as RetainedTable[];

/**
 * Compression layout per table (licensed path): segment by the columns a query filters on, order
 * by time, so every unique key's columns are in one of the two.
 */
const COMPRESSION: Readonly<Record<RetainedTable, { segmentBy: string; orderBy: string }>> = {
  trades: { segmentBy: "exchange, market", orderBy: "time desc, trade_id" },
  candles: { segmentBy: "exchange, market, interval", orderBy: "open_time desc" },
  tickers: { segmentBy: "exchange, market", orderBy: "time desc" },
  book_snapshots: { segmentBy: "exchange, market", orderBy: "time desc" },
  derivs: { segmentBy: "exchange, market", orderBy: "time desc" },
  liquidations: { segmentBy: "exchange, market", orderBy: "time desc, liq_id" },
  status_events: { segmentBy: "exchange, market, event", orderBy: "time desc" },
};

/** Chunks older than this are compressed (licensed path). */
export const COMPRESS_AFTER_DAYS = 7;

export function isLicensed(license: string | null): boolean {
  return license === "timescale";
}

/**
 * Licensed build: native retention and compression policies (run by TimescaleDB's own job
 * scheduler) and the continuous aggregates' refresh policies. Idempotent: a changed retention
 * replaces the policy. Never called on the Apache build, which has none of these functions.
 */
export async function applyTimescalePolicies(
  sql: postgres.Sql,
  retention: Readonly<Record<RetainedTable, number>>,
): Promise<void> {
  for (const table of RETAINED_TABLES) {
    const days = retention[table];
    await sql`select remove_retention_policy(${table}::regclass, if_exists => true)`;
    if (days > 0) {
      await sql`select add_retention_policy(${table}::regclass, ${`${days} days`}::interval)`;
    }
    const c = COMPRESSION[table];
    await sql.unsafe(
      `alter table ${table} set (timescaledb.compress, timescaledb.compress_segmentby = '${c.segmentBy}', timescaledb.compress_orderby = '${c.orderBy}')`,
    );
    await sql`select add_compression_policy(${table}::regclass, ${`${COMPRESS_AFTER_DAYS} days`}::interval, if_not_exists => true)`;
  }
  const aggregates: Array<[string, string, string, string]> = [
    // view, start offset (how far back late 1m candles are re-read), end offset, schedule
    ["candles_5m", "2 days", "1 minute", "1 minute"],
    ["candles_15m", "2 days", "1 minute", "1 minute"],
    ["candles_1h", "3 days", "1 minute", "5 minutes"],
    ["candles_4h", "7 days", "1 minute", "5 minutes"],
    ["candles_1d", "14 days", "1 minute", "15 minutes"],
    ["candles_1w", "35 days", "1 minute", "1 hour"],
  ];
  for (const [view, start, end, every] of aggregates) {
    await sql`select add_continuous_aggregate_policy(${view}::regclass,
      start_offset => ${start}::interval, end_offset => ${end}::interval,
      schedule_interval => ${every}::interval, if_not_exists => true)`;
  }
}

/**
 * Apache build: drops each table's chunks that lie wholly before its retention (the same effect
 * as a retention policy, run by the scheduler). Returns the dropped chunk names per table.
 */
export async function dropExpiredChunks(
  sql: postgres.Sql,
  retention: Readonly<Record<RetainedTable, number>>,
): Promise<Record<string, number>> {
  const dropped: Record<string, number> = {};
  for (const table of RETAINED_TABLES) {
    const days = retention[table];
    if (days <= 0) continue;
    const rows = await sql`
      select drop_chunks(${table}::regclass, older_than => now() - ${`${days} days`}::interval)`;
    dropped[table] = rows.length;
  }
  return dropped;
}
