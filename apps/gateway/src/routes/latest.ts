import { Type as T } from "@sinclair/typebox";
import { DerivSchema, StatsSchema, TickerSchema } from "@tickerplant/core";
import { Elysia, t } from "elysia";
import { ErrorBodySchema, unknownMarket } from "../errors.ts";
import { LatestJson } from "../latest-json.ts";
import type { LatestKind } from "../latest-state.ts";
import {
  Freshness,
  freshness,
  jsonResponse,
  q,
  type ResponseSet,
  type RouteDeps,
  requireExchange,
} from "./common.ts";

export const TickerWithFreshness = T.Composite([TickerSchema, Freshness]);
export const StatsWithFreshness = T.Composite([StatsSchema, Freshness]);
export const DerivWithFreshness = T.Composite([DerivSchema, Freshness]);

const records = new LatestJson();

/**
 * Latest values from the Redis hashes (`ticker:*`, `stats:*`, `deriv:*`): both filters optional.
 * The body is written here (records' JSON made once per shared read, freshness per request); the
 * route's response schema stays its documented contract.
 */
async function latest(
  deps: RouteDeps,
  set: ResponseSet,
  kind: LatestKind,
  exchange?: string,
  market?: string,
): Promise<Response> {
  if (exchange !== undefined) requireExchange(deps, exchange);
  const entries = await deps.latest.read(kind, exchange ?? "*", market ?? "*");
  const now = Date.now();
  let body = "";
  for (const e of entries) {
    if (deps.exchanges[e.exchange] === undefined) continue;
    const open = records.open(kind, e);
    if (open === null) {
      deps.metrics.invalidRecords.inc({ source: "redis" });
      deps.log.warn("invalid latest-state record left out", { kind, exchange: e.exchange, market: e.market });
      continue;
    }
    const { updatedAt, ageMs } = freshness(e.updatedAt, now);
    body += `${body === "" ? "" : ","}${open}"updatedAt":${updatedAt},"ageMs":${ageMs}}`;
  }
  if (market !== undefined && body === "") throw unknownMarket(exchange ?? "*", market);
  return jsonResponse(`{"data":[${body}]}`, set);
}

const filters = t.Object({ exchange: t.Optional(q.exchange), market: t.Optional(q.marketFilter) });

export function tickersRoute(deps: RouteDeps) {
  return new Elysia().get(
    "/tickers",
    ({ query, set }) => latest(deps, set, "ticker", query.exchange, query.market),
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
    ({ query, set }) => latest(deps, set, "stats", query.exchange, query.market),
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
    ({ query, set }) => latest(deps, set, "deriv", query.exchange, query.market),
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
