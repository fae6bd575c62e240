import { type Static, Type as T, type TSchema } from "@sinclair/typebox";
import { DerivSchema, StatsSchema, TickerSchema } from "@tickerplant/core";
import { Elysia, t } from "elysia";
import { ErrorBodySchema, unknownMarket } from "../errors.ts";
import type { LatestKind } from "../latest-state.ts";
import { isLatestMessage } from "../message-check.ts";
import { Freshness, freshness, q, type RouteDeps, requireExchange } from "./common.ts";

export const TickerWithFreshness = T.Composite([TickerSchema, Freshness]);
export const StatsWithFreshness = T.Composite([StatsSchema, Freshness]);
export const DerivWithFreshness = T.Composite([DerivSchema, Freshness]);

/** Latest values from the Redis hashes (`ticker:*`, `stats:*`, `deriv:*`): both filters optional. */
async function latest<S extends TSchema>(
  deps: RouteDeps,
  kind: LatestKind,
  exchange?: string,
  market?: string,
): Promise<{ data: Static<S>[] }> {
  if (exchange !== undefined) requireExchange(deps, exchange);
  const entries = await deps.latest.read(kind, exchange ?? "*", market ?? "*");
  const now = Date.now();
  const data: Static<S>[] = [];
  for (const e of entries) {
    if (deps.exchanges[e.exchange] === undefined) continue;
    if (!isLatestMessage(kind, e.data)) {
      deps.metrics.invalidRecords.inc({ source: "redis" });
      deps.log.warn("invalid latest-state record left out", { kind, exchange: e.exchange, market: e.market });
      continue;
    }
    data.push({ ...(e.data as object), ...freshness(e.updatedAt, now) } as Static<S>);
  }
  if (market !== undefined && data.length === 0) throw unknownMarket(exchange ?? "*", market);
  return { data };
}

const filters = t.Object({ exchange: t.Optional(q.exchange), market: t.Optional(q.marketFilter) });

export function tickersRoute(deps: RouteDeps) {
  return new Elysia().get(
    "/tickers",
    ({ query }) => latest<typeof TickerWithFreshness>(deps, "ticker", query.exchange, query.market),
    {
      query: filters,
      detail: {
        tags: ["market data"],
        summary: "Latest 24 h tickers",
        description:
          "From the latest-state store. `updatedAt`/`ageMs` tell how fresh each value is. A `market` with no ticker is 404 unknown_market.",
      },
      response: {
        200: T.Object({ data: T.Array(TickerWithFreshness) }),
        400: ErrorBodySchema,
        404: ErrorBodySchema,
        503: ErrorBodySchema,
      },
    },
  );
}

export function statsRoute(deps: RouteDeps) {
  return new Elysia().get(
    "/stats",
    ({ query }) => latest<typeof StatsWithFreshness>(deps, "stats", query.exchange, query.market),
    {
      query: filters,
      detail: {
        tags: ["analytics"],
        summary: "Rolling 24 h statistics per market (analyzer)",
        description: "VWAP, change, range, volume and trade count over the last 24 h, with freshness.",
      },
      response: {
        200: T.Object({ data: T.Array(StatsWithFreshness) }),
        400: ErrorBodySchema,
        404: ErrorBodySchema,
        503: ErrorBodySchema,
      },
    },
  );
}

export function derivsRoute(deps: RouteDeps) {
  return new Elysia().get(
    "/derivs",
    ({ query }) => latest<typeof DerivWithFreshness>(deps, "deriv", query.exchange, query.market),
    {
      query: filters,
      detail: {
        tags: ["market data"],
        summary: "Latest derivatives state (mark/index price, funding, open interest)",
        description:
          "From the latest-state store, merged per market: each value is the newest the exchange sent, " +
          "whichever message carried it (some exchanges send open interest, funding and prices separately), " +
          "and `ts` is the newest message's time. A value is null only when the exchange has not sent it yet. " +
          "`updatedAt`/`ageMs` tell how fresh the state is. A `market` with no state is 404 unknown_market.",
      },
      response: {
        200: T.Object({ data: T.Array(DerivWithFreshness) }),
        400: ErrorBodySchema,
        404: ErrorBodySchema,
        503: ErrorBodySchema,
      },
    },
  );
}
