import { type Static, Type as T } from "@sinclair/typebox";
import { AssetSchema } from "./analytics.ts";
import { EpochMs } from "./messages.ts";

export const MAX_HOLDINGS = 200;

export const HoldingSchema = T.Object(
  {
    asset: AssetSchema,
    quantity: T.Number({ minimum: 0, maximum: 1e15 }),
    costBasis: T.Optional(
      T.Union([T.Number({ minimum: 0, maximum: 1e15 }), T.Null()], {
        description: "total cost in USD of the quantity held",
      }),
    ),
  },
  { additionalProperties: false },
);
export type Holding = Static<typeof HoldingSchema>;

export const HoldingsSchema = T.Array(HoldingSchema, { maxItems: MAX_HOLDINGS });

export const PortfolioCreateSchema = T.Object(
  {
    name: T.String({ minLength: 1, maxLength: 100 }),
    holdings: T.Optional(HoldingsSchema),
  },
  { additionalProperties: false },
);

export const ValuedHoldingSchema = T.Object({
  asset: AssetSchema,
  quantity: T.Number(),
  costBasis: T.Union([T.Number(), T.Null()]),
  price: T.Union([T.Number(), T.Null()], { description: "composite price; null when no venue is live" }),
  value: T.Union([T.Number(), T.Null()]),
  pnl: T.Union([T.Number(), T.Null()], { description: "value − costBasis" }),
  allocationPct: T.Union([T.Number(), T.Null()]),
  change24h: T.Union([T.Number(), T.Null()], {
    description: "value change over 24 h at the composite's 24 h change",
  }),
  sources: T.Array(T.String(), { description: "the composite's venues, exchange:market" }),
});

/** A portfolio valued with the composite prices; the payload of `portfolio:<id>`. */
export const PortfolioValuationSchema = T.Object(
  {
    type: T.Literal("portfolio"),
    id: T.String(),
    name: T.String(),
    ts: EpochMs,
    value: T.Number({ description: "sum of the holdings that have a price" }),
    costBasis: T.Union([T.Number(), T.Null()]),
    pnl: T.Union([T.Number(), T.Null()]),
    pnlPct: T.Union([T.Number(), T.Null()]),
    change24h: T.Union([T.Number(), T.Null()]),
    change24hPct: T.Union([T.Number(), T.Null()]),
    unpriced: T.Array(T.String(), { description: "assets without a live composite price" }),
    holdings: T.Array(ValuedHoldingSchema),
    simulated: T.Optional(T.Boolean()),
  },
  { $id: "PortfolioValuation" },
);
export type PortfolioValuation = Static<typeof PortfolioValuationSchema>;
