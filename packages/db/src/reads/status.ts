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
