/**
 * Bybit's own decimal helpers (the shared field readers are in ../wire/fields.ts): Bybit sends
 * prices and fractions as decimal strings, and derived values are rounded to their precision.
 *
 * The rounding is defined as `Number(x.toFixed(d))`. For plain decimals of up to 15 digits the
 * result is computed on the digits as integers instead (toFixed, its string and its parse were
 * ~18 % of a linear tickers frame), and is the same number: the exact result c / 10^d lies on the
 * d-decimal grid, x is within 2^-53 relative error of it per operation, far less than half a grid
 * step while |c| ≤ 2^49, so toFixed gives c's digits and Number() the double nearest to c / 10^d —
 * which the division of two exact doubles also gives (tests compare both on random decimals).
 */

/** Decimals in a decimal string ("83024.60" → 2). */
export function decimals(s: string): number {
  const dot = s.indexOf(".");
  return dot < 0 ? 0 : s.length - dot - 1;
}

/** |c| at most this: the integer path is exact (see above). */
const EXACT_LIMIT = 2 ** 49;
const POW10 = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16];

/**
 * A plain decimal (`-?digits(.digits)?`, at most 15 digits) as the integer of its digits
 * ("-83024.60" → -8302460); NaN for anything else (exponents, signs, spaces, longer strings).
 */
export function digitsInteger(s: string): number {
  const n = s.length;
  let i = s.charCodeAt(0) === 45 ? 1 : 0; // "-"
  const negative = i === 1;
  let v = 0;
  let digits = 0;
  let dot = -1;
  for (; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      v = v * 10 + (c - 48);
      digits++;
    } else if (c === 46 && dot < 0 && digits > 0) dot = i;
    else return Number.NaN;
  }
  if (digits === 0 || digits > 15 || dot === n - 1) return Number.NaN;
  return negative ? -v : v;
}

/** a − b for decimal strings, rounded to their precision (no binary noise: 83024.6 − 84057.7 = −1033.1). */
export function decimalDiff(a: string, b: string): number {
  return digitsDiff(digitsInteger(a), decimals(a), +a, digitsInteger(b), decimals(b), +b);
}

/**
 * decimalDiff of two decimals given as digitsInteger, decimals and number of each (what a ticker's
 * state keeps of a plain decimal, without its string).
 */
export function digitsDiff(ia: number, da: number, xa: number, ib: number, db: number, xb: number): number {
  const d = Math.min(15, Math.max(da, db));
  if (!Number.isNaN(ia) && !Number.isNaN(ib)) {
    const sa = ia * POW10[d - da]!;
    const sb = ib * POW10[d - db]!;
    if (Math.abs(sa) <= EXACT_LIMIT && Math.abs(sb) <= EXACT_LIMIT) {
      const c = sa - sb;
      return c === 0 ? 0 : c / POW10[d]!;
    }
  }
  return Number((xa - xb).toFixed(d));
}

/** Bybit's fraction ("-0.012289") → percent (-1.2289), without binary noise. */
export function fractionToPercent(s: string): number {
  return digitsToPercent(digitsInteger(s), decimals(s), +s);
}

/** fractionToPercent of a decimal given as digitsInteger, decimals and number. */
export function digitsToPercent(i: number, k: number, x: number): number {
  const d = Math.min(15, Math.max(0, k - 2));
  if (!Number.isNaN(i)) {
    // s · 100 = i / 10^(k−2): on the d-decimal grid (an integer when k < 2)
    const c = k >= 2 ? i : i * POW10[2 - k]!;
    if (Math.abs(c) <= EXACT_LIMIT) return c === 0 ? 0 : c / POW10[k >= 2 ? k - 2 : 0]!;
  }
  return Number((x * 100).toFixed(d));
}
