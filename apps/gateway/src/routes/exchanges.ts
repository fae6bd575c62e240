import { Type as T } from "@sinclair/typebox";
import { listExchangesWithData } from "@tickerplant/db";
import { Elysia } from "elysia";
import { ErrorBodySchema } from "../errors.ts";
import { readSources } from "../latest-state.ts";
import type { RouteDeps } from "./common.ts";

const SIMULATED_NOTICE =
  "SIMULATED DATA: this exchange's feed comes from the Tickerplant exchange simulator, not the real exchange. Prices are not real.";

export const ExchangeSchema = T.Object({
  id: T.String(),
  name: T.String(),
  marketTypes: T.Array(T.Union([T.Literal("spot"), T.Literal("perp")]), {
    description: "market types served (spot: BASE-QUOTE, perp: BASE-QUOTE-PERP)",
  }),
  channels: T.Array(T.String(), { description: "normalized channels the exchange's adapters produce" }),
  source: T.Union([T.Literal("live"), T.Literal("simulated"), T.Literal("unknown")], {
    description:
      "where the ingestor gets this exchange's data (Redis source:<exchange>); unknown when no ingestor reported",
  }),
  simulated: T.Boolean(),
  notice: T.Optional(T.String()),
  sourceUrl: T.Union([T.String(), T.Null()]),
  sourceUpdatedAt: T.Union([T.Number(), T.Null()]),
  markets: T.Integer({ description: "markets listed in SQL" }),
  status: T.Union([T.Literal("active"), T.Literal("inactive")], {
    description: "active: an ingestor has reported a source for this exchange",
  }),
});

export function exchangesRoute(deps: RouteDeps) {
  return new Elysia().get(
    "/exchanges",
    async () => {
      const ids = Object.keys(deps.exchanges).sort();
      const [sources, stored] = await Promise.all([
        readSources(deps.redis, ids),
        listExchangesWithData(deps.sql),
      ]);
      const marketCounts = new Map(stored.map((s) => [s.exchange, s.markets]));
      const data = ids.map((id) => {
        const exchange = deps.exchanges[id]!;
        const src = sources.get(id) ?? { source: "unknown" as const, url: null, updatedAt: null };
        const simulated = src.source === "simulated";
        return {
          id,
          name: exchange.name,
          marketTypes: exchange.adapters.map((a) => a.marketType),
          channels: [...new Set(exchange.adapters.flatMap((a) => a.channels))],
          source: src.source,
          simulated,
          ...(simulated ? { notice: SIMULATED_NOTICE } : {}),
          sourceUrl: src.url,
          sourceUpdatedAt: src.updatedAt,
          markets: marketCounts.get(id) ?? 0,
          status: src.source === "unknown" ? ("inactive" as const) : ("active" as const),
        };
      });
      const anySimulated = data.some((e) => e.simulated);
      return {
        data,
        simulated: anySimulated,
        ...(anySimulated
          ? {
              notice: `SIMULATED DATA from: ${data
                .filter((e) => e.simulated)
                .map((e) => e.id)
                .join(", ")}`,
            }
          : {}),
      };
    },
    {
      detail: {
        tags: ["reference"],
        summary: "Supported exchanges and where their data comes from",
        description: "`simulated: true` (with a `notice`) marks exchanges fed by the exchange simulator.",
      },
      response: {
        200: T.Object({
          data: T.Array(ExchangeSchema),
          simulated: T.Boolean(),
          notice: T.Optional(T.String()),
        }),
        503: ErrorBodySchema,
      },
    },
  );
}
