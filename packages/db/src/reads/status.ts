import type { Status } from "@tickerplant/core";
import type { Queryable } from "../queryable.ts";
import { msToTimestamptz } from "../time.ts";
import { DEFAULT_LIMIT, type TimeRange } from "./range.ts";

export interface StatusQuery extends TimeRange {
  exchange?: string;
  market?: string;
}

/** Stored status events as normalized `status` messages, newest first. */
export async function selectStatusEvents(sql: Queryable, q: StatusQuery = {}): Promise<Status[]> {
  const rows = await sql<
    Array<
      Omit<Status, "type" | "from" | "to" | "fromSeq" | "toSeq" | "channels"> & {
        from: number | null;
        to: number | null;
        fromSeq: number | null;
        toSeq: number | null;
        channels: string[] | null;
      }
    >
  >`
    select exchange, market, coalesce(symbol, '') as symbol,
           (extract(epoch from time) * 1000)::float8 as ts,
           (extract(epoch from time) * 1000)::float8 as "recvTs",
           event, detail, channels,
           (extract(epoch from from_time) * 1000)::float8 as "from",
           (extract(epoch from to_time) * 1000)::float8 as "to",
           from_seq::float8 as "fromSeq", to_seq::float8 as "toSeq", simulated
    from status_events
    where true
      ${q.exchange !== undefined ? sql`and exchange = ${q.exchange}` : sql``}
      ${q.market !== undefined ? sql`and market = ${q.market}` : sql``}
      ${q.from !== undefined ? sql`and time >= ${msToTimestamptz(q.from)}::text::timestamptz` : sql``}
      ${q.to !== undefined ? sql`and time <= ${msToTimestamptz(q.to)}::text::timestamptz` : sql``}
    order by time desc
    limit ${q.limit ?? DEFAULT_LIMIT}`;
  return rows.map(({ from, to, fromSeq, toSeq, channels, ...r }) => ({
    type: "status",
    ...r,
    ...(channels !== null ? { channels } : {}),
    ...(from !== null ? { from } : {}),
    ...(to !== null ? { to } : {}),
    ...(fromSeq !== null ? { fromSeq } : {}),
    ...(toSeq !== null ? { toSeq } : {}),
  }));
}

export interface ConnectionState {
  exchange: string;
  market: string;
  /** The market's last connection event: connected, disconnected or stale. */
  state: string;
  since: number;
  detail: string;
}

/** Each market's latest connection event within the window (default: the last 7 days). */
export async function selectConnectionStates(
  sql: Queryable,
  q: { exchange?: string; sinceMs?: number } = {},
): Promise<ConnectionState[]> {
  const since = q.sinceMs ?? Date.now() - 7 * 86_400_000;
  return await sql<ConnectionState[]>`
    select distinct on (exchange, market)
           exchange, market, event as state, detail,
           (extract(epoch from time) * 1000)::float8 as since
    from status_events
    where event in ('connected', 'disconnected', 'stale')
      and time >= ${msToTimestamptz(since)}::text::timestamptz
      ${q.exchange !== undefined ? sql`and exchange = ${q.exchange}` : sql``}
    order by exchange, market, time desc`;
}

/** Gap events (windows of possibly missing data) since a time, per exchange: count and newest. */
export async function summarizeGapEvents(
  sql: Queryable,
  sinceMs: number,
): Promise<Array<{ exchange: string; gaps: number; lastAt: number }>> {
  return await sql<Array<{ exchange: string; gaps: number; lastAt: number }>>`
    select exchange, count(*)::int as gaps, (extract(epoch from max(time)) * 1000)::float8 as "lastAt"
    from status_events
    where event = 'gap' and time >= ${msToTimestamptz(sinceMs)}::text::timestamptz
    group by exchange
    order by exchange`;
}
