import type { RestSpec } from "../../adapter.ts";

/** Helpers of every adapter's REST request builders. */

/** What a trades request may ask for (the argument of RestSpec.tradesRequest). */
export type TradesQuery = Parameters<RestSpec["tradesRequest"]>[0];

/** A caller's page size clamped to 1..max (whole); `fallback` when absent or not finite. */
export function pageLimit(limit: number | undefined, max: number, fallback = max): number {
  if (limit === undefined || !Number.isFinite(limit)) return fallback;
  return Math.min(max, Math.max(1, Math.floor(limit)));
}

/** The refusal of an interval the exchange does not serve: `<what>: unsupported interval "<i>" (one of …)`. */
export function unsupportedInterval(what: string, interval: string, supported: readonly string[]): Error {
  return new Error(`${what}: unsupported interval "${interval}" (one of ${supported.join(", ")})`);
}
