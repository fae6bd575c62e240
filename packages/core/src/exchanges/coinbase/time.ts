/**
 * Coinbase timestamps are RFC 3339 strings in UTC with up to nanoseconds
 * (`2026-09-30T02:39:53.670986313Z`). Normalized times are epoch milliseconds whose fraction
 * carries microseconds, so digits beyond the microsecond are dropped. No Date.parse (it keeps only
 * milliseconds) and no regular expression: this runs for every trade and book level.
 */

function digits(s: string, from: number, count: number): number {
  let n = 0;
  for (let i = from; i < from + count; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    n = n * 10 + c;
  }
  return n;
}

/**
 * `YYYY-MM-DDTHH:MM:SS[.fraction]Z` → epoch ms (µs in the fraction); NaN for anything else and for
 * years before 1970 (the legacy feed's `0001-01-01T00:00:00.000000Z` placeholder).
 */
export function isoMs(v: unknown): number {
  if (typeof v !== "string" || v.length < 20) return Number.NaN;
  const year = digits(v, 0, 4);
  const month = digits(v, 5, 2);
  const day = digits(v, 8, 2);
  const hour = digits(v, 11, 2);
  const minute = digits(v, 14, 2);
  const second = digits(v, 17, 2);
  if (
    v.charCodeAt(4) !== 45 || // -
    v.charCodeAt(7) !== 45 ||
    v.charCodeAt(10) !== 84 || // T
    v.charCodeAt(13) !== 58 || // :
    v.charCodeAt(16) !== 58 ||
    year < 1970 ||
    month < 1 ||
    month > 12 ||
    day < 1 ||
    day > 31 ||
    hour < 0 ||
    hour > 23 ||
    minute < 0 ||
    minute > 59 ||
    second < 0 ||
    second > 60
  ) {
    return Number.NaN;
  }
  let i = 19;
  let micros = 0;
  if (v.charCodeAt(i) === 46) {
    // .fraction: keep six digits (µs), skip the rest
    i++;
    let scale = 100_000;
    const start = i;
    while (i < v.length) {
      const c = v.charCodeAt(i) - 48;
      if (c < 0 || c > 9) break;
      micros += c * scale;
      scale = scale / 10;
      i++;
    }
    if (i === start) return Number.NaN;
    micros = Math.floor(micros);
  }
  if (i !== v.length - 1 || v.charCodeAt(i) !== 90) return Number.NaN; // Z
  return Date.UTC(year, month - 1, day, hour, minute, second) + micros / 1000;
}

/** Epoch ms (fraction = µs) → integer microseconds, e.g. for a time-based book sequence. */
export function toMicros(ms: number): number {
  return Math.round(ms * 1000);
}
