import type { Level } from "../../schemas/messages.ts";

/**
 * Field readers shared by every adapter's WebSocket and REST parsers. They never throw: a bad
 * value comes back as NaN (numbers) or null (levels) and the caller turns that into an "invalid"
 * result or a ParseError. No closures, no regular expressions: these run for every frame.
 * Readers whose rules belong to one exchange (its timestamp units, percent forms) stay in its folder.
 */

/** A decimal string (how most exchanges send prices and amounts) or a finite number → number; NaN otherwise (also for ""). */
export function num(v: unknown): number {
  if (typeof v === "string") {
    const d = plainDecimal(v);
    if (!Number.isNaN(d)) return d;
    if (v.length === 0) return Number.NaN;
    const n = +v;
    return Number.isFinite(n) ? n : Number.NaN;
  }
  if (typeof v === "number" && Number.isFinite(v)) return v;
  return Number.NaN;
}

/** 10^0 … 10^15, each a double exactly. */
export const POW10 = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];

/**
 * A plain decimal string (`-?digits(.digits)?`, at most 15 digits) → its number, NaN for anything
 * else. The same number as `+s` (the engine's conversion was ~20 % slower): the digits make an
 * integer below 2^53 and 10^decimals ≤ 10^15 is a double exactly, so their quotient is the correctly
 * rounded value of the decimal, which is what `+s` gives (tested against it on random strings).
 */
export function plainDecimal(s: string): number {
  return plainDecimalAt(s, 0, s.length);
}

/** plainDecimal of the text at [start, end) of `s` (no substring made). */
export function plainDecimalAt(s: string, start: number, end: number): number {
  const from = start < end && s.charCodeAt(start) === 45 ? start + 1 : start; // "-"
  let v = 0;
  let dot = -1;
  for (let i = from; i < end; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c >= 0 && c <= 9) v = v * 10 + c;
    else if (c === -2 && dot < 0)
      dot = i; // "."
    else return Number.NaN;
  }
  const digits = dot < 0 ? end - from : end - from - 1;
  if (digits === 0 || digits > 15 || dot === from || dot === end - 1) return Number.NaN;
  const r = dot < 0 ? v : v / POW10[end - 1 - dot]!;
  return from !== start ? -r : r;
}

/** An optional decimal: absent, null or "" (an exchange's "not applicable") → null; NaN when malformed. */
export function optionalNum(v: unknown): number | null {
  if (v === undefined || v === null || v === "") return null;
  return num(v);
}

/** A positive decimal (a market's tick, lot or minimum size), or null: absent, zero or malformed all mean "no constraint". */
export function positiveNum(v: unknown): number | null {
  const n = num(v);
  return n > 0 ? n : null; // NaN > 0 is false
}

/** A safe integer (a number, or a string of digits as some endpoints send) → number; NaN otherwise. */
export function int(v: unknown): number {
  const n = typeof v === "number" ? v : typeof v === "string" && v.length !== 0 ? +v : Number.NaN;
  return Number.isSafeInteger(n) ? n : Number.NaN;
}

/** A non-negative safe integer (number or digit string) → number; NaN otherwise. */
export function uint(v: unknown): number {
  const n = int(v);
  return n >= 0 ? n : Number.NaN;
}

/** A positive epoch-millisecond integer (number or digit string) → number; NaN otherwise. */
export function epochMsInteger(v: unknown): number {
  const n = int(v);
  return n > 0 ? n : Number.NaN;
}

/**
 * `[[price, amount, ...], ...]` → `[price, amount][]`; null when any entry is malformed.
 * With `exact` (empty), the exchange's own strings are collected too, level i at index i (for
 * checksums computed on them).
 */
export function levels(v: unknown, exact?: [string, string][]): Level[] | null {
  if (!Array.isArray(v)) return null;
  const n = v.length;
  const out: Level[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const row = v[i];
    if (!Array.isArray(row) || row.length < 2) return null;
    const px = row[0];
    const sz = row[1];
    const price = num(px);
    const amount = num(sz);
    if (Number.isNaN(price) || Number.isNaN(amount)) return null;
    out[i] = [price, amount];
    if (exact !== undefined)
      exact[i] = [typeof px === "string" ? px : String(px), typeof sz === "string" ? sz : String(sz)];
  }
  return out;
}

/** A short printable sample of a value for an error detail. */
export function sample(v: unknown, max = 60): string {
  let s: string | undefined;
  try {
    // cut long strings first: a rejected frame can be megabytes
    s = JSON.stringify(typeof v === "string" && v.length > max ? v.slice(0, max) : v);
  } catch {
    // cyclic or BigInt: fall through to String()
  }
  if (s === undefined) s = String(v);
  return s.length > max ? `${s.slice(0, max)}…` : s;
}

/** A plain object (not null, not an array). */
export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
