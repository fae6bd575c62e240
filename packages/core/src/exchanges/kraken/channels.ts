import type { FeedChannel } from "../../adapter.ts";
import type { CandleInterval } from "../../schemas/messages.ts";

/**
 * Kraken spot channels and candle intervals. Kraken's ohlc intervals are minutes: 1, 5, 15, 30,
 * 60, 240, 1440, 10080, 21600. The last (15 days) has no normalized name and is not offered.
 */

export const KRAKEN_CHANNELS = [
  "trade",
  "bbo",
  "ticker",
  "candle",
  "book",
] as const satisfies readonly FeedChannel[];

const MINUTES: Readonly<Partial<Record<CandleInterval, number>>> = {
  "1m": 1,
  "5m": 5,
  "15m": 15,
  "30m": 30,
  "1h": 60,
  "4h": 240,
  "1d": 1440,
  "1w": 10080,
};

export const KRAKEN_INTERVALS = Object.keys(MINUTES) as CandleInterval[];

const BY_MINUTES: ReadonlyMap<number, CandleInterval> = new Map(
  KRAKEN_INTERVALS.map((i) => [MINUTES[i] as number, i]),
);

export function isKrakenInterval(v: unknown): v is CandleInterval {
  return typeof v === "string" && MINUTES[v as CandleInterval] !== undefined;
}

/** `"1h"` → 60. Throws on an interval Kraken does not serve. */
export function intervalMinutes(interval: CandleInterval | undefined): number {
  const m = interval === undefined ? undefined : MINUTES[interval];
  if (m === undefined) {
    throw new Error(
      `kraken: candles need an interval (one of ${KRAKEN_INTERVALS.join(", ")}), got ${String(interval)}`,
    );
  }
  return m;
}

/** 60 → `"1h"`; undefined for minutes Kraken has but we do not normalize (21600). */
export function intervalOfMinutes(minutes: number): CandleInterval | undefined {
  return BY_MINUTES.get(minutes);
}

/** Book depths Kraken accepts on a subscription. */
export const BOOK_DEPTHS = [10, 25, 100, 500, 1000] as const;

/**
 * The depth we subscribe to. The local book must be truncated to it after every message
 * (Kraken sends no deletions for levels that fall out of scope).
 */
export const KRAKEN_BOOK_DEPTH = 100;

/** Levels the checksum covers, per side. */
export const CHECKSUM_LEVELS = 10;
