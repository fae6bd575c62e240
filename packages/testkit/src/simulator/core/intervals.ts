/**
 * Candle intervals (Binance's set, which the other exchanges' sets are subsets of) and their UTC
 * boundaries. Weeks open on Monday 00:00 UTC, months on the 1st; everything else is aligned to
 * the Unix epoch.
 */

export const INTERVALS = [
  "1s",
  "1m",
  "3m",
  "5m",
  "15m",
  "30m",
  "1h",
  "2h",
  "4h",
  "6h",
  "8h",
  "12h",
  "1d",
  "3d",
  "1w",
  "1M",
] as const;

export type Interval = (typeof INTERVALS)[number];

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** 1970-01-01 was a Thursday; the first Monday 00:00 UTC is 1970-01-05. */
const MONDAY_OFFSET = 4 * DAY;

const FIXED_MS: Record<Exclude<Interval, "1M">, number> = {
  "1s": SECOND,
  "1m": MINUTE,
  "3m": 3 * MINUTE,
  "5m": 5 * MINUTE,
  "15m": 15 * MINUTE,
  "30m": 30 * MINUTE,
  "1h": HOUR,
  "2h": 2 * HOUR,
  "4h": 4 * HOUR,
  "6h": 6 * HOUR,
  "8h": 8 * HOUR,
  "12h": 12 * HOUR,
  "1d": DAY,
  "3d": 3 * DAY,
  "1w": 7 * DAY,
};

export function isInterval(value: string): value is Interval {
  return (INTERVALS as readonly string[]).includes(value);
}

/** Open time of the interval that contains `ts`. */
export function intervalOpen(interval: Interval, ts: number): number {
  if (interval === "1M") {
    const d = new Date(ts);
    return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
  }
  const len = FIXED_MS[interval];
  if (interval === "1w") return Math.floor((ts - MONDAY_OFFSET) / len) * len + MONDAY_OFFSET;
  return Math.floor(ts / len) * len;
}

/** Open time of the interval after the one that opens at `openTime`. */
export function nextIntervalOpen(interval: Interval, openTime: number): number {
  if (interval === "1M") {
    const d = new Date(openTime);
    return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
  }
  return openTime + FIXED_MS[interval];
}

/** Close time as exchanges report it: the last millisecond of the interval. */
export function intervalClose(interval: Interval, openTime: number): number {
  return nextIntervalOpen(interval, openTime) - 1;
}
