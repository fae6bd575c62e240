import type { MarketSpec } from "../../market/spec.ts";

/**
 * Kraken number and time formats. WebSocket v2 prints prices and quantities as JSON numbers with
 * the pair's precision (`"qty":0.00100000`), REST and v1 as strings; times are RFC 3339 with
 * microseconds (ohlc interval starts with nanoseconds) on v2, epoch seconds on REST.
 */

export function price(spec: MarketSpec, v: number): string {
  return v.toFixed(spec.priceDecimals);
}

export function qty(spec: MarketSpec, v: number): string {
  return v.toFixed(spec.qtyDecimals);
}

/** Epoch ms → `2023-10-06T17:35:55.440000Z`. */
export function rfc3339(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, -1)}000Z`;
}

/** Epoch ms → `2023-10-04T16:25:00.000000000Z` (ohlc interval_begin). */
export function rfc3339Nanos(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, -1)}000000Z`;
}
