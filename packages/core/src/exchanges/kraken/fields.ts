/**
 * Field readers for Kraken payloads. They never throw: a bad value comes back as NaN (numbers) or
 * null and the caller turns that into an "invalid" result or a ParseError. Kraken v1 and REST send
 * decimals as strings, v2 as JSON numbers; both are accepted.
 */

/** A decimal string or a finite number → number; NaN otherwise. */
export function num(v: unknown): number {
  if (typeof v === "number") return Number.isFinite(v) ? v : Number.NaN;
  if (typeof v === "string" && v.length !== 0) {
    const n = +v;
    return Number.isFinite(n) ? n : Number.NaN;
  }
  return Number.NaN;
}

/** An integer (number or digit string) → number; NaN otherwise. */
export function int(v: unknown): number {
  const n = typeof v === "number" ? v : typeof v === "string" && v.length !== 0 ? +v : Number.NaN;
  return Number.isSafeInteger(n) ? n : Number.NaN;
}

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

/** A plain object (not null, not an array). */
export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** A short printable sample of a value for an error detail. */
export function sample(v: unknown, max = 60): string {
  let s: string | undefined;
  try {
    s = JSON.stringify(typeof v === "string" && v.length > max ? v.slice(0, max) : v);
  } catch {
    // cyclic or BigInt: fall through to String()
  }
  if (s === undefined) s = String(v);
  return s.length > max ? `${s.slice(0, max)}…` : s;
}
