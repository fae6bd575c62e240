import { type Static, Type as T } from "@sinclair/typebox";
import { ExchangeIdSchema, MarketNameSchema } from "./messages.ts";

/** Instrument metadata from an exchange's market list. */
export const MarketInfoSchema = T.Object(
  {
    exchange: ExchangeIdSchema,
    market: MarketNameSchema,
    symbol: T.String(),
    base: T.String(),
    quote: T.String(),
    type: T.Union([T.Literal("spot"), T.Literal("perp"), T.Literal("future")]),
    status: T.Union([T.Literal("trading"), T.Literal("halted"), T.Literal("delisted")]),
    tickSize: T.Union([T.Number(), T.Null()]),
    lotSize: T.Union([T.Number(), T.Null()]),
    minNotional: T.Union([T.Number(), T.Null()]),
    contractValue: T.Optional(
      T.Union([T.Number(), T.Null()], { description: "base units per contract (contract-sized venues)" }),
    ),
  },
  { $id: "MarketInfo" },
);
export type MarketInfo = Static<typeof MarketInfoSchema>;
