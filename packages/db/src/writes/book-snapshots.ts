import type { Level } from "@tickerplant/core";
import type { Queryable } from "../queryable.ts";
import { msToTimestamptz } from "../time.ts";

/** One sampled top-N order book (a row of `book_snapshots`). Times are epoch ms. */
export interface BookSnapshotRow {
  /** The sample slot (epoch-aligned): every writer instance picks the same one. */
  time: number;
  exchange: string;
  market: string;
  /** The book's sequence number (the last applied update). */
  seq: number;
  /** Exchange time of the last update applied to the book. */
  bookTime: number;
  /** Levels per side asked for (a side may hold fewer). */
  depth: number;
  bids: Level[];
  asks: Level[];
  simulated?: boolean;
}

/**
 * Inserts sampled book snapshots; a row already stored for the same exchange, market and slot
 * (another writer instance, a retry) is skipped. Returns the number of rows inserted.
 */
export async function insertBookSnapshots(sql: Queryable, rows: readonly BookSnapshotRow[]): Promise<number> {
  if (rows.length === 0) return 0;
  // unnest cannot return arrays of arrays: each side travels as JSON text.
  const result = await sql`
    insert into book_snapshots (time, exchange, market, seq, book_time, depth, bids, asks, simulated)
    select r.time, r.exchange, r.market, r.seq, r.book_time, r.depth, r.bids::jsonb, r.asks::jsonb, r.simulated
    from unnest(
      ${sql.array(rows.map((r) => msToTimestamptz(r.time)))}::text[]::timestamptz[],
      ${sql.array(rows.map((r) => r.exchange))}::text[],
      ${sql.array(rows.map((r) => r.market))}::text[],
      ${sql.array(rows.map((r) => r.seq))}::int8[],
      ${sql.array(rows.map((r) => msToTimestamptz(r.bookTime)))}::text[]::timestamptz[],
      ${sql.array(rows.map((r) => r.depth))}::int4[],
      ${sql.array(rows.map((r) => JSON.stringify(r.bids)))}::text[],
      ${sql.array(rows.map((r) => JSON.stringify(r.asks)))}::text[],
      ${sql.array(rows.map((r) => r.simulated === true))}::bool[]
    ) as r(time, exchange, market, seq, book_time, depth, bids, asks, simulated)
    on conflict do nothing`;
  return result.count;
}
