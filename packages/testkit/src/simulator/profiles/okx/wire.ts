/**
 * OKX writes numbers as short decimal strings ("30236", "0.0002"): fixed decimals, then trailing
 * zeros cut. Never exponent notation.
 */
export function dec(value: number, decimals: number): string {
  const s = value.toFixed(decimals);
  if (s.indexOf(".") < 0) return s;
  let end = s.length;
  while (s.charCodeAt(end - 1) === 48) end--; // "0"
  if (s.charCodeAt(end - 1) === 46) end--; // "."
  const out = s.slice(0, end);
  return out === "-0" ? "0" : out;
}

/** Volumes and other sums: 8 decimals. */
export function dec8(value: number): string {
  return dec(value, 8);
}
