import { type Static, Type as T } from "@sinclair/typebox";
import { EpochMs, ExchangeIdSchema, MarketNameSchema } from "./messages.ts";

export const ALERT_KINDS = [
  "price_above",
  "price_below",
  "change_pct",
  "spread_above",
  "volume_spike",
  "stale",
] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];
// Spelled out (not mapped from ALERT_KINDS) so the static type stays a union of literals.
export const AlertKindSchema = T.Union([
  T.Literal("price_above"),
  T.Literal("price_below"),
  T.Literal("change_pct"),
  T.Literal("spread_above"),
  T.Literal("volume_spike"),
  T.Literal("stale"),
]);

/**
 * The body of `POST /api/v1/alerts`. Threshold units by kind: price_above/price_below = quote
 * price; change_pct = percent change over `window` (negative = a fall); spread_above = the market's
 * bid/ask spread in percent of mid; volume_spike = the window's volume as a multiple of its
 * average over the last hour; stale = unused (no update for `window`, or a gap/stale/disconnect).
 */
export const AlertCreateSchema = T.Object(
  {
    exchange: ExchangeIdSchema,
    market: MarketNameSchema,
    kind: AlertKindSchema,
    threshold: T.Optional(T.Number({ description: "see the kind; required except for stale" })),
    window: T.Optional(
      T.String({
        pattern: "^[0-9]{1,5}(s|m|h)$",
        description: "change_pct, volume_spike: 1m, 5m, 1h or 24h; stale: 5s..24h",
      }),
    ),
    cooldown: T.Optional(
      T.Union([T.Integer({ minimum: 0, maximum: 604_800 }), T.String({ pattern: "^[0-9]{1,6}(s|m|h)$" })], {
        description:
          "time between firings: seconds, or a duration such as 30s, 5m, 1h (default 60 s, at most 7 days)",
      }),
    ),
    webhook: T.Optional(T.String({ maxLength: 2048, description: "http(s) URL receiving signed POSTs" })),
    webhookSecret: T.Optional(
      T.String({ minLength: 16, maxLength: 256, description: "HMAC key; generated when absent" }),
    ),
  },
  { additionalProperties: false },
);
export type AlertCreate = Static<typeof AlertCreateSchema>;

export const AlertSchema = T.Object(
  {
    id: T.String(),
    exchange: ExchangeIdSchema,
    market: MarketNameSchema,
    kind: AlertKindSchema,
    threshold: T.Union([T.Number(), T.Null()]),
    window: T.Union([T.String(), T.Null()]),
    cooldown: T.Integer(),
    webhook: T.Union([T.String(), T.Null()]),
    armed: T.Boolean({ description: "false between a firing and the condition clearing (hysteresis)" }),
    createdAt: EpochMs,
    lastFiredAt: T.Union([EpochMs, T.Null()]),
  },
  { $id: "Alert" },
);
export type Alert = Static<typeof AlertSchema>;

/** One firing, as stored, published on `an.alert.<ex>.<mkt>` and delivered to webhooks. */
export const AlertFiringSchema = T.Object(
  {
    type: T.Literal("alert"),
    id: T.String({ description: "firing id (webhook receivers deduplicate by it)" }),
    alertId: T.String(),
    exchange: ExchangeIdSchema,
    market: MarketNameSchema,
    kind: AlertKindSchema,
    threshold: T.Union([T.Number(), T.Null()]),
    value: T.Union([T.Number(), T.Null()], { description: "the observed value that crossed" }),
    detail: T.String(),
    ts: EpochMs,
    simulated: T.Optional(T.Boolean()),
  },
  { $id: "AlertFiring" },
);
export type AlertFiring = Static<typeof AlertFiringSchema>;

export const DELIVERY_STATES = ["pending", "delivered", "dead"] as const;
export const AlertDeliverySchema = T.Object(
  {
    id: T.String(),
    firingId: T.String(),
    alertId: T.String(),
    url: T.String(),
    status: T.Union([T.Literal("pending"), T.Literal("delivered"), T.Literal("dead")], {
      description: "dead = every attempt failed (dead letter)",
    }),
    attempts: T.Integer(),
    nextAttemptAt: T.Union([EpochMs, T.Null()]),
    lastStatus: T.Union([T.Integer(), T.Null()], { description: "HTTP status of the last attempt" }),
    lastError: T.Union([T.String(), T.Null()]),
    createdAt: EpochMs,
    deliveredAt: T.Union([EpochMs, T.Null()]),
    log: T.Array(
      T.Object({
        attempt: T.Integer(),
        at: EpochMs,
        status: T.Union([T.Integer(), T.Null()]),
        error: T.Union([T.String(), T.Null()]),
        ms: T.Number(),
      }),
    ),
  },
  { $id: "AlertDelivery" },
);
export type AlertDelivery = Static<typeof AlertDeliverySchema>;
