import { Type as T } from "@sinclair/typebox";
import { TypeCompiler } from "@sinclair/typebox/compiler";
import {
  type Composite,
  CompositeSchema,
  type Holding,
  HoldingSchema,
  HoldingsSchema,
  MAX_HOLDINGS,
  PortfolioCreateSchema,
  PortfolioValuationSchema,
  redisKeys,
  valuePortfolio,
} from "@tickerplant/core";
import {
  countHoldings,
  countPortfolios,
  deleteHolding,
  deletePortfolio,
  getPortfolio,
  insertPortfolio,
  listPortfolios,
  type PortfolioRecord,
  replaceHoldings,
  upsertHolding,
} from "@tickerplant/db";
import { Elysia, t } from "elysia";
import { ApiError, ErrorBodySchema, invalidRequest } from "../errors.ts";
import type { RouteDeps } from "./common.ts";

export const MAX_PORTFOLIOS = 10_000;
const UUID = "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$";
const idParams = t.Object({ id: t.String({ pattern: UUID, error: "id must be a portfolio id (a UUID)" }) });
const checkComposite = TypeCompiler.Compile(CompositeSchema);

const Valued = T.Composite([
  PortfolioValuationSchema,
  T.Object({ createdAt: T.Number(), updatedAt: T.Number() }),
]);

function uniqueAssets(holdings: readonly Holding[]): void {
  const seen = new Set<string>();
  for (const h of holdings) {
    if (seen.has(h.asset)) throw invalidRequest(`asset ${h.asset} is listed twice`);
    seen.add(h.asset);
  }
}

/** The analyzer's latest composites of the given assets, from Redis. */
async function composites(deps: RouteDeps, assets: Iterable<string>): Promise<Map<string, Composite>> {
  const list = [...new Set(assets)];
  const out = new Map<string, Composite>();
  if (list.length === 0) return out;
  const pipeline = deps.redis.pipeline();
  for (const a of list) pipeline.hget(redisKeys.asset("composite", a), "json");
  const results = (await pipeline.exec()) ?? [];
  results.forEach(([err, json], i) => {
    if (err || typeof json !== "string") return;
    try {
      const c = JSON.parse(json);
      if (checkComposite.Check(c)) out.set(list[i]!, c);
      else deps.metrics.invalidRecords.inc({ source: "redis" });
    } catch {
      deps.metrics.invalidRecords.inc({ source: "redis" });
    }
  });
  return out;
}

async function valued(deps: RouteDeps, p: PortfolioRecord) {
  const c = await composites(
    deps,
    p.holdings.map((h) => h.asset),
  );
  return { ...valuePortfolio(p, p.holdings, c, Date.now()), createdAt: p.createdAt, updatedAt: p.updatedAt };
}

async function load(deps: RouteDeps, id: string): Promise<PortfolioRecord> {
  const p = await getPortfolio(deps.sql, id);
  if (!p) throw new ApiError(404, "not_found", `no portfolio ${id}`);
  return p;
}

/**
 * Portfolios over REST, valued with the composite prices (value, P&L, allocation, 24 h change);
 * live on WS `portfolio:<id>`. Writes take the write role.
 */
