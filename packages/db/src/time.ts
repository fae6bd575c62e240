/**
 * Normalized messages carry epoch milliseconds as float64 (the fraction is microseconds);
 * the database stores timestamptz (microsecond precision). Writes go through an exact decimal
 * text form so no float arithmetic happens in SQL; reads use `extract(epoch from ...)`, which is
 * numeric (exact) since PostgreSQL 14, times 1000 cast to float8 (see `msColumn`).
 */

/** Epoch ms (float) → ISO-8601 text with microseconds, e.g. 2024-01-01T00:00:00.123456Z. */
export function msToTimestamptz(ms: number): string {
  if (!Number.isFinite(ms)) throw new RangeError(`not a finite timestamp: ${ms}`);
  const us = Math.round(ms * 1000);
  const seconds = Math.floor(us / 1_000_000);
  const fraction = us - seconds * 1_000_000;
  const iso = new Date(seconds * 1000).toISOString(); // …T00:00:00.000Z
  return `${iso.slice(0, -5)}.${String(fraction).padStart(6, "0")}Z`;
}

export function optionalMsToTimestamptz(ms: number | null | undefined): string | null {
  return ms === null || ms === undefined ? null : msToTimestamptz(ms);
}
