import { type Static, Type as T } from "@sinclair/typebox";
import { TypeCompiler } from "@sinclair/typebox/compiler";
import { CompositeSchema, redisKeys, SpreadSchema } from "@tickerplant/core";
import { Elysia, t } from "elysia";
import { ApiError, ErrorBodySchema } from "../errors.ts";
import { Freshness, freshness, type RouteDeps } from "./common.ts";

const checkComposite = TypeCompiler.Compile(CompositeSchema);
const checkSpread = TypeCompiler.Compile(SpreadSchema);

export const CompositeWithFreshness = T.Composite([CompositeSchema, Freshness]);
export const SpreadWithFreshness = T.Composite([SpreadSchema, Freshness]);

const assetQuery = t.Object({
  asset: t.String({
    pattern: "^[A-Z0-9]{1,20}$",
    description: "asset, e.g. BTC",
    error: "asset is required and must be an upper-case asset symbol such as BTC",
  }),
});

/** Reads the analyzer's `composite:<ASSET>` / `spread:<ASSET>` hash; 404 when there is none. */
async function readAsset<K extends "composite" | "spread">(
  deps: RouteDeps,
  kind: K,
  asset: string,
): Promise<{
  data: Static<K extends "composite" ? typeof CompositeWithFreshness : typeof SpreadWithFreshness>;
}> {
  const key = redisKeys.asset(kind, asset);
  const [json, updatedAt] = await deps.redis.hmget(key, "json", "updatedAt");
  if (json == null)
    throw new ApiError(404, "unknown_asset", `no ${kind} for asset "${asset}" (no venue quotes it)`);
  let data: unknown;
  try {
    data = JSON.parse(json);
  } catch {
    data = undefined;
  }
  const check = kind === "composite" ? checkComposite : checkSpread;
  if (!check.Check(data)) {
    deps.metrics.invalidRecords.inc({ source: "redis" });
    throw new ApiError(503, "unavailable", `the stored ${kind} of ${asset} is unreadable`);
  }
  const at = updatedAt == null ? null : Number(updatedAt);
  return { data: { ...(data as object), ...freshness(at) } as never };
}

/** `GET /composite?asset=BTC`, `GET /spreads?asset=BTC`. */
export function compositeRoutes(deps: RouteDeps) {
  const errors = { 400: ErrorBodySchema, 404: ErrorBodySchema, 503: ErrorBodySchema };
  return new Elysia()
    .get("/composite", ({ query }) => readAsset(deps, "composite", query.asset), {
      query: assetQuery,
      detail: {
        tags: ["analytics"],
        summary: "Composite price of an asset across venues",
        description:
          "Volume-weighted (or median, COMPOSITE_METHOD) last price over every live venue's spot market in USD, USDT or USDC. " +
          "`sources` are the venues used with their weights; `excluded` those left out (stale, disconnected, gap, no_price). " +
          "Live on WS `composite:<ASSET>`.",
      },
      response: { 200: t.Object({ data: CompositeWithFreshness }), ...errors },
    })
    .get("/spreads", ({ query }) => readAsset(deps, "spread", query.asset), {
      query: assetQuery,
      detail: {
        tags: ["analytics"],
        summary: "Best bid/ask across venues, spread and arbitrage gap of an asset",
        description: "From the venues' latest best bid/offer. Live on WS `spread:<ASSET>`.",
      },
      response: { 200: t.Object({ data: SpreadWithFreshness }), ...errors },
    });
}
