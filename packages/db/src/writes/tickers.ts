import type { Ticker } from "@tickerplant/core";
import type { Queryable } from "../queryable.ts";
import { msToTimestamptz } from "../time.ts";

/** Start of the `sampleMs` bucket (aligned to the epoch) holding `ts`. */
export function sampleBucket(ts: number, sampleMs: number): number {
  return Math.floor(ts / sampleMs) * sampleMs;
}

/**
 * Inserts ticker history rows (the caller samples them); a row already stored for the same
 * exchange, market and time is skipped. With `sampleMs`, a row is also skipped when its market
 * already has one in the same epoch-aligned `sampleMs` bucket (stored by another writer, or before
 * a restart). Returns the number of rows inserted.
 */
export async function insertTickers(
  sql: Queryable,
  tickers: readonly Ticker[],
  options: { sampleMs?: number } = {},
): Promise<number> {
  if (tickers.length === 0) return 0;
  const sampleMs = options.sampleMs && options.sampleMs > 0 ? options.sampleMs : null;
  const buckets = tickers.map((t) => (sampleMs ? msToTimestamptz(sampleBucket(t.ts, sampleMs)) : null));
  const result = await sql`
    insert into tickers (time, exchange, market, symbol, last, open, high, low, volume, quote_volume,
                         change, change_pct, bid, ask, simulated)
    select r.time, r.exchange, r.market, r.symbol, r.last, r.open, r.high, r.low, r.volume, r.quote_volume,
           r.change, r.change_pct, r.bid, r.ask, r.simulated
    from unnest(
      ${sql.array(tickers.map((t) => msToTimestamptz(t.ts)))}::text[]::timestamptz[],
      ${sql.array(tickers.map((t) => t.exchange))}::text[],
      ${sql.array(tickers.map((t) => t.market))}::text[],
      ${sql.array(tickers.map((t) => t.symbol))}::text[],
      ${sql.array(tickers.map((t) => t.last))}::float8[],
      ${sql.array(tickers.map((t) => t.open))}::float8[],
      ${sql.array(tickers.map((t) => t.high))}::float8[],
      ${sql.array(tickers.map((t) => t.low))}::float8[],
      ${sql.array(tickers.map((t) => t.volume))}::float8[],
      ${sql.array(tickers.map((t) => t.quoteVolume))}::float8[],
      ${sql.array(tickers.map((t) => t.change))}::float8[],
      ${sql.array(tickers.map((t) => t.changePct))}::float8[],
      ${sql.array(tickers.map((t) => t.bid))}::float8[],
      ${sql.array(tickers.map((t) => t.ask))}::float8[],
      ${sql.array(tickers.map((t) => t.simulated === true))}::bool[],
      ${sql.array(buckets)}::text[]::timestamptz[]
    ) as r(time, exchange, market, symbol, last, open, high, low, volume, quote_volume,
           change, change_pct, bid, ask, simulated, bucket)
    where r.bucket is null or not exists (
      select 1 from tickers s
      where s.exchange = r.exchange and s.market = r.market
        and s.time >= r.bucket and s.time < r.bucket + ${sampleMs ?? 0}::float8 * interval '1 millisecond')
    on conflict do nothing`;
  return result.count;
}
