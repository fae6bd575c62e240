/** WhiteBIT's own field readers (the shared ones are in ../wire/fields.ts); they never throw. */

/**
 * Unix seconds with a fraction (WhiteBIT's time encoding, e.g. 1580905394.70332) → epoch ms with
 * the microseconds kept and the binary noise of `* 1000` rounded away. NaN unless positive.
 */
export function secondsToMs(v: unknown): number {
  if (typeof v !== "number" || !(v > 0) || v === Number.POSITIVE_INFINITY) return Number.NaN;
  return Math.round(v * 1e6) / 1000;
}
