/**
 * Kraken's own field readers (the shared ones are in ../wire/fields.ts). Kraken v1 and REST send
 * decimals as strings, v2 as JSON numbers; checksums need the exact text of either.
 */

/** The exact decimal text of a price or amount (strings as sent; numbers as JS prints them). */
export function exact(v: unknown): string | null {
  if (typeof v === "string") return v.length !== 0 && Number.isFinite(+v) ? v : null;
  if (typeof v === "number" && Number.isFinite(v)) return String(v);
  return null;
}

/** Digits after the decimal point in how a number prints (0 for integers and exponent forms). */
function decimals(n: number): number {
  const s = String(n);
  const dot = s.indexOf(".");
  return dot < 0 || s.includes("e") ? 0 : s.length - dot - 1;
}

/** a − b without binary noise: rounded to the larger number of decimals of the two. */
export function subtract(a: number, b: number): number {
  const d = Math.max(decimals(a), decimals(b));
  return d > 0 && d <= 15 ? Number((a - b).toFixed(d)) : a - b;
}