export function portfolioRoutes(deps: RouteDeps) {
  const errors = {
    400: ErrorBodySchema,
    401: ErrorBodySchema,
    403: ErrorBodySchema,
    404: ErrorBodySchema,
    409: ErrorBodySchema,
  };
  const write = { beforeHandle: deps.access.require("write") };
  const one = T.Object({ data: Valued });
  return new Elysia({ prefix: "/portfolios" })
    .post(
      "",
      async ({ body, set }) => {
        const holdings = body.holdings ?? [];
        uniqueAssets(holdings);
        if ((await countPortfolios(deps.sql)) >= MAX_PORTFOLIOS)
          throw new ApiError(409, "limit_reached", `at most ${MAX_PORTFOLIOS} portfolios; delete some first`);
        const p = await insertPortfolio(deps.sql, body.name, holdings);
        set.status = 201;
        return { id: p.id, data: await valued(deps, p) };
      },
      {
        ...write,
        body: PortfolioCreateSchema,
        detail: {
          tags: ["portfolios"],
          summary: "Create a portfolio (write role)",
          description: `\`holdings\`: at most ${MAX_HOLDINGS} of {asset, quantity, costBasis?} (costBasis = total USD paid). Answers 201 {"id":…, "data": the valuation}.`,
        },
        response: { 201: T.Object({ id: T.String(), data: Valued }), ...errors },
      },
    )
    .get(
      "",
      async () => {
        const list = await listPortfolios(deps.sql, 1000);
        const c = await composites(
          deps,
          list.flatMap((p) => p.holdings.map((h) => h.asset)),
        );
        const now = Date.now();
        return {
          data: list.map((p) => ({
            ...valuePortfolio(p, p.holdings, c, now),
            createdAt: p.createdAt,
            updatedAt: p.updatedAt,
          })),
        };
      },
      {
        detail: { tags: ["portfolios"], summary: "Portfolios (newest first, at most 1000), valued now" },
        response: { 200: T.Object({ data: T.Array(Valued) }), ...errors },
      },
    )
    .get("/:id", async ({ params }) => ({ data: await valued(deps, await load(deps, params.id)) }), {
      params: idParams,
      detail: {
        tags: ["portfolios"],
        summary: "A portfolio valued with the composite prices",
        description:
          "value, cost basis, P&L, allocation per holding and the 24 h change; `unpriced` lists assets no live venue quotes.",
      },
      response: { 200: one, ...errors },
    })
    .delete(
      "/:id",
      async ({ params }) => {
        if (!(await deletePortfolio(deps.sql, params.id)))
          throw new ApiError(404, "not_found", `no portfolio ${params.id}`);
        return { data: { id: params.id, deleted: true } };
      },
      {
        ...write,
        params: idParams,
        detail: { tags: ["portfolios"], summary: "Delete a portfolio (write role)" },
        response: { 200: T.Object({ data: T.Object({ id: T.String(), deleted: T.Boolean() }) }), ...errors },
      },
    )
    .get("/:id/holdings", async ({ params }) => ({ data: (await load(deps, params.id)).holdings }), {
      params: idParams,
      detail: { tags: ["portfolios"], summary: "A portfolio's holdings" },
      response: { 200: T.Object({ data: T.Array(HoldingSchema) }), ...errors },
    })
    .put(
      "/:id/holdings",
      async ({ params, body }) => {
        uniqueAssets(body);
        if (!(await replaceHoldings(deps.sql, params.id, body)))
          throw new ApiError(404, "not_found", `no portfolio ${params.id}`);
        return { data: await valued(deps, await load(deps, params.id)) };
      },
      {
        ...write,
        params: idParams,
        body: HoldingsSchema,
        detail: { tags: ["portfolios"], summary: "Replace a portfolio's holdings (write role)" },
        response: { 200: one, ...errors },
      },
    )
    .post(
      "/:id/holdings",
      async ({ params, body }) => {
        const p = await load(deps, params.id);
        if (
          !p.holdings.some((h) => h.asset === body.asset) &&
          (await countHoldings(deps.sql, params.id)) >= MAX_HOLDINGS
        )
          throw invalidRequest(`a portfolio holds at most ${MAX_HOLDINGS} assets`);
        if (!(await upsertHolding(deps.sql, params.id, body)))
          throw new ApiError(404, "not_found", `no portfolio ${params.id}`);
        return { data: await valued(deps, await load(deps, params.id)) };
      },
      {
        ...write,
        params: idParams,
        body: HoldingSchema,
        detail: { tags: ["portfolios"], summary: "Add or set one holding (write role)" },
        response: { 200: one, ...errors },
      },
    )
    .delete(
      "/:id/holdings/:asset",
      async ({ params }) => {
        if (!(await deleteHolding(deps.sql, params.id, params.asset)))
          throw new ApiError(404, "not_found", `portfolio ${params.id} holds no ${params.asset}`);
        return { data: await valued(deps, await load(deps, params.id)) };
      },
      {
        ...write,
        params: t.Object({
          id: idParams.properties.id,
          asset: t.String({ pattern: "^[A-Z0-9]{1,20}$", error: "asset must be like BTC" }),
        }),
        detail: { tags: ["portfolios"], summary: "Remove one holding (write role)" },
        response: { 200: one, ...errors },
      },
    );
}
