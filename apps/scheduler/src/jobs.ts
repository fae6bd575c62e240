import { type Static, Type as T } from "@sinclair/typebox";
import { TypeCompiler } from "@sinclair/typebox/compiler";
import { jobSubject, ParseError, REST_POLL_NAMES, RecordedJobItemSchema } from "@tickerplant/core";

/**
 * Scheduler work items on the JOBS work-queue stream: published by any scheduler (or the gateway's
 * jobs API), each executed once by whichever worker pulls it.
 */
export const MarketsRefreshJobSchema = T.Object({
  kind: T.Literal("markets-refresh"),
  exchange: T.String({ pattern: "^[a-z0-9]+$" }),
  /** Refresh period index (floor(time / MARKETS_REFRESH_MS)): the deduplication key. */
  period: T.Integer({ minimum: 0 }),
  scheduledAt: T.Number(),
});
export type MarketsRefreshJob = Static<typeof MarketsRefreshJobSchema>;

/** REST-only data polled on a period (what the exchange streams nowhere): one of the adapters' polls. */
export const RestPollJobSchema = T.Object({
  kind: T.Literal("rest-poll"),
  exchange: T.String({ pattern: "^[a-z0-9]+$" }),
  poll: T.Union(REST_POLL_NAMES.map((p) => T.Literal(p))),
  /** Poll period index (floor(time / period)): the deduplication key. */
  period: T.Integer({ minimum: 0 }),
  /** The poll's period, so the runner knows the window to cover. */
  periodMs: T.Integer({ minimum: 1 }),
  scheduledAt: T.Number(),
});
export type RestPollJob = Static<typeof RestPollJobSchema>;

export const JobSchema = T.Union([MarketsRefreshJobSchema, RestPollJobSchema, RecordedJobItemSchema]);
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
 * Deterministic per exchange and period (periodic items) or per job id (recorded jobs):
 * schedulers that fire together publish the same id and JetStream keeps one (within the stream's
 * duplicate window).
 */
export function jobMessageId(job: Job): string {
  switch (job.kind) {
    case "markets-refresh":
      return `${job.kind}:${job.exchange}:${job.period}`;
    case "rest-poll":
      return `${job.kind}:${job.poll}:${job.exchange}:${job.period}`;
    default:
      return `job:${job.id}`;
  }
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
