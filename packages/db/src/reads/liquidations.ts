import type { Liquidation } from "@tickerplant/core";
import type { Queryable } from "../queryable.ts";
import { msToTimestamptz } from "../time.ts";
import { DEFAULT_LIMIT, type TimeRange } from "./range.ts";

export interface LiquidationQuery extends TimeRange {
  exchange: string;
  market: string;
  /** `desc` (default): the newest `limit` in the range, newest first. `asc`: the oldest, oldest first. */
  order?: "asc" | "desc";
}

/** Stored liquidations as normalized `liquidation` messages (symbol from the row, else from `markets`). */
export async function selectLiquidations(sql: Queryable, q: LiquidationQuery): Promise<Liquidation[]> {
  const asc = q.order === "asc";
  const rows = await sql<Array<Omit<Liquidation, "type"> & { recvTs: number | null }>>`
    select l.exchange, l.market, coalesce(l.symbol, m.symbol, '') as symbol,
           (extract(epoch from l.time) * 1000)::float8 as ts,
           (extract(epoch from l.recv_time) * 1000)::float8 as "recvTs",
           l.liq_id as id, l.price, l.amount, l.side, l.simulated
    from liquidations l
    left join markets m on m.exchange = l.exchange and m.market = l.market
    where l.exchange = ${q.exchange} and l.market = ${q.market}
      ${q.from !== undefined ? sql`and l.time >= ${msToTimestamptz(q.from)}::text::timestamptz` : sql``}
      ${q.to !== undefined ? sql`and l.time <= ${msToTimestamptz(q.to)}::text::timestamptz` : sql``}
    order by ${asc ? sql`l.time asc, l.liq_id asc` : sql`l.time desc, l.liq_id desc`}
    limit ${q.limit ?? DEFAULT_LIMIT}`;
  return rows.map((r) => ({ type: "liquidation", ...r, recvTs: r.recvTs ?? r.ts }));
}
