/**
 * Binance's own field readers (the shared ones are in ../wire/fields.ts). They never throw: a bad
 * value comes back as NaN and the caller turns that into an "invalid" result or a ParseError.
 */

/** Epoch values above this are microseconds (Binance `timeUnit=MICROSECOND`, post-2025 bulk data). */
export const MICROSECONDS_ABOVE = 1e14;

/**
 * An epoch timestamp in milliseconds or microseconds → epoch milliseconds (the fraction carries
 * microseconds). NaN for anything that is not a positive finite number.
 */
export function epochMs(v: unknown): number {
  if (typeof v !== "number" || !(v > 0) || v === Number.POSITIVE_INFINITY) return Number.NaN;
  return v > MICROSECONDS_ABOVE ? v / 1000 : v;
}
