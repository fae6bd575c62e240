/** Number formatting helpers for exchange wire formats. */

/** Number of decimals of a power-of-ten step such as 0.01 (→ 2) or 1 (→ 0). */
export function decimalsOf(step: number): number {
  if (step >= 1) return 0;
  return Math.max(0, Math.round(-Math.log10(step)));
}

/** Rounds to a fixed number of decimals, removing binary noise (0.1 + 0.2 → 0.3). */
export function roundTo(value: number, decimals: number): number {
  return Number(value.toFixed(decimals));
}

/** Binance-style fixed 8-decimal string: 60000.01 → "60000.01000000". */
export function fixed8(value: number): string {
  return value.toFixed(8);
}

/** A power of ten clamped to [1e-8, 1e8]. */
export function powerOfTen(exponent: number): number {
  const e = Math.max(-8, Math.min(8, exponent));
  return e >= 0 ? 10 ** e : Number(`1e${e}`);
}
