import { Type as T } from "@sinclair/typebox";
import { CANDLE_INTERVALS, type CandleInterval } from "@tickerplant/core";
import {
  type GapStateCounts,
  selectConnectionStates,
  summarizeGapEvents,
  summarizeGapStates,
} from "@tickerplant/db";
import { type ReadinessCheck, readServiceRecords, runCheck, type ServiceRecord } from "@tickerplant/runtime";
import { Elysia } from "elysia";
import { readSources } from "../latest-state.ts";
import type { RouteDeps } from "./common.ts";

/** The services a complete platform runs; a missing one makes `/health` degraded. */
export const PLATFORM_SERVICES = ["ingestor", "storage-writer", "gateway", "analyzer", "scheduler"] as const;

const GAP_WINDOW_MS = 24 * 3_600_000;

const INTERVAL_SECONDS: Record<string, number> = {
  s: 1,
  m: 60,
  h: 3600,
  d: 86_400,
  w: 604_800,
  M: 2_592_000,
};
export function intervalSeconds(interval: CandleInterval): number {
  return Number(interval.slice(0, -1)) * INTERVAL_SECONDS[interval.slice(-1)]!;
}

const Dependency = T.Object({
  status: T.Union([T.Literal("up"), T.Literal("down")]),
  latencyMs: T.Number(),
  error: T.Optional(T.String()),
});

const ServiceSummary = T.Object({
  status: T.Union([T.Literal("up"), T.Literal("down")]),
  instances: T.Integer(),
});

export const HealthSchema = T.Object({
  status: T.Union([T.Literal("ok"), T.Literal("degraded"), T.Literal("down")], {
    description:
      "down (503): a dependency of the gateway does not answer; degraded: a platform service has no live instance or an exchange feed is not receiving",
  }),
  version: T.String(),
  time: T.Number(),
  uptimeS: T.Number(),
  dependencies: T.Record(T.String(), Dependency),
  services: T.Record(T.String(), ServiceSummary),
  exchanges: T.Record(
    T.String(),
    T.Union([T.Literal("connected"), T.Literal("degraded"), T.Literal("disconnected"), T.Literal("unknown")]),
  ),
});

const ServiceInstance = T.Object({
  service: T.String(),
  instance: T.String(),
  version: T.String(),
  startedAt: T.Number(),
  updatedAt: T.Number(),
  ageMs: T.Number(),
  info: T.Record(T.String(), T.Unknown()),
});

const ExchangeStatus = T.Object({
  id: T.String(),
  source: T.Union([T.Literal("live"), T.Literal("simulated"), T.Literal("unknown")]),
  state: T.Union(
    [T.Literal("connected"), T.Literal("degraded"), T.Literal("disconnected"), T.Literal("unknown")],
    {
      description:
        "connected: every connection of the ingestor is receiving; degraded: some are; disconnected: none; unknown: no ingestor reports this exchange",
    },
  ),
  connections: T.Integer({ description: "open exchange connections across ingestors" }),
  lastMessageAt: T.Union([T.Number(), T.Null()], {
    description: "when an ingestor last received data (epoch ms)",
  }),
  ageMs: T.Union([T.Number(), T.Null()], { description: "now − lastMessageAt" }),
  lagMs: T.Union([T.Number(), T.Null()], {
    description: "exchange event time → ingestor receive time of the newest frame (includes clock skew)",
  }),
  messagesPerSecond: T.Union([T.Number(), T.Null()], {
    description:
      "normalized messages published per second across ingestors, over their last presence interval (null: not known yet)",
  }),
  markets: T.Array(
    T.Object({
      market: T.String(),
      state: T.String({ description: "last connection event: connected, disconnected or stale" }),
      since: T.Number(),
      detail: T.String(),
    }),
  ),
  gaps24h: T.Integer({ description: "gap events (data possibly missed) in the last 24 h" }),
  openGaps: T.Integer({ description: "of those, gaps not healed yet: pending, healing or failed heals" }),
});

const GapStates = T.Object(
  {
    pending: T.Integer(),
    healing: T.Integer(),
    healed: T.Integer(),
    unhealable: T.Integer(),
    failed: T.Integer(),
  },
  { description: "gaps by the state of their heal job (as GET /api/v1/gaps lists them)" },
);

