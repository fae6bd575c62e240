import { Type as T } from "@sinclair/typebox";
import { TypeCompiler } from "@sinclair/typebox/compiler";
import {
  budgetScope,
  type CapacityScope,
  CapacityScopeSchema,
  type ExchangeAdapter,
  GapViewSchema,
  JOB_PRIORITIES,
  type JobRequest,
  JobRequestSchema,
  type JobState,
  JobStateSchema,
  JobViewSchema,
  newJobId,
  planJob,
} from "@tickerplant/core";
import { cancelJob, enqueueJob, selectGaps, selectJob, selectJobs, selectOpenJobLoad } from "@tickerplant/db";
import { type Nats, WeightBudget } from "@tickerplant/runtime";
import { Elysia, t } from "elysia";
import { ApiError, ErrorBodySchema, invalidRequest } from "../errors.ts";
import { q, type RouteDeps, requireExchange } from "./common.ts";

const checkRequest = TypeCompiler.Compile(JobRequestSchema);
const errors = { 400: ErrorBodySchema, 401: ErrorBodySchema, 403: ErrorBodySchema, 404: ErrorBodySchema };

function adapterFor(deps: RouteDeps, exchange: string, market: string): ExchangeAdapter {
  const ex = requireExchange(deps, exchange);
  const kind = market.endsWith("-PERP") ? "perp" : "spot";
  const adapter = ex.adapters.find((a) => a.marketType === kind);
  if (!adapter) throw invalidRequest(`${exchange} has no ${kind} markets`);
  return adapter;
}

/** Weight of one page of a job on this adapter (klines for candles, trades otherwise). */
function pageWeight(adapter: ExchangeAdapter, market: string, kind: string): number {
  try {
    if (kind === "candles-backfill") return adapter.rest.klinesRequest({ market, interval: "1m" }).weight;
    return adapter.rest.tradesRequest({ market, limit: 1000 }).weight;
  } catch {
    return 1;
  }
}

/**
 * Scheduler jobs (backfills and gap heals) and the REST capacity they draw on:
 * `GET/POST /jobs`, `GET/DELETE /jobs/:id`, `GET /gaps`, `GET /capacity`.
 */
