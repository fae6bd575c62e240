import { ParseError } from "@tickerplant/core";

/*
 * Normalized messages carry epoch milliseconds as float64 (the fraction is microseconds); the
 * database stores timestamptz (microsecond precision). Writes pass exact decimal text, cast in SQL
 * as `$n::text::timestamptz` (a parameter typed timestamptz would go through postgres.js's Date
 * serializer and lose the microseconds). Reads use `(extract(epoch from col) * 1000)::float8`:
 * extract is numeric (exact) since PostgreSQL 14; hot reads use `epochMsSql`, the same float8.
 */

/**
 * SQL for `(extract(epoch from <column>) * 1000)::float8` without numeric arithmetic (that one goes
 * through text to float8: ~0.3 µs per value, 0.6 ms of a 500-candle query; this ~0.1 µs).
 * date_part's float8 seconds are within 0.24 µs of the stored microseconds while |seconds| < 2^32
 * (1833–2106), so rint(seconds × 1e6) is them exactly and ÷ 1000 rounds once, as the cast of the
 * exact decimal does: the same double. Outside that span it falls back to the exact expression.
 * `column` is SQL text: a column name, never input.
 */
export function epochMsSql(column: string): string {
  return `case when ${column} > '1833-11-24 17:31:44+00' and ${column} < '2106-02-07 06:28:16+00'
    then round(date_part('epoch', ${column}) * 1e6::float8) / 1000::float8
    else (extract(epoch from ${column}) * 1000)::float8 end`;
}

/** JavaScript dates cover ±8.64e15 ms; PostgreSQL rejects what lies beyond its own range. */
const MAX_DATE_MS = 8.64e15;

/**
 * The last two seconds formatted (date and time): a trade's time and receive time mostly fall in
 * the same second or two, and toISOString was a third of the writer's COPY line building.
 */
let second0 = Number.NaN;
let prefix0 = "";
let second1 = Number.NaN;
let prefix1 = "";

/**
 * Epoch ms (float) → ISO-8601 text with microseconds, e.g. 2024-01-01T00:00:00.123456Z.
 * A value no date can hold is a ParseError: the message is bad, retrying cannot help.
 */
export function msToTimestamptz(ms: number): string {
  if (!Number.isFinite(ms) || Math.abs(ms) > MAX_DATE_MS)
    throw new ParseError(`not a usable timestamp: ${ms}`);
  const us = Math.round(ms * 1000);
  const seconds = Math.floor(us / 1_000_000);
  const fraction = us - seconds * 1_000_000;
  let prefix: string;
  if (seconds === second0) prefix = prefix0;
  else if (seconds === second1) prefix = prefix1;
  else {
    prefix = new Date(seconds * 1000).toISOString().slice(0, -5); // …T00:00:00
    second1 = second0;
    prefix1 = prefix0;
    second0 = seconds;
    prefix0 = prefix;
  }
  return `${prefix}.${String(1_000_000 + fraction).slice(1)}Z`;
}

export function optionalMsToTimestamptz(ms: number | null | undefined): string | null {
  return ms === null || ms === undefined ? null : msToTimestamptz(ms);
}
