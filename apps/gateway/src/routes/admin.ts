import { timingSafeEqual } from "node:crypto";
import { Type as T } from "@sinclair/typebox";
import { SubscriptionEntrySchema } from "@tickerplant/core";
import type { SubscriptionsStore } from "@tickerplant/runtime";
import { Elysia, t } from "elysia";
import { ApiError, ErrorBodySchema } from "../errors.ts";
import { q, type RouteDeps, requireExchange } from "./common.ts";

function keyMatches(given: string, keys: readonly string[]): boolean {
  const g = Buffer.from(given);
  return keys.some((k) => {
    const b = Buffer.from(k);
    return b.length === g.length && timingSafeEqual(b, g);
  });
}

/**
 * Admin API: the desired ingestion set in the `subscriptions` KV bucket, which ingestors watch.
 * Every route needs an `x-api-key` from ADMIN_API_KEYS; without configured keys the API is off.
 */
export function adminRoutes(deps: RouteDeps & { store: SubscriptionsStore; apiKeys: readonly string[] }) {
  const errors = { 401: ErrorBodySchema, 403: ErrorBodySchema, 400: ErrorBodySchema, 404: ErrorBodySchema };
  const params = t.Object({ exchange: q.exchange, market: q.market });
  return new Elysia({ prefix: "/admin" })
    .onBeforeHandle(({ request }) => {
      if (deps.apiKeys.length === 0)
        throw new ApiError(403, "admin_disabled", "the admin API is off (no ADMIN_API_KEYS)");
      const key = request.headers.get("x-api-key");
      if (!key || !keyMatches(key, deps.apiKeys))
        throw new ApiError(401, "unauthorized", "a valid x-api-key header is required");
    })
    .get("/subscriptions", async () => ({ data: await deps.store.list() }), {
      detail: { tags: ["admin"], summary: "The desired ingestion set (subscriptions KV)" },
      response: { 200: T.Object({ data: T.Array(SubscriptionEntrySchema) }), ...errors },
    })
    .put(
      "/subscriptions/:exchange/:market",
      async ({ params: p, body }) => {
        requireExchange(deps, p.exchange);
        const entry = {
          exchange: p.exchange,
          market: p.market,
          channels: body.channels,
          ...(body.intervals ? { intervals: body.intervals } : {}),
        };
        await deps.store.put(entry);
        return { data: entry };
      },
      {
        params,
        body: T.Omit(SubscriptionEntrySchema, ["exchange", "market"]),
        detail: {
          tags: ["admin"],
          summary: "Ingest a market's channels (ingestors reconcile within a second)",
        },
        response: { 200: T.Object({ data: SubscriptionEntrySchema }), ...errors },
      },
    )
    .delete(
      "/subscriptions/:exchange/:market",
      async ({ params: p }) => {
        requireExchange(deps, p.exchange);
        await deps.store.delete(p.exchange, p.market);
        return { data: { exchange: p.exchange, market: p.market, deleted: true } };
      },
      {
        params,
        detail: { tags: ["admin"], summary: "Stop ingesting a market added through the admin API" },
        response: {
          200: T.Object({
            data: T.Object({ exchange: T.String(), market: T.String(), deleted: T.Boolean() }),
          }),
          ...errors,
        },
      },
    );
}
