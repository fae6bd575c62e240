import type { Queryable } from "../queryable.ts";
import { msToTimestamptz } from "../time.ts";
import type { BookSnapshotRow } from "../writes/book-snapshots.ts";
import { DEFAULT_LIMIT, type TimeRange } from "./range.ts";

export interface BookSnapshotQuery extends TimeRange {
  exchange: string;
  market: string;
  /** `desc` (default): the newest `limit` samples in the range, newest first. `asc`: the oldest first. */
  order?: "asc" | "desc";
}

/** Stored book samples of one market (by sample slot `time`). */
export async function selectBookSnapshots(sql: Queryable, q: BookSnapshotQuery): Promise<BookSnapshotRow[]> {
  const asc = q.order === "asc";
  return sql<BookSnapshotRow[]>`
    select (extract(epoch from time) * 1000)::float8 as time, exchange, market, seq::float8 as seq,
           (extract(epoch from book_time) * 1000)::float8 as "bookTime", depth, bids, asks, simulated
    from book_snapshots
    where exchange = ${q.exchange} and market = ${q.market}
      ${q.from !== undefined ? sql`and time >= ${msToTimestamptz(q.from)}::text::timestamptz` : sql``}
      ${q.to !== undefined ? sql`and time <= ${msToTimestamptz(q.to)}::text::timestamptz` : sql``}
    order by ${asc ? sql`time asc` : sql`time desc`}
    limit ${q.limit ?? DEFAULT_LIMIT}`;
}
