import { Type as T } from "@sinclair/typebox";
import { MarketInfoSchema } from "@tickerplant/core";
import { selectMarkets } from "@tickerplant/db";
import { Elysia, t } from "elysia";
import { ErrorBodySchema } from "../errors.ts";
import { q, type RouteDeps, requireExchange } from "./common.ts";

export const MarketSchema = T.Composite([
  MarketInfoSchema,
  T.Object({
    simulated: T.Boolean(),
    updatedAt: T.Number({ description: "epoch ms of the last market-list refresh" }),
  }),
]);

export function marketsRoute(deps: RouteDeps) {
  return new Elysia().get(
    "/markets",
    async ({ query }) => {
      if (query.exchange !== undefined) requireExchange(deps, query.exchange);
      const rows = await selectMarkets(
        deps.sql,
        query.exchange !== undefined ? { exchange: query.exchange } : {},
      );
      return { data: rows.filter((r) => deps.exchanges[r.exchange] !== undefined) };
    },
    {
      query: t.Object({ exchange: t.Optional(q.exchange) }),
      detail: {
        tags: ["reference"],
        summary: "Instrument metadata from the exchanges' market lists",
        description:
          "Ordered by exchange and market. Without `exchange`, every supported exchange's markets.",
      },
      response: {
        200: T.Object({ data: T.Array(MarketSchema) }),
        400: ErrorBodySchema,
        404: ErrorBodySchema,
      },
    },
  );
}
