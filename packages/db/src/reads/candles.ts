import type { Candle, CandleInterval } from "@tickerplant/core";
import type { Queryable } from "../queryable.ts";
import { intervalWidthMs, isHistoryInterval } from "../rollups.ts";
import { msToTimestamptz } from "../time.ts";
import { DEFAULT_LIMIT, type TimeRange } from "./range.ts";

export interface CandleQuery extends TimeRange {
  exchange: string;
  market: string;
  interval: CandleInterval;
}

/**
 * Candles of one interval, oldest first (by open time). With `from`: the first `limit` candles
 * opening at or after it; without: the last `limit` candles opening at or before `to` (or now),
 * like exchange kline endpoints. Open (unfinished) candles are included (`closed: false`).
 *
 * The exchange's own candles of that interval come first; for the rolled-up intervals (5m … 1w)
 * the `candles_<interval>` view fills every bucket the exchange's stream did not give (backfilled
 * or healed 1m history). A rolled-up candle is closed when its bucket has ended and every 1m
 * candle in it was closed; its `closeTime` is the bucket's last millisecond (like the exchanges'), its `ts` the end of the bucket (or now, while it is open).
 */
export async function selectCandles(sql: Queryable, q: CandleQuery): Promise<Candle[]> {
  const fromStart = q.from !== undefined;
  const limit = q.limit ?? DEFAULT_LIMIT;
  const order = fromStart ? sql`open_time asc` : sql`open_time desc`;
  const window = sql`
    ${fromStart ? sql`and open_time >= ${msToTimestamptz(q.from as number)}::text::timestamptz` : sql``}
    ${q.to !== undefined ? sql`and open_time <= ${msToTimestamptz(q.to)}::text::timestamptz` : sql``}`;
  const stored = sql`
    select exchange, market, symbol, updated_at as ts_at, coalesce(recv_time, updated_at) as recv_at,
           open_time, close_time, open, high, low, close, volume, quote_volume, trades, closed, simulated,
           0 as pref
    from candles
    where exchange = ${q.exchange} and market = ${q.market} and interval = ${q.interval} ${window}
    order by ${order}
    limit ${limit}`;
  const rolledUp =
    q.interval !== "1m" && isHistoryInterval(q.interval)
      ? sql`
    union all
    (select exchange, market, null, least(now(), open_time + ${`${intervalWidthMs(q.interval)} milliseconds`}::interval),
           least(now(), open_time + ${`${intervalWidthMs(q.interval)} milliseconds`}::interval),
           open_time, open_time + ${`${intervalWidthMs(q.interval) - 1} milliseconds`}::interval,
           open, high, low, close, volume, quote_volume, trades,
           base_closed and open_time + ${`${intervalWidthMs(q.interval)} milliseconds`}::interval <= now(),
           simulated, 1
     from ${sql(`candles_${q.interval}`)}
     where exchange = ${q.exchange} and market = ${q.market} ${window}
     order by ${order}
     limit ${limit})`
      : sql``;
  const rows = await sql<Omit<Candle, "type">[]>`
    select u.exchange, u.market, coalesce(u.symbol, m.symbol, '') as symbol,
           (extract(epoch from u.ts_at) * 1000)::float8 as ts,
           (extract(epoch from u.recv_at) * 1000)::float8 as "recvTs",
           ${q.interval}::text as interval,
           (extract(epoch from u.open_time) * 1000)::float8 as "openTime",
           (extract(epoch from u.close_time) * 1000)::float8 as "closeTime",
           u.open, u.high, u.low, u.close, u.volume, u.quote_volume as "quoteVolume",
           u.trades::float8 as trades, u.closed, u.simulated
    from (
      select distinct on (open_time) *
      from ((${stored}) ${rolledUp}) as both_sources
      order by open_time, pref
    ) u
    left join markets m on m.exchange = u.exchange and m.market = u.market
    order by ${fromStart ? sql`u.open_time asc` : sql`u.open_time desc`}
    limit ${limit}`;
  const candles = rows.map((r): Candle => ({ type: "candle", ...r }));
  return fromStart ? candles : candles.reverse();
}
