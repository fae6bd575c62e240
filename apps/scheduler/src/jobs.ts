import { type Static, Type as T } from "@sinclair/typebox";
import { TypeCompiler } from "@sinclair/typebox/compiler";
import { jobSubject, ParseError } from "@tickerplant/core";

/**
 * Scheduler work items on the JOBS work-queue stream: published by any scheduler, each executed
 * once by whichever worker pulls it.
 */
export const MarketsRefreshJobSchema = T.Object({
  kind: T.Literal("markets-refresh"),
  exchange: T.String({ pattern: "^[a-z0-9]+$" }),
  /** Refresh period index (floor(time / MARKETS_REFRESH_MS)): the deduplication key. */
  period: T.Integer({ minimum: 0 }),
  scheduledAt: T.Number(),
});
export type MarketsRefreshJob = Static<typeof MarketsRefreshJobSchema>;

export const JobSchema = T.Union([MarketsRefreshJobSchema]);
export type Job = Static<typeof JobSchema>;
export type JobKind = Job["kind"];

const checkJob = TypeCompiler.Compile(JobSchema);

export function decodeJob(data: Uint8Array): Job {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder().decode(data));
  } catch (cause) {
    throw new ParseError("job: not JSON", { cause });
  }
  if (!checkJob.Check(value)) {
    const first = checkJob.Errors(value).First();
    throw new ParseError(
      `job: not a known work item (${first ? `${first.path}: ${first.message}` : "invalid"})`,
    );
  }
  return value;
}

/**
 * Deterministic per exchange and period: schedulers that start (or fire) together publish the
 * same id and JetStream keeps one (within the stream's duplicate window).
 */
export function jobMessageId(job: Job): string {
  return `${job.kind}:${job.exchange}:${job.period}`;
}

/** Where work items go; tests point it at their own work-queue stream. */
export interface JobQueue {
  stream: string;
  durable: string;
  filterSubject: string;
  subject(kind: JobKind): string;
}

export const DEFAULT_JOB_QUEUE: JobQueue = {
  stream: "JOBS",
  durable: "scheduler-jobs",
  filterSubject: "jobs.>",
  subject: jobSubject,
};
