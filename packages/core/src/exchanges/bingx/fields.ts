import type { Level } from "../../schemas/messages.ts";
import { isObject, levels as levelRows, num } from "../wire/fields.ts";

/**
 * BingX's own field readers (the shared ones are in ../wire/fields.ts). BingX mixes encodings:
 * percentages come as "-0.52%" or "3.36", ids as numbers or strings, spot book levels as a map.
 * They never throw: a bad value comes back as NaN, undefined or null and the caller reports it.
 */

/** A percentage, with or without a trailing `%` (spot tickers send "-0.87%"). */
export function pct(v: unknown): number {
  if (typeof v === "string" && v.endsWith("%")) return num(v.slice(0, -1));
  return num(v);
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
  if (Array.isArray(v)) return levelRows(v);
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
