import type { MarketInfo } from "@tickerplant/core";
import type { Queryable } from "../queryable.ts";

export type StoredMarket = MarketInfo & { simulated: boolean };

/** Inserts or refreshes instrument metadata (one row per exchange and market). Returns rows written. */
export async function upsertMarkets(sql: Queryable, markets: readonly StoredMarket[]): Promise<number> {
  if (markets.length === 0) return 0;
  const byKey = new Map(markets.map((m) => [`${m.exchange}\u0000${m.market}`, m])); // last wins
  const rows = [...byKey.values()];
  const result = await sql`
    insert into markets (exchange, market, symbol, base, quote, type, status, tick_size, lot_size, min_notional,
                         simulated, updated_at)
    select *, now() from unnest(
      ${sql.array(rows.map((m) => m.exchange))}::text[],
      ${sql.array(rows.map((m) => m.market))}::text[],
      ${sql.array(rows.map((m) => m.symbol))}::text[],
      ${sql.array(rows.map((m) => m.base))}::text[],
      ${sql.array(rows.map((m) => m.quote))}::text[],
      ${sql.array(rows.map((m) => m.type))}::text[],
      ${sql.array(rows.map((m) => m.status))}::text[],
      ${sql.array(rows.map((m) => m.tickSize))}::float8[],
      ${sql.array(rows.map((m) => m.lotSize))}::float8[],
      ${sql.array(rows.map((m) => m.minNotional))}::float8[],
      ${sql.array(rows.map((m) => m.simulated))}::bool[]
    )
    on conflict (exchange, market) do update set
      symbol = excluded.symbol,
      base = excluded.base,
      quote = excluded.quote,
      type = excluded.type,
      status = excluded.status,
      tick_size = excluded.tick_size,
      lot_size = excluded.lot_size,
      min_notional = excluded.min_notional,
      simulated = excluded.simulated,
      updated_at = excluded.updated_at`;
  return result.count;
}
