import type { Level } from "../../schemas/messages.ts";

/**
 * Field readers for OKX payloads, where every number (prices, sizes, timestamps, ids) is a
 * decimal string. They never throw: a bad value comes back as NaN (numbers) or null (levels).
 */

/** A decimal string (or plain number) → number; NaN otherwise, including OKX's "" for "none". */
export function num(v: unknown): number {
  if (typeof v === "string") {
    if (v.length === 0) return Number.NaN;
    const n = +v;
    return Number.isFinite(n) ? n : Number.NaN;
  }
  if (typeof v === "number" && Number.isFinite(v)) return v;
  return Number.NaN;
}

/** An optional decimal: "" or absent → null (OKX sends "" for an empty side); NaN when malformed. */
export function optNum(v: unknown): number | null {
  if (v === undefined || v === null || v === "") return null;
  return num(v);
}

/** An integer sequence number (OKX sends seqId/prevSeqId as JSON numbers) → number; NaN otherwise. */
export function int(v: unknown): number {
  const n = typeof v === "number" ? v : typeof v === "string" && v.length !== 0 ? +v : Number.NaN;
  return Number.isSafeInteger(n) ? n : Number.NaN;
}

/** Epoch milliseconds as OKX sends them ("1652459224818") → number; NaN unless positive. */
export function epochMs(v: unknown): number {
  const n = num(v);
  return n > 0 ? n : Number.NaN;
}

/**
 * `[[px, sz, "0", numOrders], ...]` → `[price, amount][]`; null when any entry is malformed.
 * With `exact`, the exchange's own strings are collected too (checksums are computed on them).
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
    if (exact) exact.push([String(px), String(sz)]);
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