export const StatusSchema = T.Object({
  time: T.Number(),
  services: T.Array(ServiceInstance),
  exchanges: T.Array(ExchangeStatus),
  gaps: T.Object({
    windowMs: T.Number(),
    total: T.Integer(),
    open: T.Integer({ description: "gaps in the window not healed yet (pending, healing, failed)" }),
    byState: GapStates,
    byExchange: T.Array(
      T.Object({
        exchange: T.String(),
        gaps: T.Integer(),
        lastAt: T.Number(),
        open: T.Integer(),
        states: GapStates,
      }),
    ),
    source: T.String({ description: "where the gap counts come from" }),
  }),
});

const noGaps = (): GapStateCounts => ({ pending: 0, healing: 0, healed: 0, unhealable: 0, failed: 0 });

function addStates(a: GapStateCounts, b: GapStateCounts): GapStateCounts {
  for (const k of Object.keys(a) as (keyof GapStateCounts)[]) a[k] += b[k];
  return a;
}

interface IngestorExchangeInfo {
  source?: string;
  connections?: number;
  receiving?: boolean;
  markets?: string[];
  lastMessageAt?: number | null;
  latencyMs?: number | null;
  messagesPerSecond?: number | null;
}

function ingestorExchanges(records: ServiceRecord[]): Map<string, IngestorExchangeInfo[]> {
  const out = new Map<string, IngestorExchangeInfo[]>();
  for (const r of records) {
    if (r.service !== "ingestor") continue;
    const exchanges = r.info.exchanges;
    if (exchanges === null || typeof exchanges !== "object") continue;
    for (const [id, info] of Object.entries(exchanges as Record<string, IngestorExchangeInfo>)) {
      out.set(id, [...(out.get(id) ?? []), info]);
    }
  }
  return out;
}

function exchangeState(infos: IngestorExchangeInfo[] | undefined) {
  if (!infos || infos.length === 0) return "unknown" as const;
  if (infos.every((i) => i.receiving === true)) return "connected" as const;
  if (infos.some((i) => (i.connections ?? 0) > 0)) return "degraded" as const;
  return "disconnected" as const;
}

/** The ingestors' rates added up; null when none has reported one yet. */
function messageRate(infos: IngestorExchangeInfo[]): number | null {
  const rates = infos.map((i) => i.messagesPerSecond).filter((r): r is number => typeof r === "number");
  return rates.length === 0 ? null : rates.reduce((a, b) => a + b, 0);
}

/**
 * What an operator or a monitoring system asks first: `GET /health` (overall with per-dependency
 * detail), `GET /api/v1/status` (services, exchanges, gaps), `GET /api/v1/timeframes`,
 and `GET /api/v1/ws/stats`. Services are known from their Redis presence
 * records (runtime ServicePresence); exchanges from the ingestors' records and stored status events.
 */
