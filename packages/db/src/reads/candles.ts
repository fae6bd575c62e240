import type { Candle, CandleInterval } from "@tickerplant/core";
import type { Queryable } from "../queryable.ts";
import { msToTimestamptz } from "../time.ts";
import { DEFAULT_LIMIT, type TimeRange } from "./range.ts";

export interface CandleQuery extends TimeRange {
  exchange: string;
  market: string;
  interval: CandleInterval;
}

/**
 * Stored candles of one interval, oldest first (by open time). With `from`: the first `limit`
 * candles opening at or after it; without: the last `limit` candles opening at or before `to`
 * (or now), like exchange kline endpoints. Open (unfinished) candles are included (`closed: false`).
 */
export async function selectCandles(sql: Queryable, q: CandleQuery): Promise<Candle[]> {
  const fromStart = q.from !== undefined;
  const rows = await sql<Omit<Candle, "type">[]>`
    select c.exchange, c.market, coalesce(c.symbol, m.symbol, '') as symbol,
           (extract(epoch from c.updated_at) * 1000)::float8 as ts,
           (extract(epoch from coalesce(c.recv_time, c.updated_at)) * 1000)::float8 as "recvTs",
           c.interval,
           (extract(epoch from c.open_time) * 1000)::float8 as "openTime",
           (extract(epoch from c.close_time) * 1000)::float8 as "closeTime",
           c.open, c.high, c.low, c.close, c.volume, c.quote_volume as "quoteVolume",
           c.trades::float8 as trades, c.closed, c.simulated
    from candles c
    left join markets m on m.exchange = c.exchange and m.market = c.market
    where c.exchange = ${q.exchange} and c.market = ${q.market} and c.interval = ${q.interval}
      ${fromStart ? sql`and c.open_time >= ${msToTimestamptz(q.from as number)}::text::timestamptz` : sql``}
      ${q.to !== undefined ? sql`and c.open_time <= ${msToTimestamptz(q.to)}::text::timestamptz` : sql``}
    order by ${fromStart ? sql`c.open_time asc` : sql`c.open_time desc`}
    limit ${q.limit ?? DEFAULT_LIMIT}`;
  const candles = rows.map((r): Candle => ({ type: "candle", ...r }));
  return fromStart ? candles : candles.reverse();
}