export function jobsRoutes(deps: RouteDeps & { nats: Nats; jobSubject?: (kind: string) => string }) {
  return new Elysia()
    .post(
      "/jobs",
      async ({ request, server, body, set }) => {
        // The key is checked before the body is looked at: no key, 401 whatever the body.
        deps.access.require("write")({ request, server });
        if (!checkRequest.Check(body)) {
          const first = checkRequest.Errors(body).First();
          throw invalidRequest(
            `job: ${first ? `${first.path || "body"}: ${first.message}` : "invalid body"}`,
          );
        }
        const req = body as JobRequest;
        const adapter = adapterFor(deps, req.exchange, req.market);
        let planned: ReturnType<typeof planJob>;
        try {
          planned = planJob(req, adapter.rest.klinesPageLimit);
          if (planned.interval !== null)
            adapter.rest.klinesRequest({ market: req.market, interval: planned.interval });
        } catch (err) {
          throw invalidRequest(err instanceof Error ? err.message : String(err));
        }
        const id = newJobId();
        await enqueueJob(
          deps.sql,
          async (subject, data, msgID) => void (await deps.nats.js.publish(subject, data, { msgID })),
          { id, ...planned },
          deps.jobSubject,
        );
        const view = await selectJob(deps.sql, id);
        set.status = 202;
        return view!;
      },
      {
        body: t.Unknown(),
        detail: {
          tags: ["jobs"],
          summary: "Submit a backfill (x-api-key required)",
          description:
            'Body: `{"kind":"candles-backfill"|"trades-backfill","exchange":"binance","market":"BTC-USDT","interval":"1m","from":ISO-8601|epoch ms,"to"?:…,"priority"?:"immediate"|"short"|"medium"|"long"}`. Answers 202 with the queued job.',
        },
        response: { 202: JobViewSchema, ...errors },
      },
    )
    .get(
      "/jobs",
      async ({ query }) => ({
        data: await selectJobs(deps.sql, {
          ...(query.state ? { state: query.state as JobState } : {}),
          ...(query.kind ? { kind: query.kind } : {}),
          ...(query.exchange ? { exchange: query.exchange } : {}),
          limit: query.limit,
        }),
      }),
      {
        query: t.Object({
          state: t.Optional(JobStateSchema),
          kind: t.Optional(t.String({ maxLength: 32 })),
          exchange: t.Optional(q.exchange),
          limit: t.Optional(q.limit),
        }),
        detail: {
          tags: ["jobs"],
          summary: "Jobs, newest first, with progress, rows written, ETA and errors",
        },
        response: { 200: T.Object({ data: T.Array(JobViewSchema) }), ...errors },
      },
    )
    .get(
      "/jobs/:id",
      async ({ params }) => {
        const job = await selectJob(deps.sql, params.id);
        if (!job) throw new ApiError(404, "not_found", `no job "${params.id}"`);
        return job;
      },
      {
        params: t.Object({ id: t.String({ minLength: 1, maxLength: 64 }) }),
        detail: {
          tags: ["jobs"],
          summary: "One job: state (queued, running, done, failed, cancelled) and progress",
        },
        response: { 200: JobViewSchema, ...errors },
      },
    )
    .delete(
      "/jobs/:id",
      async ({ request, server, params }) => {
        deps.access.require("write")({ request, server });
        const job = await selectJob(deps.sql, params.id);
        if (!job) throw new ApiError(404, "not_found", `no job "${params.id}"`);
        await cancelJob(deps.sql, params.id);
        return (await selectJob(deps.sql, params.id))!;
      },
      {
        params: t.Object({ id: t.String({ minLength: 1, maxLength: 64 }) }),
        detail: {
          tags: ["jobs"],
          summary: "Cancel a job (x-api-key required); an ended job is left as it is",
        },
        response: { 200: JobViewSchema, ...errors },
      },
    )
    .get(
      "/gaps",
      async ({ query }) => ({
        data: await selectGaps(deps.sql, {
          ...(query.exchange ? { exchange: query.exchange } : {}),
          ...(query.market ? { market: query.market } : {}),
          limit: query.limit,
        }),
      }),
      {
        query: t.Object({
          exchange: t.Optional(q.exchange),
          market: t.Optional(q.marketFilter),
          limit: t.Optional(q.limit),
        }),
        detail: {
          tags: ["jobs"],
          summary: "Gaps seen in the feeds and their healing: pending, healing, healed, unhealable, failed",
        },
        response: { 200: T.Object({ data: T.Array(GapViewSchema) }), ...errors },
      },
    )
    .get("/capacity", async () => ({ data: await capacity(deps) }), {
      detail: {
        tags: ["jobs"],
        summary:
          "REST capacity per exchange and budget scope: limit, used, reserved per priority, queue, ETA",
      },
      response: { 200: T.Object({ data: T.Array(CapacityScopeSchema) }), ...errors },
    });
}

async function capacity(deps: RouteDeps): Promise<CapacityScope[]> {
  const load = await selectOpenJobLoad(deps.sql);
  const out: CapacityScope[] = [];
  for (const [exchange, ex] of Object.entries(deps.exchanges)) {
    const scopes = new Map<string, ExchangeAdapter[]>();
    for (const a of ex.adapters) scopes.set(budgetScope(a), [...(scopes.get(budgetScope(a)) ?? []), a]);
    for (const [scope, adapters] of scopes) {
      const first = adapters[0] as ExchangeAdapter;
      const limits = first.rest.limits;
      const budget = new WeightBudget(deps.redis, scope, limits);
      const state = await budget.state();
      let queuedJobs = 0;
      let queuedWeight = 0;
      for (const l of load) {
        if (l.exchange !== exchange) continue;
        const adapter = adapters.find((a) => a.marketType === (l.market.endsWith("-PERP") ? "perp" : "spot"));
        if (!adapter) continue;
        queuedJobs += l.jobs;
        queuedWeight += l.pagesLeft * pageWeight(adapter, l.market, "candles-backfill");
      }
      const perWindow = budget.cap("long");
      out.push({
        exchange,
        scope,
        limit: limits.budget,
        windowMs: limits.windowMs,
        used: state.used,
        reserved: Object.fromEntries(JOB_PRIORITIES.map((p) => [p, budget.cap(p)])),
        blockedUntil: state.blockedUntil === null ? null : new Date(state.blockedUntil).toISOString(),
        consecutiveErrors: state.consecutiveErrors,
        queuedJobs,
        queuedWeight,
        etaSeconds: Math.round(((queuedWeight / perWindow) * limits.windowMs) / 1000),
      });
    }
  }
  return out;
}
