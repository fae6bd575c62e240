import { randomBytes } from "node:crypto";
import { Type as T } from "@sinclair/typebox";
import {
  type AlertCreate,
  AlertCreateSchema,
  AlertDeliverySchema,
  AlertFiringSchema,
  AlertSchema,
  redisKeys,
  STATS_WINDOWS,
} from "@tickerplant/core";
import {
  countAlerts,
  deleteAlert,
  getAlert,
  insertAlert,
  listAlerts,
  listDeliveries,
  listFirings,
} from "@tickerplant/db";
import { Elysia, t } from "elysia";
import { ApiError, ErrorBodySchema, invalidRequest, unknownMarket } from "../errors.ts";
import { marketListing } from "../queries.ts";
import { q, type RouteDeps, requireExchange } from "./common.ts";

/** Most live rules the store accepts. */
export const MAX_ALERTS = 10_000;
const UUID = "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$";
const idParams = t.Object({ id: t.String({ pattern: UUID, error: "id must be an alert id (a UUID)" }) });

/** Seconds in a window spec such as `30s`, `5m`, `1h`. */
function seconds(spec: string): number {
  const n = Number(spec.slice(0, -1));
  const unit = spec.at(-1);
  return n * (unit === "s" ? 1 : unit === "m" ? 60 : 3600);
}

/** The kind-specific rules TypeBox cannot say: threshold ranges and windows. Throws 400. */
export function checkRule(a: AlertCreate): { threshold: number | null; window: string | null } {
  const thr = a.threshold;
  const need = (ok: boolean, what: string) => {
    if (!ok) throw invalidRequest(`${a.kind}: ${what}`);
  };
  if (a.kind !== "stale") need(thr !== undefined && Number.isFinite(thr), "threshold is required");
  switch (a.kind) {
    case "price_above":
    case "price_below":
      need(thr! > 0 && thr! <= 1e12, "threshold must be a price above 0 and at most 1e12");
      need(a.window === undefined, "window does not apply to a price alert");
      return { threshold: thr!, window: null };
    case "change_pct":
      need(thr !== 0 && Math.abs(thr!) <= 1000, "threshold must be a non-zero percent within ±1000");
      need(
        a.window === undefined || (STATS_WINDOWS as readonly string[]).includes(a.window),
        "window must be 1m, 5m, 1h or 24h",
      );
      return { threshold: thr!, window: a.window ?? "5m" };
    case "spread_above":
      need(thr! > 0 && thr! <= 100, "threshold must be a spread in percent of mid, above 0 and at most 100");
      need(a.window === undefined, "window does not apply to a spread alert");
      return { threshold: thr!, window: null };
    case "volume_spike":
      need(
        thr! > 1 && thr! <= 10_000,
        "threshold must be a multiple of the average volume, above 1 and at most 10000",
      );
      need(a.window === undefined || a.window === "1m" || a.window === "5m", "window must be 1m or 5m");
      return { threshold: thr!, window: a.window ?? "1m" };
    case "stale":
      need(thr === undefined || thr === 0, "threshold does not apply to a stale alert (use window)");
      need(
        a.window === undefined || (seconds(a.window) >= 5 && seconds(a.window) <= 86_400),
        "window must be 5s..24h",
      );
      return { threshold: null, window: a.window ?? "60s" };
  }
}

/** Cooldown in seconds from seconds or a duration; 400 past 7 days. */
export function cooldownSeconds(c: number | string | undefined): number {
  const s = c === undefined ? 60 : typeof c === "number" ? c : seconds(c);
  if (s > 604_800) throw invalidRequest("cooldown must be at most 7 days");
  return s;
}

function checkWebhook(url: string): void {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw invalidRequest("webhook must be an absolute http(s) URL");
  }
  if (u.protocol !== "http:" && u.protocol !== "https:")
    throw invalidRequest("webhook must be an http(s) URL");
  if (u.username || u.password) throw invalidRequest("webhook must not carry credentials");
}

/** Known: in the exchange's market list, or with latest state the platform holds for it. */
async function requireKnownMarket(deps: RouteDeps, exchange: string, market: string): Promise<void> {
  const { known } = await marketListing(deps.sql, exchange, market);
  if (known) return;
  const held = await deps.redis.exists(
    redisKeys.market("stats", exchange, market),
    redisKeys.market("ticker", exchange, market),
    redisKeys.market("bbo", exchange, market),
  );
  if (held === 0) throw unknownMarket(exchange, market);
}

const Created = T.Composite([
  AlertSchema,
  T.Object({
    webhookSecret: T.Optional(
      T.String({ description: "HMAC key of the webhook signatures (only in this answer)" }),
    ),
  }),
]);

/**
 * Alert rules over REST: create (201 `{"id":…}`), list, read, delete (write role), their firings
 * and the webhook delivery log with the dead letters. The analyzer evaluates the rules.
 */
