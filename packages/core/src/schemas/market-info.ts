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
      T.Union([T.Number(), T.Null()], {
        description: "base units per contract (quote units when inverse) on contract-sized venues",
      }),
    ),
    inverse: T.Optional(T.Boolean({ description: "an inverse contract: contractValue is in quote units" })),
  },
  { $id: "MarketInfo" },
);
export type MarketInfo = Static<typeof MarketInfoSchema>;
