import type { CandleInterval } from "../../schemas/messages.ts";

/**
 * Candle intervals. The WebSocket `candles_subscribe` takes a period in seconds (any period that
 * divides a minute, an hour or a day; plus 604800 for a week and 2592000, WhiteBIT's code for a
 * calendar month); REST `/api/v1/public/kline` takes names and has no 1s.
 */

/** Every normalized interval WhiteBIT serves on its WebSocket. */
export const WHITEBIT_INTERVALS = [
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
] as const satisfies readonly CandleInterval[];

/** REST kline intervals: the WebSocket's without 1s (same names as ours). */
export const REST_INTERVALS = WHITEBIT_INTERVALS.filter((i) => i !== "1s");

const MINUTE = 60;
const HOUR = 3600;
const DAY = 86400;

/** `candles_subscribe` period per interval. */
export const INTERVAL_SECONDS: Readonly<Record<CandleInterval, number>> = {
  "1s": 1,
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
  "1M": 30 * DAY,
};

const BY_SECONDS: ReadonlyMap<number, CandleInterval> = new Map(
  WHITEBIT_INTERVALS.map((i) => [INTERVAL_SECONDS[i], i]),
);
const WS_SET: ReadonlySet<string> = new Set<string>(WHITEBIT_INTERVALS);
const REST_SET: ReadonlySet<string> = new Set<string>(REST_INTERVALS);

export function isWhitebitInterval(v: unknown): v is CandleInterval {
  return typeof v === "string" && WS_SET.has(v);
}

export function isRestInterval(v: unknown): v is CandleInterval {
  return typeof v === "string" && REST_SET.has(v);
}

/** The interval of a `candles_subscribe` period, undefined for periods we have no name for. */
export function intervalOfSeconds(seconds: number): CandleInterval | undefined {
  return BY_SECONDS.get(seconds);
}

/**
 * Last millisecond of the candle that opens at `openTime`. A month is a calendar month (2592000
 * is only WhiteBIT's code for it); every other interval has a fixed length.
 */
export function closeTimeOf(interval: CandleInterval, openTime: number): number {
  if (interval === "1M") {
    const d = new Date(openTime);
    return (
      Date.UTC(
        d.getUTCFullYear(),
        d.getUTCMonth() + 1,
        d.getUTCDate(),
        d.getUTCHours(),
        d.getUTCMinutes(),
        d.getUTCSeconds(),
      ) - 1
    );
  }
  return openTime + INTERVAL_SECONDS[interval] * 1000 - 1;
}
