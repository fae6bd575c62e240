/**
 * Field readers for Coinbase frames and REST bodies. They never throw: a bad value comes back as NaN
 * and the caller turns it into an "invalid" result or a ParseError. Coinbase sends every price and
 * size as a decimal string.
 */

/** A decimal string (or a plain finite number) → number; NaN otherwise. */
export function num(v: unknown): number {
  if (typeof v === "string") {
    if (v.length === 0) return Number.NaN;
    const n = +v;
    return Number.isFinite(n) ? n : Number.NaN;
  }
  if (typeof v === "number" && Number.isFinite(v)) return v;
  return Number.NaN;
}

/** A non-negative safe integer (number, or a string of digits) → number; NaN otherwise. */
export function uint(v: unknown): number {
  const n = typeof v === "number" ? v : typeof v === "string" && v.length !== 0 ? +v : Number.NaN;
  return Number.isSafeInteger(n) && n >= 0 ? n : Number.NaN;
}

/** A plain object (not null, not an array). */
export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** A short printable sample of a value for an error detail. */
export function sample(v: unknown, max = 60): string {
  let s: string | undefined;
  try {
    // cut long strings first: a rejected frame can be megabytes (a level2 snapshot)
    s = JSON.stringify(typeof v === "string" && v.length > max ? v.slice(0, max) : v);
  } catch {
    // cyclic or BigInt: fall through to String()
  }
  if (s === undefined) s = String(v);
  return s.length > max ? `${s.slice(0, max)}…` : s;
}

/** Rounds away binary noise of a derived value (open from last and a percentage) to 12 digits. */
export function derived(v: number): number {
  return Number(v.toPrecision(12));
}
