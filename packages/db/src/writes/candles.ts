import type { Candle } from "@tickerplant/core";
import type { Queryable } from "../queryable.ts";
import { msToTimestamptz } from "../time.ts";

/**
 * Whether `next` may replace `prev` for the same candle: a closed candle replaces an open one; an
 * open update never replaces a closed candle; otherwise the one not older (by `ts`) wins — so a
 * final candle (ts = its close time) is never replaced by a provisional close that arrives later
 * (WhiteBIT's stream close, ts before the close time). The SQL upsert applies the same rule.
 */
export function candleSupersedes(prev: Candle, next: Candle): boolean {
  if (next.closed !== prev.closed) return next.closed;
  return next.ts >= prev.ts;
}

/** One row per (exchange, market, interval, openTime): ON CONFLICT DO UPDATE cannot touch a row twice. */
function dedupe(candles: readonly Candle[]): Candle[] {
  const byKey = new Map<string, Candle>();
  for (const c of candles) {
    const key = `${c.exchange}\u0000${c.market}\u0000${c.interval}\u0000${c.openTime}`;
    const prev = byKey.get(key);
    if (!prev || candleSupersedes(prev, c)) byKey.set(key, c);
  }
  return [...byKey.values()];
}

/**
 * Upserts candles in one statement. Stored `updated_at` is the update's event time (`ts`).
 * Returns the number of rows inserted or changed.
 */
export async function upsertCandles(sql: Queryable, candles: readonly Candle[]): Promise<number> {
  if (candles.length === 0) return 0;
  const rows = dedupe(candles);
  const result = await sql`
    insert into candles (exchange, market, symbol, interval, open_time, close_time, open, high, low, close,
                         volume, quote_volume, trades, closed, updated_at, recv_time, simulated)
    select * from unnest(
      ${sql.array(rows.map((c) => c.exchange))}::text[],
      ${sql.array(rows.map((c) => c.market))}::text[],
      ${sql.array(rows.map((c) => c.symbol))}::text[],
      ${sql.array(rows.map((c) => c.interval))}::text[],
      ${sql.array(rows.map((c) => msToTimestamptz(c.openTime)))}::text[]::timestamptz[],
      ${sql.array(rows.map((c) => msToTimestamptz(c.closeTime)))}::text[]::timestamptz[],
      ${sql.array(rows.map((c) => c.open))}::float8[],
      ${sql.array(rows.map((c) => c.high))}::float8[],
      ${sql.array(rows.map((c) => c.low))}::float8[],
      ${sql.array(rows.map((c) => c.close))}::float8[],
      ${sql.array(rows.map((c) => c.volume))}::float8[],
      ${sql.array(rows.map((c) => c.quoteVolume))}::float8[],
      ${sql.array(rows.map((c) => (c.trades === null ? null : Math.round(c.trades))))}::int8[],
      ${sql.array(rows.map((c) => c.closed))}::bool[],
      ${sql.array(rows.map((c) => msToTimestamptz(c.ts)))}::text[]::timestamptz[],
      ${sql.array(rows.map((c) => msToTimestamptz(c.recvTs)))}::text[]::timestamptz[],
      ${sql.array(rows.map((c) => c.simulated === true))}::bool[]
    )
    on conflict (exchange, market, interval, open_time) do update set
      symbol = excluded.symbol,
      close_time = excluded.close_time,
      open = excluded.open,
      high = excluded.high,
      low = excluded.low,
      close = excluded.close,
      volume = excluded.volume,
      quote_volume = excluded.quote_volume,
      trades = excluded.trades,
      closed = excluded.closed,
      updated_at = excluded.updated_at,
      recv_time = excluded.recv_time,
      simulated = excluded.simulated
    where (excluded.closed and not candles.closed)
       or (excluded.closed = candles.closed and excluded.updated_at >= candles.updated_at)`;
  return result.count;
}
