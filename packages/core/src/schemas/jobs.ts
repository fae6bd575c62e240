import { type Static, Type as T } from "@sinclair/typebox";
import { CandleIntervalSchema, ExchangeIdSchema, MarketNameSchema } from "./messages.ts";

/**
 * Scheduler jobs: REST work (backfills, gap heals) recorded in SQL `jobs`, dispatched on the JOBS
 * work queue, executed page by page under each exchange's shared weight budget.
 */

/** Who goes first for the budget: heals and user requests before bulk backfills. */
export const JOB_PRIORITIES = ["immediate", "short", "medium", "long"] as const;
export type JobPriority = (typeof JOB_PRIORITIES)[number];
// Spelled out (not mapped) so the static types stay unions of literals.
export const JobPrioritySchema = T.Union([
  T.Literal("immediate"),
  T.Literal("short"),
  T.Literal("medium"),
  T.Literal("long"),
]);

export const JOB_KINDS = ["candles-backfill", "trades-backfill", "gap-heal"] as const;
export type RecordedJobKind = (typeof JOB_KINDS)[number];

export const JOB_STATES = ["queued", "running", "done", "failed", "cancelled"] as const;
export type JobState = (typeof JOB_STATES)[number];
export const JobStateSchema = T.Union([
  T.Literal("queued"),
  T.Literal("running"),
  T.Literal("done"),
  T.Literal("failed"),
  T.Literal("cancelled"),
]);

const TimeInput = T.Union([T.String({ minLength: 1, maxLength: 40 }), T.Number()], {
  description: "ISO-8601 time or epoch milliseconds",
});

/** `POST /api/v1/jobs` body. `to` defaults to now; `priority` to short for ≤ 1 day, long beyond. */
export const JobRequestSchema = T.Object(
  {
    kind: T.Union([T.Literal("candles-backfill"), T.Literal("trades-backfill")]),
    exchange: ExchangeIdSchema,
    market: MarketNameSchema,
    interval: T.Optional(CandleIntervalSchema),
    from: TimeInput,
    to: T.Optional(TimeInput),
    priority: T.Optional(JobPrioritySchema),
  },
  { additionalProperties: false },
);
export type JobRequest = Static<typeof JobRequestSchema>;

const NullableNumber = T.Union([T.Number(), T.Null()]);

export const JobViewSchema = T.Object({
  id: T.String(),
  kind: T.String(),
  state: JobStateSchema,
  priority: JobPrioritySchema,
  exchange: T.String(),
  market: T.String(),
  interval: T.Union([T.String(), T.Null()]),
  from: T.String({ description: "ISO-8601" }),
  to: T.String({ description: "ISO-8601" }),
  progress: T.Number({ description: "percent done, 0–100" }),
  pagesDone: T.Integer(),
  pagesTotal: T.Integer(),
  rowsWritten: T.Integer(),
  weightUsed: T.Integer(),
  etaSeconds: NullableNumber,
  errors: T.Array(T.String()),
  outcome: T.Union([T.String(), T.Null()], { description: "gap heals: healed or unhealable" }),
  detail: T.Union([T.String(), T.Null()]),
  createdAt: T.String(),
  startedAt: T.Union([T.String(), T.Null()]),
  finishedAt: T.Union([T.String(), T.Null()]),
});
export type JobView = Static<typeof JobViewSchema>;

export const GAP_STATES = ["pending", "healing", "healed", "unhealable", "failed"] as const;
export const GapViewSchema = T.Object({
  exchange: T.String(),
  market: T.String(),
  from: T.Union([T.String(), T.Null()]),
  to: T.Union([T.String(), T.Null()]),
  detectedAt: T.String(),
  detail: T.String(),
  state: T.Union([
    T.Literal("pending"),
    T.Literal("healing"),
    T.Literal("healed"),
    T.Literal("unhealable"),
    T.Literal("failed"),
  ]),
  jobId: T.Union([T.String(), T.Null()]),
  rowsWritten: T.Integer(),
  reason: T.Union([T.String(), T.Null()]),
});
export type GapView = Static<typeof GapViewSchema>;

export const CapacityScopeSchema = T.Object({
  exchange: T.String(),
  scope: T.String({ description: "budget scope (Binance USD-M is metered apart)" }),
  limit: T.Number({ description: "the exchange's published weight per window" }),
  windowMs: T.Integer(),
  used: T.Number({ description: "weight used in the current window by every scheduler and ingestor" }),
  reserved: T.Record(T.String(), T.Number(), {
    description: "weight per window each priority may reach (higher priorities keep headroom)",
  }),
  blockedUntil: T.Union([T.String(), T.Null()]),
  consecutiveErrors: T.Integer(),
  queuedJobs: T.Integer(),
  queuedWeight: T.Number(),
  etaSeconds: T.Number({ description: "time to drain queued and running jobs at the long-priority rate" }),
});
export type CapacityScope = Static<typeof CapacityScopeSchema>;