export function alertRoutes(deps: RouteDeps) {
  const errors = {
    400: ErrorBodySchema,
    401: ErrorBodySchema,
    403: ErrorBodySchema,
    404: ErrorBodySchema,
    409: ErrorBodySchema,
  };
  const write = { beforeHandle: deps.access.require("write") };
  return new Elysia({ prefix: "/alerts" })
    .post(
      "",
      async ({ body, set }) => {
        requireExchange(deps, body.exchange);
        const { threshold, window } = checkRule(body);
        const cooldown = cooldownSeconds(body.cooldown);
        if (body.webhook !== undefined) checkWebhook(body.webhook);
        else if (body.webhookSecret !== undefined) throw invalidRequest("webhookSecret needs a webhook");
        await requireKnownMarket(deps, body.exchange, body.market);
        if ((await countAlerts(deps.sql)) >= MAX_ALERTS)
          throw new ApiError(409, "limit_reached", `at most ${MAX_ALERTS} alert rules; delete some first`);
        const secret =
          body.webhook === undefined ? null : (body.webhookSecret ?? randomBytes(32).toString("hex"));
        const alert = await insertAlert(deps.sql, {
          exchange: body.exchange,
          market: body.market,
          kind: body.kind,
          threshold,
          window,
          cooldown,
          webhook: body.webhook ?? null,
          secret,
        });
        set.status = 201;
        return {
          ...alert,
          ...(secret !== null && body.webhookSecret === undefined ? { webhookSecret: secret } : {}),
        };
      },
      {
        ...write,
        body: AlertCreateSchema,
        detail: {
          tags: ["alerts"],
          summary: "Create an alert rule (write role)",
          description:
            "Kinds and threshold units: price_above / price_below (price), change_pct (percent over `window` 1m/5m/1h/24h, default 5m; negative = a fall), " +
            "spread_above (bid/ask spread in percent of mid), volume_spike (the `window` 1m/5m volume as a multiple of its 1 h average), " +
            "stale (no update for `window`, 5s..24h, default 60s, or a gap/stale/disconnect status; no threshold). " +
            "`cooldown` seconds between firings (default 60). `webhook`: an http(s) URL receiving signed POSTs; the signing key is " +
            "`webhookSecret` if given, else generated and returned once in this answer. Firings arrive on WS `alert:<exchange>:<market>`.",
        },
        response: { 201: Created, ...errors },
      },
    )
    .get(
      "",
      async ({ query }) => ({
        data: await listAlerts(deps.sql, { exchange: query.exchange, market: query.market }),
      }),
      {
        query: t.Object({ exchange: t.Optional(q.exchange), market: t.Optional(q.marketFilter) }),
        detail: { tags: ["alerts"], summary: "Live alert rules, newest first" },
        response: { 200: T.Object({ data: T.Array(AlertSchema) }), ...errors },
      },
    )
    .get(
      "/deliveries",
      async ({ query }) => ({
        data: await listDeliveries(deps.sql, {
          alertId: query.alertId,
          status: query.status,
          limit: query.limit,
        }),
      }),
      {
        query: t.Object({
          alertId: t.Optional(t.String({ pattern: UUID, error: "alertId must be an alert id (a UUID)" })),
          status: t.Optional(
            t.Union([t.Literal("pending"), t.Literal("delivered"), t.Literal("dead")], {
              error: "status must be pending, delivered or dead",
            }),
          ),
          limit: t.Optional(q.limit),
        }),
        detail: {
          tags: ["alerts"],
          summary: "Webhook deliveries with their attempt log",
          description:
            "`status=dead` lists the dead letters: deliveries whose every attempt failed (WEBHOOK_MAX_ATTEMPTS).",
        },
        response: { 200: T.Object({ data: T.Array(AlertDeliverySchema) }), ...errors },
      },
    )
    .get(
      "/:id",
      async ({ params }) => {
        const alert = await getAlert(deps.sql, params.id);
        if (!alert) throw new ApiError(404, "not_found", `no alert ${params.id}`);
        return { data: alert };
      },
      {
        params: idParams,
        detail: { tags: ["alerts"], summary: "One alert rule" },
        response: { 200: T.Object({ data: AlertSchema }), ...errors },
      },
    )
    .get(
      "/:id/firings",
      async ({ params, query }) => ({ data: await listFirings(deps.sql, params.id, query.limit ?? 100) }),
      {
        params: idParams,
        query: t.Object({ limit: t.Optional(q.limit) }),
        detail: {
          tags: ["alerts"],
          summary: "Every firing of a rule, newest first (kept after the rule is deleted)",
        },
        response: { 200: T.Object({ data: T.Array(AlertFiringSchema) }), ...errors },
      },
    )
    .delete(
      "/:id",
      async ({ params }) => {
        if (!(await deleteAlert(deps.sql, params.id)))
          throw new ApiError(404, "not_found", `no alert ${params.id}`);
        return { data: { id: params.id, deleted: true } };
      },
      {
        ...write,
        params: idParams,
        detail: {
          tags: ["alerts"],
          summary: "Delete an alert rule (write role); its firings stay on record",
        },
        response: { 200: T.Object({ data: T.Object({ id: T.String(), deleted: T.Boolean() }) }), ...errors },
      },
    );
}
