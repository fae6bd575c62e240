import type { Deriv } from "@tickerplant/core";
import type { Queryable } from "../queryable.ts";
import { msToTimestamptz } from "../time.ts";
import { DEFAULT_LIMIT, type TimeRange } from "./range.ts";

export interface DerivQuery extends TimeRange {
  exchange: string;
  market: string;
  /** `desc` (default): the newest `limit` rows in the range, newest first. `asc`: the oldest, oldest first. */
  order?: "asc" | "desc";
}

/**
 * Stored deriv rows as normalized `deriv` messages (symbol from the row, else from `markets`).
 * A null value was not in the messages of that time; it was not cleared.
 */
export async function selectDerivs(sql: Queryable, q: DerivQuery): Promise<Deriv[]> {
  const asc = q.order === "asc";
  const rows = await sql<Array<Omit<Deriv, "type"> & { recvTs: number | null }>>`
    select d.exchange, d.market, coalesce(d.symbol, m.symbol, '') as symbol,
           (extract(epoch from d.time) * 1000)::float8 as ts,
           (extract(epoch from d.recv_time) * 1000)::float8 as "recvTs",
           d.mark_price as "markPrice", d.index_price as "indexPrice", d.funding_rate as "fundingRate",
           (extract(epoch from d.next_funding_time) * 1000)::float8 as "nextFundingTime",
           d.open_interest as "openInterest", d.simulated
    from derivs d
    left join markets m on m.exchange = d.exchange and m.market = d.market
    where d.exchange = ${q.exchange} and d.market = ${q.market}
      ${q.from !== undefined ? sql`and d.time >= ${msToTimestamptz(q.from)}::text::timestamptz` : sql``}
      ${q.to !== undefined ? sql`and d.time <= ${msToTimestamptz(q.to)}::text::timestamptz` : sql``}
    order by ${asc ? sql`d.time asc` : sql`d.time desc`}
    limit ${q.limit ?? DEFAULT_LIMIT}`;
  return rows.map((r) => ({ type: "deriv", ...r, recvTs: r.recvTs ?? r.ts }));
}
