import type { Candle, CandleInterval } from "@tickerplant/core";
import type { Queryable } from "../queryable.ts";
import { intervalWidthMs, isHistoryInterval } from "../rollups.ts";
import { epochMsSql, msToTimestamptz } from "../time.ts";
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
  return (await selectCandleRows(sql, q)).map(
    ([
      symbol,
      ts,
      recvTs,
      simulated,
      openTime,
      closeTime,
      open,
      high,
      low,
      close,
      volume,
      quoteVolume,
      trades,
      closed,
    ]): Candle => ({
      type: "candle",
      exchange: q.exchange,
      market: q.market,
      symbol,
      ts,
      recvTs,
      simulated,
      interval: q.interval,
      openTime,
      closeTime,
      open,
      high,
      low,
      close,
      volume,
      quoteVolume,
      trades,
      closed,
    }),
  );
}

/**
 * What varies between the candles of one query, in `CandleSchema`'s order; exchange, market and
 * interval are the query's. Rows as arrays: no object per row for a reader that writes them out
 * (the gateway's /candles body).
 */
export type CandleRow = [
  symbol: string,
  ts: number,
  recvTs: number,
  simulated: boolean,
  openTime: number,
  closeTime: number,
  open: number,
  high: number,
  low: number,
  close: number,
  volume: number,
  quoteVolume: number | null,
  trades: number | null,
  closed: boolean,
];

/** The candles of `selectCandles` as `CandleRow`s, oldest first; `symbol` is '' when no row or market has one. */
export async function selectCandleRows(sql: Queryable, q: CandleQuery): Promise<CandleRow[]> {
  const { query, newestFirst } = candleQuery(sql, q);
  const rows = (await query.values()) as unknown as CandleRow[];
  return newestFirst ? rows.reverse() : rows;
}

/**
 * A `CandleRow` as PostgreSQL wrote it: each column's text (null for SQL null), e.g. `100.5`, `t`;
 * then one more, `CANDLE_TEXT_LISTED`.
 */
export type CandleRowText = (Buffer | null)[];

/**
 * `CandleRowText`'s last column: `t` when the market may be served — the exchange's market list
 * has it, or the exchange has no list in SQL yet; `f` otherwise. Read with the rows, in the same
 * snapshot: a reader that 404s unknown markets needs no query of its own when rows come back.
 */
export const CANDLE_TEXT_LISTED = 14;

/**
 * The rows of `selectCandleRows` unparsed, oldest first: for a reader that copies the numbers'
 * text into JSON instead of parsing and formatting some 7,000 values per 500 candles.
 */
export async function selectCandleRowText(sql: Queryable, q: CandleQuery): Promise<CandleRowText[]> {
  const { query, newestFirst } = candleQuery(sql, q, true);
  const rows = (await query.raw()) as unknown as CandleRowText[];
  return newestFirst ? rows.reverse() : rows;
}

/** The candle query, its columns in `CandleRow` order (then `CANDLE_TEXT_LISTED`); newest first when it has no `from`. */
function candleQuery(sql: Queryable, q: CandleQuery, withListed = false) {
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
  // The market's symbol is one lookup (an InitPlan), not a join per row.
  const query = sql`
    select coalesce(u.symbol, (select symbol from markets where exchange = ${q.exchange} and market = ${q.market}), ''),
           ${sql.unsafe(epochMsSql("u.ts_at"))},
           ${sql.unsafe(epochMsSql("u.recv_at"))},
           u.simulated,
           ${sql.unsafe(epochMsSql("u.open_time"))},
           ${sql.unsafe(epochMsSql("u.close_time"))},
           u.open, u.high, u.low, u.close, u.volume, u.quote_volume, u.trades::float8, u.closed
           ${
             withListed
               ? sql`, (exists(select 1 from markets where exchange = ${q.exchange} and market = ${q.market})
                        or not exists(select 1 from markets where exchange = ${q.exchange}))`
               : sql``
           }
    from (
      select distinct on (open_time) *
      from ((${stored}) ${rolledUp}) as both_sources
      order by open_time, pref
    ) u
    order by ${fromStart ? sql`u.open_time asc` : sql`u.open_time desc`}
    limit ${limit}`;
  return { query, newestFirst: !fromStart };
}
