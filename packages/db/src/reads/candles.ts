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
 * A `CandleRow` as PostgreSQL wrote it, in three columns: the symbol's text; the other 13 values'
 * texts joined by commas, an empty field for SQL null (e.g. `…,100.5,,t`); and `CANDLE_TEXT_LISTED`.
 * One column for the values, not 13: postgres.js makes a Buffer per column it receives (~170 ns
 * each, a third of a 500-row read's client CPU as 13 columns).
 */
export type CandleRowText = [symbol: Buffer, values: Buffer, listed: Buffer];

/**
 * `CandleRowText`'s last column: `t` when the market may be served — the exchange's market list
 * has it, or the exchange has no list in SQL yet; `f` otherwise. Read with the rows, in the same
 * snapshot: a reader that 404s unknown markets needs no query of its own when rows come back.
 */
export const CANDLE_TEXT_LISTED = 2;

/**
 * The rows of `selectCandleRows` unparsed, oldest first: for a reader that copies the numbers'
 * text into JSON instead of parsing and formatting some 7,000 values per 500 candles.
 */
export async function selectCandleRowText(sql: Queryable, q: CandleQuery): Promise<CandleRowText[]> {
  const { query, newestFirst } = candleQuery(sql, q, true);
  const rows = (await query.raw()) as unknown as CandleRowText[];
  return newestFirst ? rows.reverse() : rows;
}

/** The candle query, its columns in `CandleRow` order (or `CandleRowText`'s); newest first when it has no `from`. */
function candleQuery(sql: Queryable, q: CandleQuery, text = false) {
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
  const symbol = sql`coalesce(u.symbol, (select symbol from markets where exchange = ${q.exchange} and market = ${q.market}), '')`;
  const ts = sql.unsafe(epochMsSql("u.ts_at"));
  const recv = sql.unsafe(epochMsSql("u.recv_at"));
  const open = sql.unsafe(epochMsSql("u.open_time"));
  const close = sql.unsafe(epochMsSql("u.close_time"));
  const columns = text
    ? sql`${symbol},
          concat_ws(',', ${ts}, ${recv}, u.simulated, ${open}, ${close}, u.open, u.high, u.low, u.close, u.volume,
                    coalesce(u.quote_volume::text, ''), coalesce(u.trades::float8::text, ''), u.closed),
          exists(select 1 from markets where exchange = ${q.exchange} and market = ${q.market})
            or not exists(select 1 from markets where exchange = ${q.exchange})`
    : sql`${symbol}, ${ts}, ${recv}, u.simulated, ${open}, ${close},
          u.open, u.high, u.low, u.close, u.volume, u.quote_volume, u.trades::float8, u.closed`;
  const query = sql`
    select ${columns}
    from (
      select distinct on (open_time) *
      from ((${stored}) ${rolledUp}) as both_sources
      order by open_time, pref
    ) u
    order by ${fromStart ? sql`u.open_time asc` : sql`u.open_time desc`}
    limit ${limit}`;
  return { query, newestFirst: !fromStart };
}
