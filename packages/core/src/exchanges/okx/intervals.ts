import type { CandleInterval } from "../../schemas/messages.ts";

/**
 * Candle intervals. OKX bars up to 4H are the same whatever the time zone; from 6H up the plain
 * bars (`6H`, `1D`, `1W`, `1M`, …) open at Hong Kong midnight (UTC+8) and the `…utc` bars at UTC
 * midnight. Normalized candles are UTC-aligned, so 6h and longer map to the `utc` bars. OKX has no
 * 8h bar; its 2D, 5D, 3M, 6M and 1Y bars have no normalized interval.
 */

export const OKX_BARS = {
  "1s": "1s",
  "1m": "1m",
  "3m": "3m",
  "5m": "5m",
  "15m": "15m",
  "30m": "30m",
  "1h": "1H",
  "2h": "2H",
  "4h": "4H",
  "6h": "6Hutc",
  "12h": "12Hutc",
  "1d": "1Dutc",
  "3d": "3Dutc",
  "1w": "1Wutc",
  "1M": "1Mutc",
} as const satisfies Partial<Record<CandleInterval, string>>;

export type OkxInterval = keyof typeof OKX_BARS;

/** Normalized intervals OKX serves (WS channels and REST bars): every one but 8h. */
export const OKX_INTERVALS = Object.keys(OKX_BARS) as OkxInterval[];

const BY_BAR: ReadonlyMap<string, OkxInterval> = new Map(
  OKX_INTERVALS.map((i): [string, OkxInterval] => [OKX_BARS[i], i]),
);

/** OKX bars we recognise but do not normalize: Hong Kong-aligned, or no normalized interval. */
export const UNSUPPORTED_BARS: ReadonlySet<string> = new Set([
  "6H",
  "12H",
  "1D",
  "2D",
  "3D",
  "5D",
  "1W",
  "1M",
  "3M",
  "6M",
  "1Y",
  "2Dutc",
  "5Dutc",
  "3Mutc",
  "6Mutc",
  "1Yutc",
]);

export function isOkxInterval(v: unknown): v is OkxInterval {
  return typeof v === "string" && Object.hasOwn(OKX_BARS, v);
}

/** `1H` → `1h`, `1Dutc` → `1d`; undefined for bars without a UTC-aligned normalized interval. */
export function intervalOfBar(bar: string): OkxInterval | undefined {
  return BY_BAR.get(bar);
}

const MINUTE = 60_000;
const FIXED_MS: Record<Exclude<OkxInterval, "1M">, number> = {
  "1s": 1000,
  "1m": MINUTE,
  "3m": 3 * MINUTE,
  "5m": 5 * MINUTE,
  "15m": 15 * MINUTE,
  "30m": 30 * MINUTE,
  "1h": 60 * MINUTE,
  "2h": 120 * MINUTE,
  "4h": 240 * MINUTE,
  "6h": 360 * MINUTE,
  "12h": 720 * MINUTE,
  "1d": 1440 * MINUTE,
  "3d": 3 * 1440 * MINUTE,
  "1w": 7 * 1440 * MINUTE,
};

/** OKX sends only the open time; the close time is the interval's last millisecond (as Binance's). */
export function closeTimeOf(interval: OkxInterval, openTime: number): number {
  if (interval === "1M") {
    const d = new Date(openTime);
    return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1) - 1;
  }
  return openTime + FIXED_MS[interval] - 1;
}
