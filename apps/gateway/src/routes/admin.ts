import { Type as T } from "@sinclair/typebox";
import { SubscriptionEntrySchema } from "@tickerplant/core";
import type { SubscriptionsStore } from "@tickerplant/runtime";
import { Elysia, t } from "elysia";
import type { Access } from "../access/access.ts";
import { ApiError, ErrorBodySchema } from "../errors.ts";
import { q, type RouteDeps, requireExchange } from "./common.ts";

/**
 * Admin API: the desired ingestion set in the `subscriptions` KV bucket, which ingestors watch.
 * Every route needs an `x-api-key` with the `admin` role (ADMIN_API_KEYS, or API_KEYS entries with
 * role admin); without such a key configured the API is off.
 */
export function adminRoutes(deps: RouteDeps & { store: SubscriptionsStore; access: Access }) {
  const errors = { 401: ErrorBodySchema, 403: ErrorBodySchema, 400: ErrorBodySchema, 404: ErrorBodySchema };
  const params = t.Object({ exchange: q.exchange, market: q.market });
  return new Elysia({ prefix: "/admin" })
    .onBeforeHandle(() => {
      if (!deps.access.keys.hasRole("admin"))
        throw new ApiError(403, "admin_disabled", "the admin API is off (no ADMIN_API_KEYS)");
    })
    .onBeforeHandle(deps.access.require("admin"))
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
