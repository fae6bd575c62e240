import type { Level } from "../../schemas/messages.ts";

/**
 * Field readers for Bybit payloads (WebSocket and REST). They never throw: a bad value comes back
 * as NaN (numbers) or null (levels) and the caller turns it into an "invalid" result or a
 * ParseError. Bybit sends prices, sizes and most REST timestamps as decimal strings.
 */

/** A decimal string or a finite number → number; NaN otherwise (also for ""). */
export function num(v: unknown): number {
  if (typeof v === "string") {
    if (v.length === 0) return Number.NaN;
    const n = +v;
    return Number.isFinite(n) ? n : Number.NaN;
  }
  return typeof v === "number" && Number.isFinite(v) ? v : Number.NaN;
}

/** An optional decimal: absent or "" (Bybit's "not applicable", e.g. a future's funding rate) → null. */
export function optionalNum(v: unknown): number | null {
  return v === undefined || v === null || v === "" ? null : num(v);
}

/** A safe integer (number or digit string) → number; NaN otherwise. */
export function int(v: unknown): number {
  const n = typeof v === "number" ? v : typeof v === "string" && v.length !== 0 ? +v : Number.NaN;
  return Number.isSafeInteger(n) ? n : Number.NaN;
}

/** An epoch-ms timestamp (number or digit string, positive) → number; NaN otherwise. */
export function epochMs(v: unknown): number {
  const n = int(v);
  return n > 0 ? n : Number.NaN;
}

/** `[[price, size], ...]` → levels; null when any entry is malformed. */
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

/** A plain object (not null, not an array). */
export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
