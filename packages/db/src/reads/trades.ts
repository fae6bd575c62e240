import type { Trade } from "@tickerplant/core";
import type { Queryable } from "../queryable.ts";
import { msToTimestamptz } from "../time.ts";
import { DEFAULT_LIMIT, type TimeRange } from "./range.ts";

export interface TradeQuery extends TimeRange {
  exchange: string;
  market: string;
  /** `desc` (default): the newest `limit` trades in the range, newest first. `asc`: the oldest, oldest first. */
  order?: "asc" | "desc";
}

/** Stored trades as normalized `trade` messages (symbol from the row, else from `markets`). */
export async function selectTrades(sql: Queryable, q: TradeQuery): Promise<Trade[]> {
  const asc = q.order === "asc";
  const rows = await sql<Omit<Trade, "type">[]>`
    select t.exchange, t.market, coalesce(t.symbol, m.symbol, '') as symbol,
           (extract(epoch from t.time) * 1000)::float8 as ts,
           (extract(epoch from t.recv_time) * 1000)::float8 as "recvTs",
           t.trade_id as id, t.price, t.amount, t.side, t.simulated
    from trades t
    left join markets m on m.exchange = t.exchange and m.market = t.market
    where t.exchange = ${q.exchange} and t.market = ${q.market}
      ${q.from !== undefined ? sql`and t.time >= ${msToTimestamptz(q.from)}::text::timestamptz` : sql``}
      ${q.to !== undefined ? sql`and t.time <= ${msToTimestamptz(q.to)}::text::timestamptz` : sql``}
    order by ${asc ? sql`t.time asc, t.trade_id asc` : sql`t.time desc, t.trade_id desc`}
    limit ${q.limit ?? DEFAULT_LIMIT}`;
  return rows.map((r) => ({ type: "trade", ...r }));
}
