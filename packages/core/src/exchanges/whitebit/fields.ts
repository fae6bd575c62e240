import type { Level } from "../../schemas/messages.ts";

/**
 * Field readers for WhiteBIT payloads. They never throw: a bad value comes back as NaN (numbers)
 * or null (levels) and the caller turns that into an "invalid" result or a ParseError.
 */

/** A decimal string (WhiteBIT's price/amount encoding) or a plain number → number; NaN otherwise. */
export function num(v: unknown): number {
  if (typeof v === "string") {
    if (v.length === 0) return Number.NaN;
    const n = +v;
    return Number.isFinite(n) ? n : Number.NaN;
  }
  if (typeof v === "number" && Number.isFinite(v)) return v;
  return Number.NaN;
}

/** An integer id or counter (number or digit string) → number; NaN otherwise. */
export function int(v: unknown): number {
  const n = typeof v === "number" ? v : typeof v === "string" && v.length !== 0 ? +v : Number.NaN;
  return Number.isSafeInteger(n) ? n : Number.NaN;
}

/**
 * Unix seconds with a fraction (WhiteBIT's time encoding, e.g. 1580905394.70332) → epoch ms with
 * the microseconds kept and the binary noise of `* 1000` rounded away. NaN unless positive.
 */
export function secondsToMs(v: unknown): number {
  if (typeof v !== "number" || !(v > 0) || v === Number.POSITIVE_INFINITY) return Number.NaN;
  return Math.round(v * 1e6) / 1000;
}

/** `[[price, amount], ...]` → `[price, amount][]`; null when any entry is malformed. */
export function levels(v: unknown): Level[] | null {
  if (!Array.isArray(v)) return null;
  const n = v.length;
  const out: Level[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const row = v[i];
    if (!Array.isArray(row) || row.length < 2) return null;
    const price = num(row[0]);
    const amount = num(row[1]);
    if (Number.isNaN(price) || Number.isNaN(amount)) return null;
    out[i] = [price, amount];
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
