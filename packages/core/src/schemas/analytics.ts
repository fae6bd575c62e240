import { type Static, Type as T } from "@sinclair/typebox";
import { EpochMs, ExchangeIdSchema, MarketNameSchema } from "./messages.ts";

/** Rolling 24 h statistics of one market, computed by the analyzer from the trade stream. */
export const StatsSchema = T.Object(
  {
    type: T.Literal("stats"),
    exchange: ExchangeIdSchema,
    market: MarketNameSchema,
    window: T.Literal("24h"),
    ts: EpochMs,
    last: T.Number(),
    open: T.Number(),
    change: T.Number(),
    changePct: T.Number(),
    high: T.Number(),
    low: T.Number(),
    volume: T.Number(),
    quoteVolume: T.Number(),
    vwap: T.Number(),
    trades: T.Number(),
    simulated: T.Optional(T.Boolean()),
  },
  { $id: "Stats" },
);
export type Stats = Static<typeof StatsSchema>;
