import type { CandleInterval } from "../../schemas/messages.ts";

/**
 * Kline intervals. BingX offers the same fifteen on both venues (no 1s). Swap streams and all REST
 * calls use the normalized names; spot streams name the minute intervals `1min`…`30min` (BingX
 * docs). Spot kline frames from other clients' recordings also show `60min`, `8hour`, `1day`,
 * `1week`, `1month`: those are read as aliases.
 */
export const BINGX_INTERVALS = [
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

export type BingxInterval = (typeof BINGX_INTERVALS)[number];

const INTERVAL_SET: ReadonlySet<string> = new Set<string>(BINGX_INTERVALS);

export function isBingxInterval(v: unknown): v is BingxInterval {
  return typeof v === "string" && INTERVAL_SET.has(v);
}

/** Spot stream names (`BTC-USDT@kline_1min`). */
export const SPOT_STREAM_INTERVAL: Readonly<Record<BingxInterval, string>> = {
  "1m": "1min",
  "3m": "3min",
  "5m": "5min",
  "15m": "15min",
  "30m": "30min",
  "1h": "1h",
  "2h": "2h",
  "4h": "4h",
  "6h": "6h",
  "8h": "8h",
  "12h": "12h",
  "1d": "1d",
  "3d": "3d",
  "1w": "1w",
  "1M": "1M",
};

const SPOT_ALIASES: Readonly<Record<string, BingxInterval>> = {
  "60min": "1h",
  "1hour": "1h",
  "2hour": "2h",
  "4hour": "4h",
  "6hour": "6h",
  "8hour": "8h",
  "12hour": "12h",
  "1day": "1d",
  "3day": "3d",
  "1week": "1w",
  "1month": "1M",
};

const SPOT_BY_NAME: ReadonlyMap<string, BingxInterval> = new Map<string, BingxInterval>([
  ...BINGX_INTERVALS.map((i): [string, BingxInterval] => [SPOT_STREAM_INTERVAL[i], i]),
  ...Object.entries(SPOT_ALIASES),
]);

/** A spot stream interval name (or alias) → normalized interval; undefined when unknown. */
export function spotIntervalOf(name: string): BingxInterval | undefined {
  return SPOT_BY_NAME.get(name);
}

/** A swap stream interval name → normalized interval (the names are the same). */
export function swapIntervalOf(name: string): BingxInterval | undefined {
  return isBingxInterval(name) ? name : undefined;
}

const MINUTE = 60_000;
const FIXED_MS: Readonly<Record<Exclude<BingxInterval, "1M">, number>> = {
  "1m": MINUTE,
  "3m": 3 * MINUTE,
  "5m": 5 * MINUTE,
  "15m": 15 * MINUTE,
  "30m": 30 * MINUTE,
  "1h": 60 * MINUTE,
  "2h": 120 * MINUTE,
  "4h": 240 * MINUTE,
  "6h": 360 * MINUTE,
  "8h": 480 * MINUTE,
  "12h": 720 * MINUTE,
  "1d": 1440 * MINUTE,
  "3d": 3 * 1440 * MINUTE,
  "1w": 7 * 1440 * MINUTE,
};

/**
 * Last millisecond of the candle that opens at `openTime` (swap klines send only the open time).
 * A month ends where the next calendar month (UTC) begins.
 */
export function closeTimeOf(interval: BingxInterval, openTime: number): number {
  if (interval === "1M") {
    const d = new Date(openTime);
    return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1) - 1;
  }
  return openTime + FIXED_MS[interval] - 1;
}
