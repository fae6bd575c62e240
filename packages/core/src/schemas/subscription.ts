import { type Static, Type as T } from "@sinclair/typebox";
import { CandleIntervalSchema, ExchangeIdSchema, MarketNameSchema } from "./messages.ts";

export const FeedChannelSchema = T.Union([
  T.Literal("trade"),
  T.Literal("bbo"),
  T.Literal("ticker"),
  T.Literal("candle"),
  T.Literal("book"),
  T.Literal("deriv"),
  T.Literal("liquidation"),
]);

/** Desired ingestion of one market, kept in the `subscriptions` KV bucket. */
export const SubscriptionEntrySchema = T.Object(
  {
    exchange: ExchangeIdSchema,
    market: MarketNameSchema,
    channels: T.Array(FeedChannelSchema, { minItems: 1, uniqueItems: true }),
    intervals: T.Optional(
      T.Array(CandleIntervalSchema, { uniqueItems: true, description: "candle intervals" }),
    ),
  },
  { $id: "SubscriptionEntry" },
);
export type SubscriptionEntry = Static<typeof SubscriptionEntrySchema>;
