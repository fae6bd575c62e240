import { type Static, Type as T } from "@sinclair/typebox";
import { TypeCompiler } from "@sinclair/typebox/compiler";
import { ParseError } from "./errors.ts";
import { type JobPriority, JobPrioritySchema, type JobRequest } from "./schemas/jobs.ts";
import type { CandleInterval } from "./schemas/messages.ts";

/**
 * Planning of recorded jobs, shared by whoever creates them (the gateway's jobs API, the
 * scheduler's gap watcher): times, default priority, the page estimate, and the work item put on
 * the JOBS queue.
 */

const FIXED_INTERVAL_MS: Partial<Record<CandleInterval, number>> = {
  "1s": 1000,
  "1m": 60_000,
  "3m": 180_000,
  "5m": 300_000,
  "15m": 900_000,
  "30m": 1_800_000,
  "1h": 3_600_000,
  "2h": 7_200_000,
  "4h": 14_400_000,
  "6h": 21_600_000,
  "8h": 28_800_000,
  "12h": 43_200_000,
  "1d": 86_400_000,
  "3d": 259_200_000,
  "1w": 604_800_000,
};

/** A candle interval's length; monthly candles have none (backfills refuse them). */
export function candleIntervalMs(interval: CandleInterval): number | undefined {
  return FIXED_INTERVAL_MS[interval];
}

/** ISO-8601 text (a date alone means UTC midnight) or epoch milliseconds → epoch ms. */
export function parseJobTime(value: string | number, field: string): number {
  if (typeof value === "number") {
    if (!Number.isFinite(value) || value < 0) throw new ParseError(`${field}: not a time: ${value}`);
    return value;
  }
  if (/^[0-9]+$/.test(value)) return Number(value);
  const ms = Date.parse(value);
  if (!Number.isFinite(ms)) throw new ParseError(`${field}: not ISO-8601 or epoch ms: "${value}"`);
  return ms;
}

/** A job request checked and resolved: times in ms, a priority, a page estimate. */
export interface PlannedJob {
  kind: JobRequest["kind"];
  exchange: string;
  market: string;
  interval: CandleInterval | null;
  from: number;
  to: number;
  priority: JobPriority;
  pagesTotal: number;
}

/** Backfills up to a day long are a person waiting: short; longer ones are bulk: long. */
const SHORT_JOB_MS = 86_400_000;

export function planJob(req: JobRequest, pageLimit: number, now: number = Date.now()): PlannedJob {
  const from = parseJobTime(req.from, "from");
  const to = Math.min(req.to === undefined ? now : parseJobTime(req.to, "to"), now);
  if (to <= from) throw new ParseError(`from must be before to (and before now)`);
  let interval: CandleInterval | null = null;
  let pagesTotal = 1;
  if (req.kind === "candles-backfill") {
    if (req.interval === undefined) throw new ParseError("candles-backfill needs an interval");
    const ms = candleIntervalMs(req.interval);
    if (ms === undefined) throw new ParseError(`interval ${req.interval} has no fixed length to backfill by`);
    interval = req.interval;
    pagesTotal = Math.max(1, Math.ceil((to - from) / ms / pageLimit));
  }
  const priority = req.priority ?? (to - from <= SHORT_JOB_MS ? "short" : "long");
  return {
    kind: req.kind,
    exchange: req.exchange,
    market: req.market,
    interval,
    from,
    to,
    priority,
    pagesTotal,
  };
}

/** A recorded job's work item on the JOBS queue (`jobs.<kind>`); the row in SQL says the rest. */
export const RecordedJobItemSchema = T.Object({
  kind: T.Union([T.Literal("candles-backfill"), T.Literal("trades-backfill"), T.Literal("gap-heal")]),
  id: T.String({ minLength: 1, maxLength: 64 }),
  exchange: T.String({ pattern: "^[a-z0-9]+$" }),
  priority: JobPrioritySchema,
});
export type RecordedJobItem = Static<typeof RecordedJobItemSchema>;
export const checkRecordedJobItem = TypeCompiler.Compile(RecordedJobItemSchema);

/** A new job id: sortable by creation time, unique across processes. */
export function newJobId(now: number = Date.now()): string {
  return `${now.toString(36)}${crypto.randomUUID().replaceAll("-", "").slice(0, 10)}`;
}