export function statusRoutes(
  deps: RouteDeps & {
    checks: ReadinessCheck[];
    version: string;
    wsStats: () => Promise<Record<string, unknown>>;
  },
) {
  const startedAt = Date.now();

  async function exchangesStatus(records: ServiceRecord[], now: number) {
    const [states, events, healStates] = await Promise.all([
      selectConnectionStates(deps.sql),
      summarizeGapEvents(deps.sql, now - GAP_WINDOW_MS),
      summarizeGapStates(deps.sql, now - GAP_WINDOW_MS),
    ]);
    const gaps = events.map((g) => {
      const h = healStates.find((x) => x.exchange === g.exchange);
      return { ...g, open: h?.open ?? 0, states: h?.states ?? noGaps() };
    });
    const reported = ingestorExchanges(records);
    const ids = [...new Set([...reported.keys(), ...states.map((s) => s.exchange)])]
      .filter((id) => deps.exchanges[id] !== undefined)
      .sort();
    const sources = await readSources(deps.redis, ids);
    const exchanges = ids.map((id) => {
      const infos = reported.get(id) ?? [];
      const last = Math.max(0, ...infos.map((i) => i.lastMessageAt ?? 0));
      const newest = infos.find((i) => (i.lastMessageAt ?? 0) === last && last > 0);
      return {
        id,
        source: sources.get(id)?.source ?? ("unknown" as const),
        state: exchangeState(infos),
        connections: infos.reduce((n, i) => n + (i.connections ?? 0), 0),
        lastMessageAt: last > 0 ? last : null,
        ageMs: last > 0 ? Math.max(0, now - last) : null,
        lagMs: newest?.latencyMs ?? null,
        messagesPerSecond: messageRate(infos),
        markets: states
          .filter((s) => s.exchange === id)
          .map(({ market, state, since, detail }) => ({ market, state, since, detail })),
        gaps24h: gaps.find((g) => g.exchange === id)?.gaps ?? 0,
        openGaps: gaps.find((g) => g.exchange === id)?.open ?? 0,
      };
    });
    return { exchanges, gaps };
  }

  const detail = { tags: ["operations"] };
  return new Elysia()
    .get(
      "/health",
      async ({ set }) => {
        const now = Date.now();
        const [results, records] = await Promise.all([
          Promise.all(deps.checks.map(runCheck)),
          readServiceRecords(deps.redis).catch(() => [] as ServiceRecord[]),
        ]);
        const dependencies = Object.fromEntries(
          results.map((r) => [
            r.name,
            {
              status: r.ok ? ("up" as const) : ("down" as const),
              latencyMs: r.latencyMs,
              ...(r.error ? { error: r.error } : {}),
            },
          ]),
        );
        const services = Object.fromEntries(
          PLATFORM_SERVICES.map((name) => {
            const n = records.filter((r) => r.service === name).length;
            return [name, { status: n > 0 ? ("up" as const) : ("down" as const), instances: n }];
          }),
        );
        const reported = ingestorExchanges(records);
        const exchanges = Object.fromEntries(
          [...reported.keys()].sort().map((id) => [id, exchangeState(reported.get(id))]),
        );
        const down = results.some((r) => !r.ok);
        const degraded =
          Object.values(services).some((s) => s.status === "down") ||
          Object.values(exchanges).some((s) => s !== "connected");
        set.status = down ? 503 : 200;
        return {
          status: down ? ("down" as const) : degraded ? ("degraded" as const) : ("ok" as const),
          version: deps.version,
          time: now,
          uptimeS: Math.round((now - startedAt) / 1000),
          dependencies,
          services,
          exchanges,
        };
      },
      {
        detail: {
          ...detail,
          summary: "Overall health with per-dependency detail",
          description:
            "200 with `ok` or `degraded`, 503 with `down` when NATS, Redis or the database does not answer the gateway. `/health/live` and `/health/ready` are the probes.",
        },
        response: { 200: HealthSchema, 503: HealthSchema },
      },
    )
    .group("/api/v1", (api) =>
      api
        .get(
          "/status",
          async () => {
            const now = Date.now();
            const records = await readServiceRecords(deps.redis);
            const { exchanges, gaps } = await exchangesStatus(records, now);
            return {
              time: now,
              services: records.map((r) => ({
                service: r.service,
                instance: r.instance,
                version: r.version,
                startedAt: r.startedAt,
                updatedAt: r.updatedAt,
                ageMs: Math.max(0, now - r.updatedAt),
                info: r.info,
              })),
              exchanges,
              gaps: {
                windowMs: GAP_WINDOW_MS,
                total: gaps.reduce((n, g) => n + g.gaps, 0),
                open: gaps.reduce((n, g) => n + g.open, 0),
                byState: gaps.reduce((sum, g) => addStates(sum, g.states), noGaps()),
                byExchange: gaps,
                source:
                  "status_events (gap events published by the ingestors) and the scheduler's heal jobs (their state)",
              },
            };
          },
          {
            detail: {
              ...detail,
              summary: "Services, exchanges (connection state and lag) and gaps",
            },
            response: { 200: StatusSchema },
          },
        )
        .get(
          "/timeframes",
          () => ({
            data: CANDLE_INTERVALS.map((interval) => ({ interval, seconds: intervalSeconds(interval) })),
          }),
          {
            detail: {
              tags: ["reference"],
              summary: "Candle intervals (timeframes) the platform knows",
              description: "`seconds` of 1M is 30 days; months are calendar months in the data.",
            },
            response: {
              200: T.Object({ data: T.Array(T.Object({ interval: T.String(), seconds: T.Integer() })) }),
            },
          },
        )
        .get("/ws/stats", () => deps.wsStats(), {
          detail: {
            ...detail,
            summary: "WebSocket clients, subscriptions and messages of this gateway instance",
          },
        }),
    );
}
