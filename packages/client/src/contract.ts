/**
 * Shapes of the analytics, status and scheduler routes as agreed in issues 7, 8 and 9 (the server
 * owns them). Only the fields the CLI and dashboard read are named; the rest pass through.
 */

export type AlertKind =
  | "price_above"
  | "price_below"
  | "change_pct"
  | "spread_above"
  | "volume_spike"
  | "stale";
export const ALERT_KINDS: readonly AlertKind[] = [
  "price_above",
  "price_below",
  "change_pct",
  "spread_above",
  "volume_spike",
  "stale",
];

/** `POST /api/v1/alerts` body. */
export interface AlertRuleInput {
  exchange: string;
  market: string;
  kind: AlertKind;
  /** Required except for `stale`. */
  threshold?: number;
  /** 1m/5m/1h/24h (change_pct, volume_spike), 5s..24h (stale). */
  window?: string;
  /** Seconds between firings (the server's default is 60). */
  cooldown?: number;
  webhook?: string;
  /** HMAC key for the webhook; the server generates one (returned once) when absent. */
  webhookSecret?: string;
}

export interface AlertRule extends AlertRuleInput {
  id: string;
  [field: string]: unknown;
}

export interface AlertFiring {
  /** The rule that fired. */
  alertId?: string;
  exchange?: string;
  market?: string;
  kind?: string;
  value?: number;
  threshold?: number;
  ts?: number;
  firedAt?: number | string;
  [field: string]: unknown;
}

export interface CompositeSource {
  exchange: string;
  market: string;
  price?: number;
  [field: string]: unknown;
}

export interface Composite {
  asset: string;
  price: number | null;
  sources: CompositeSource[];
  ts?: number;
  [field: string]: unknown;
}

export interface Spread {
  asset: string;
  [field: string]: unknown;
}

export interface HoldingInput {
  asset: string;
  quantity: number;
  costBasis?: number;
}

export interface Portfolio {
  id: string;
  name?: string;
  holdings?: (HoldingInput & Record<string, unknown>)[];
  value?: number | null;
  pnl?: number | null;
  [field: string]: unknown;
}

export interface PlatformStatus {
  services?: unknown;
  exchanges?: unknown;
  gaps?: unknown;
  [field: string]: unknown;
}

/** Routes answer `{"data": …}`; this reads the payload whether or not it is wrapped. */
export function dataOf<T>(body: unknown): T {
  if (body !== null && typeof body === "object" && "data" in body) return (body as { data: T }).data;
  return body as T;
}
