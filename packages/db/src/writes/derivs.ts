import type { Deriv } from "@tickerplant/core";
import type { Queryable } from "../queryable.ts";
import { msToTimestamptz, optionalMsToTimestamptz } from "../time.ts";

/** The values a deriv message may carry; null means "not in this message", never "cleared". */
export const DERIV_FIELDS = [
  "markPrice",
  "indexPrice",
  "fundingRate",
  "nextFundingTime",
  "openInterest",
] as const;
export type DerivField = (typeof DERIV_FIELDS)[number];

/**
 * Folds messages with the same exchange, market and time into one row (ON CONFLICT DO UPDATE
 * cannot touch a row twice): a value the first message lacks is taken from the next. The SQL
 * fills values the same way, so the first value stored for a time is never overwritten.
 */
function foldByTime(derivs: readonly Deriv[]): Deriv[] {
  const byKey = new Map<string, Deriv>();
  for (const d of derivs) {
    const key = `${d.exchange}\u0000${d.market}\u0000${d.ts}`;
    const prev = byKey.get(key);
    if (!prev) {
      byKey.set(key, { ...d });
      continue;
    }
    for (const f of DERIV_FIELDS) if (prev[f] === null) prev[f] = d[f];
  }
  return [...byKey.values()];
}

/**
 * Stores deriv messages, one row per (exchange, market, time). Messages are partial (Binance's
 * open interest comes from a REST poll, OKX splits them over four channels), so a second message
 * with the same exchange time fills the values the row lacks instead of being dropped; values
 * already stored are kept, so replays and duplicates change nothing. Returns rows inserted or filled.
 */
export async function insertDerivs(sql: Queryable, derivs: readonly Deriv[]): Promise<number> {
  if (derivs.length === 0) return 0;
  const rows = foldByTime(derivs);
  const result = await sql`
    insert into derivs as d (time, exchange, market, symbol, mark_price, index_price, funding_rate,
                             next_funding_time, open_interest, recv_time, simulated)
    select * from unnest(
      ${sql.array(rows.map((r) => msToTimestamptz(r.ts)))}::text[]::timestamptz[],
      ${sql.array(rows.map((r) => r.exchange))}::text[],
      ${sql.array(rows.map((r) => r.market))}::text[],
      ${sql.array(rows.map((r) => r.symbol))}::text[],
      ${sql.array(rows.map((r) => r.markPrice))}::float8[],
      ${sql.array(rows.map((r) => r.indexPrice))}::float8[],
      ${sql.array(rows.map((r) => r.fundingRate))}::float8[],
      ${sql.array(rows.map((r) => optionalMsToTimestamptz(r.nextFundingTime)))}::text[]::timestamptz[],
      ${sql.array(rows.map((r) => r.openInterest))}::float8[],
      ${sql.array(rows.map((r) => msToTimestamptz(r.recvTs)))}::text[]::timestamptz[],
      ${sql.array(rows.map((r) => r.simulated === true))}::bool[]
    )
    on conflict (exchange, market, time) do update set
      mark_price = coalesce(d.mark_price, excluded.mark_price),
      index_price = coalesce(d.index_price, excluded.index_price),
      funding_rate = coalesce(d.funding_rate, excluded.funding_rate),
      next_funding_time = coalesce(d.next_funding_time, excluded.next_funding_time),
      open_interest = coalesce(d.open_interest, excluded.open_interest)
    where (d.mark_price is null and excluded.mark_price is not null)
       or (d.index_price is null and excluded.index_price is not null)
       or (d.funding_rate is null and excluded.funding_rate is not null)
       or (d.next_funding_time is null and excluded.next_funding_time is not null)
       or (d.open_interest is null and excluded.open_interest is not null)`;
  return result.count;
}
