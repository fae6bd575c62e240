import type { Queryable } from "../queryable.ts";

export interface ExchangeSummary {
  exchange: string;
  /** Markets listed in `markets` for this exchange (0 when it only has stored data). */
  markets: number;
  /** True when any listed market comes from the exchange simulator. */
  simulated: boolean;
}

/**
 * Exchanges that have listed markets, stored trades or stored candles. The distinct exchanges of
 * the hypertables are found with a loose index scan (one index probe per exchange) rather than
 * a scan of every row.
 */
export async function listExchangesWithData(sql: Queryable): Promise<ExchangeSummary[]> {
  return sql<ExchangeSummary[]>`
    with recursive
      t(exchange) as (
        (select exchange from trades order by exchange limit 1)
        union all
        select (select x.exchange from trades x where x.exchange > t.exchange order by x.exchange limit 1)
        from t where t.exchange is not null
      ),
      c(exchange) as (
        (select exchange from candles order by exchange limit 1)
        union all
        select (select x.exchange from candles x where x.exchange > c.exchange order by x.exchange limit 1)
        from c where c.exchange is not null
      ),
      e(exchange) as (
        select exchange from t where exchange is not null
        union select exchange from c where exchange is not null
        union select exchange from markets
      )
    select e.exchange, count(m.market)::int as markets, coalesce(bool_or(m.simulated), false) as simulated
    from e left join markets m on m.exchange = e.exchange
    group by e.exchange
    order by e.exchange`;
}
