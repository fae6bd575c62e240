import type { Queryable } from "../queryable.ts";
import type { StoredMarket } from "../writes/markets.ts";

export type MarketRow = StoredMarket & { updatedAt: number };

/** Instrument metadata, ordered by exchange and market. */
export async function selectMarkets(sql: Queryable, q: { exchange?: string } = {}): Promise<MarketRow[]> {
  return sql<MarketRow[]>`
    select exchange, market, symbol, base, quote, type, status,
           tick_size as "tickSize", lot_size as "lotSize", min_notional as "minNotional", simulated,
           (extract(epoch from updated_at) * 1000)::float8 as "updatedAt"
    from markets
    ${q.exchange !== undefined ? sql`where exchange = ${q.exchange}` : sql``}
    order by exchange, market`;
}
