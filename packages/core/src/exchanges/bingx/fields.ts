import type { Level } from "../../schemas/messages.ts";

/**
 * Field readers for BingX payloads, which mix encodings: swap sends decimal strings, spot often
 * plain JSON numbers, percentages come as "-0.52%" or "3.36", ids as numbers or strings. They
 * never throw: a bad value comes back as NaN or null and the caller reports it.
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

/** A percentage, with or without a trailing `%` (spot tickers send "-0.87%"). */
export function pct(v: unknown): number {
  if (typeof v === "string" && v.endsWith("%")) return num(v.slice(0, -1));
  return num(v);
}

/** A safe integer as a number or a string of digits → number; NaN otherwise. */
export function int(v: unknown): number {
  const n = typeof v === "number" ? v : typeof v === "string" && v.length !== 0 ? +v : Number.NaN;
  return Number.isSafeInteger(n) ? n : Number.NaN;
}

/** A positive epoch-millisecond time (number or digit string) → number; NaN otherwise. */
export function epochMs(v: unknown): number {
  const n = int(v);
  return n > 0 ? n : Number.NaN;
}

/** true/false, also as the strings "true"/"false"; undefined otherwise. */
export function bool(v: unknown): boolean | undefined {
  if (typeof v === "boolean") return v;
  if (v === "true") return true;
  if (v === "false") return false;
  return undefined;
}

/** An id as BingX sends it (number or non-empty string) → string; undefined otherwise. */
export function idOf(v: unknown): string | undefined {
  if (typeof v === "string") return v.length === 0 ? undefined : v;
  if (typeof v === "number" && Number.isSafeInteger(v)) return String(v);
  return undefined;
}

/**
 * Book levels in either of BingX's forms: `[[price, qty], ...]` (swap, REST, partial depth) or
 * `{"price": "qty", ...}` (spot incrDepth). Null when any entry is malformed.
 */
export function levels(v: unknown): Level[] | null {
  if (Array.isArray(v)) {
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
  if (isObject(v)) {
    const out: Level[] = [];
    for (const key in v) {
      const price = num(key);
      const amount = num(v[key]);
      if (Number.isNaN(price) || Number.isNaN(amount)) return null;
      out.push([price, amount]);
    }
    return out;
  }
  return null;
}

/** Bids best first (descending), asks best first (ascending): BingX sends asks in either order. */
export function sortBook(bids: Level[], asks: Level[]): void {
  bids.sort((a, b) => b[0] - a[0]);
  asks.sort((a, b) => a[0] - b[0]);
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
