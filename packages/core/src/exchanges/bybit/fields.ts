/**
 * Bybit's own decimal helpers (the shared field readers are in ../wire/fields.ts): Bybit sends
 * prices and fractions as decimal strings, and derived values are rounded to their precision.
 */

/** Decimals in a decimal string ("83024.60" → 2). */
function decimals(s: string): number {
  const dot = s.indexOf(".");
  return dot < 0 ? 0 : s.length - dot - 1;
}

/** a − b for decimal strings, rounded to their precision (no binary noise: 83024.6 − 84057.7 = −1033.1). */
export function decimalDiff(a: string, b: string): number {
  const d = Math.min(15, Math.max(decimals(a), decimals(b)));
  return Number((+a - +b).toFixed(d));
}

/** Bybit's fraction ("-0.012289") → percent (-1.2289), without binary noise. */
export function fractionToPercent(s: string): number {
  return Number((+s * 100).toFixed(Math.min(15, Math.max(0, decimals(s) - 2))));
}
