import type { Trade } from "@tickerplant/core";
import type { Queryable } from "../queryable.ts";
import { msToTimestamptz } from "../time.ts";

/**
 * Inserts trades in one statement (one array parameter per column); a trade already stored
 * (same exchange, market, id and time) is skipped. Returns the number of rows inserted.
 */
export async function insertTrades(sql: Queryable, trades: readonly Trade[]): Promise<number> {
  if (trades.length === 0) return 0;
  const result = await sql`
    insert into trades (time, exchange, market, symbol, trade_id, price, amount, contracts, side, recv_time, simulated)
    select * from unnest(
      ${sql.array(trades.map((t) => msToTimestamptz(t.ts)))}::text[]::timestamptz[],
      ${sql.array(trades.map((t) => t.exchange))}::text[],
      ${sql.array(trades.map((t) => t.market))}::text[],
      ${sql.array(trades.map((t) => t.symbol))}::text[],
      ${sql.array(trades.map((t) => t.id))}::text[],
      ${sql.array(trades.map((t) => t.price))}::float8[],
      ${sql.array(trades.map((t) => t.amount))}::float8[],
      ${sql.array(trades.map((t) => t.contracts ?? null))}::float8[],
      ${sql.array(trades.map((t) => t.side))}::text[],
      ${sql.array(trades.map((t) => msToTimestamptz(t.recvTs)))}::text[]::timestamptz[],
      ${sql.array(trades.map((t) => t.simulated === true))}::bool[]
    )
    on conflict do nothing`;
  return result.count;
}

/** How far a REST trade's time may be from the stream's time of the same trade. */
export const REST_TIME_SLACK_MS = 2_000;
const REST_TIME_SLACK = `${REST_TIME_SLACK_MS / 1000} seconds`;

/**
 * True when the live stream's trades of a market are stored up to `ms` (some trade at or after
 * it): a gap heal waits for that before inserting REST trades near the gap's end, so the 2 s
 * rule of insertNewTrades sees the live copies (inserted after the heal's, a live copy with a
 * finer time would be stored twice).
 */
export async function tradesStoredSince(
  sql: Queryable,
  exchange: string,
  market: string,
  ms: number,
): Promise<boolean> {
  const [row] = await sql<{ stored: boolean }[]>`
    select exists (
      select 1 from trades
      where exchange = ${exchange} and market = ${market} and time >= ${msToTimestamptz(ms)}::timestamptz
    ) as stored`;
  return row?.stored === true;
}

/**
 * Like insertTrades, and returns the trades that were new (not already stored, e.g. seen live):
 * a backfill publishes only those. A trade counts as stored when its id is, within
 * `REST_TIME_SLACK` of its time: some exchanges' REST gives whole-second times where the stream
 * gave the fraction (WhiteBIT), which the table's key (time is part of it) would take for another
 * trade.
 */
export async function insertNewTrades(sql: Queryable, trades: readonly Trade[]): Promise<Trade[]> {
  if (trades.length === 0) return [];
  const rows = await sql<{ trade_id: string }[]>`
    insert into trades (time, exchange, market, symbol, trade_id, price, amount, contracts, side, recv_time, simulated)
    select * from unnest(
      ${sql.array(trades.map((t) => msToTimestamptz(t.ts)))}::text[]::timestamptz[],
      ${sql.array(trades.map((t) => t.exchange))}::text[],
      ${sql.array(trades.map((t) => t.market))}::text[],
      ${sql.array(trades.map((t) => t.symbol))}::text[],
      ${sql.array(trades.map((t) => t.id))}::text[],
      ${sql.array(trades.map((t) => t.price))}::float8[],
      ${sql.array(trades.map((t) => t.amount))}::float8[],
      ${sql.array(trades.map((t) => t.contracts ?? null))}::float8[],
      ${sql.array(trades.map((t) => t.side))}::text[],
      ${sql.array(trades.map((t) => msToTimestamptz(t.recvTs)))}::text[]::timestamptz[],
      ${sql.array(trades.map((t) => t.simulated === true))}::bool[]
    ) as t (time, exchange, market, symbol, trade_id, price, amount, contracts, side, recv_time, simulated)
    where not exists (
      select 1 from trades x
      where x.exchange = t.exchange and x.market = t.market and x.trade_id = t.trade_id
        and x.time between t.time - ${REST_TIME_SLACK}::interval and t.time + ${REST_TIME_SLACK}::interval
    )
    on conflict do nothing
    returning trade_id`;
  const inserted = new Set(rows.map((r) => r.trade_id));
  return trades.filter((t) => inserted.has(t.id));
}
