import { Type as T } from "@sinclair/typebox";
import type { Exchange } from "@tickerplant/core";
import type { Logger, Redis, Sql } from "@tickerplant/runtime";
import { t } from "elysia";
import type { Access } from "../access/access.ts";
import { unknownExchange, unknownMarket } from "../errors.ts";
import type { LatestCache } from "../latest-cache.ts";
import type { GatewayMetrics } from "../metrics.ts";
import { marketListing } from "../queries.ts";

/** What every REST route module gets. */
export interface RouteDeps {
  sql: Sql;
  redis: Redis;
  /** The latest-state hashes as the REST routes read them (shared reads, see LatestCache). */
  latest: LatestCache;
  exchanges: Readonly<Record<string, Exchange>>;
  metrics: GatewayMetrics;
  log: Logger;
  /** API keys, roles and rate limits: state-changing routes take `beforeHandle: access.require("write")`. */
  access: Access;
}

export function requireExchange(deps: RouteDeps, id: string): Exchange {
  const exchange = deps.exchanges[id];
  if (!exchange) throw unknownExchange(id);
  return exchange;
}

/** 404 for a market the exchange's market list does not have (when there is a list). */
export async function requireMarket(deps: RouteDeps, exchange: string, market: string): Promise<void> {
  const { listed, known } = await marketListing(deps.sql, exchange, market);
  if (listed && !known) throw unknownMarket(exchange, market);
}

/** The exchange's symbol for a market, when a stored row lacks it. */
export function symbolFor(exchange: Exchange, market: string): string {
  const kind = market.endsWith("-PERP") ? "perp" : "spot";
  try {
    return exchange.adapters.find((a) => a.marketType === kind)?.symbolOf(market) ?? "";
  } catch {
    return "";
  }
}

// Query parameters. `error` gives the readable message of the 400 response.
const MARKET_PATTERN = "^[A-Z0-9]+-[A-Z0-9]+(-PERP|-[0-9]{6})?$";
const MARKET_FORMAT = "BASE-QUOTE, BASE-QUOTE-PERP or BASE-QUOTE-YYMMDD (e.g. BTC-USDT)";
export const q = {
  exchange: t.String({
    minLength: 1,
    maxLength: 32,
    description: "exchange id, e.g. binance",
    error: "exchange is required (an exchange id such as binance)",
  }),
  market: t.String({
    pattern: MARKET_PATTERN,
    description: "market, e.g. BTC-USDT",
    error: `market is required and must look like ${MARKET_FORMAT}`,
  }),
  marketFilter: t.String({
    pattern: MARKET_PATTERN,
    description: "market, e.g. BTC-USDT",
    error: `market must look like ${MARKET_FORMAT}`,
  }),
  from: t.String({
    description: "start of the window (inclusive): ISO-8601 or epoch milliseconds",
    error: "from must be an ISO-8601 time or epoch milliseconds",
  }),
  to: t.String({
    description: "end of the window (inclusive): ISO-8601 or epoch milliseconds",
    error: "to must be an ISO-8601 time or epoch milliseconds",
  }),
  limit: t.Integer({
    minimum: 1,
    maximum: 1000,
    default: 100,
    description: "1..1000",
    error: "limit must be an integer from 1 to 1000",
  }),
};

/** Freshness fields added to latest-state records. */
export const Freshness = T.Object({
  updatedAt: T.Union([T.Number(), T.Null()], {
    description: "when the gateway's store last got this value (epoch ms)",
  }),
  ageMs: T.Union([T.Number(), T.Null()], { description: "now − updatedAt, in ms" }),
});

export function freshness(updatedAt: number | null, now = Date.now()) {
  return { updatedAt, ageMs: updatedAt === null ? null : Math.max(0, now - updatedAt) };
}

/** What a handler may touch of Elysia's response state. */
export interface ResponseSet {
  headers: Record<string, unknown>;
}

const JSON_TYPE = "application/json;charset=utf-8";

/**
 * A JSON 200 body a route wrote itself (no response-schema pass: the route made it from checked
 * data). The headers the hooks put in `set` (CORS) go into it here, since Elysia would otherwise
 * build the Response a second time to add them.
 */
export function jsonResponse(body: string | Uint8Array, set: ResponseSet): Response {
  const headers: Record<string, string> = { "content-type": JSON_TYPE };
  for (const name in set.headers) {
    headers[name] = String(set.headers[name]);
    delete set.headers[name];
  }
  return new Response(body, { headers });
}
