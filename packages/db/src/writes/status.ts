import type { Status } from "@tickerplant/core";
import type { Queryable } from "../queryable.ts";
import { msToTimestamptz, optionalMsToTimestamptz } from "../time.ts";

const optionalInt = (n: number | undefined) => (n === undefined ? null : Math.trunc(n));

/** Inserts status events (market `*` = the whole connection); duplicates are skipped. Returns rows inserted. */
export async function insertStatusEvents(sql: Queryable, events: readonly Status[]): Promise<number> {
  if (events.length === 0) return 0;
  // unnest cannot return arrays of arrays, so each event's channel list travels as JSON text.
  const result = await sql`
    insert into status_events (time, exchange, market, symbol, event, detail, channels,
                               from_time, to_time, from_seq, to_seq, simulated)
    select r.time, r.exchange, r.market, r.symbol, r.event, r.detail,
           case when r.channels is null then null
                else array(select json_array_elements_text(r.channels::json)) end,
           r.from_time, r.to_time, r.from_seq, r.to_seq, r.simulated
    from unnest(
      ${sql.array(events.map((e) => msToTimestamptz(e.ts)))}::text[]::timestamptz[],
      ${sql.array(events.map((e) => e.exchange))}::text[],
      ${sql.array(events.map((e) => e.market))}::text[],
      ${sql.array(events.map((e) => e.symbol))}::text[],
      ${sql.array(events.map((e) => e.event))}::text[],
      ${sql.array(events.map((e) => e.detail))}::text[],
      ${sql.array(events.map((e) => (e.channels ? JSON.stringify(e.channels) : null)))}::text[],
      ${sql.array(events.map((e) => optionalMsToTimestamptz(e.from)))}::text[]::timestamptz[],
      ${sql.array(events.map((e) => optionalMsToTimestamptz(e.to)))}::text[]::timestamptz[],
      ${sql.array(events.map((e) => optionalInt(e.fromSeq)))}::int8[],
      ${sql.array(events.map((e) => optionalInt(e.toSeq)))}::int8[],
      ${sql.array(events.map((e) => e.simulated === true))}::bool[]
    ) as r(time, exchange, market, symbol, event, detail, channels, from_time, to_time, from_seq, to_seq, simulated)
    on conflict do nothing`;
  return result.count;
}
