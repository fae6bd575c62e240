import { type JobPriority, type JobState, jobSubject, type RecordedJobItem } from "@tickerplant/core";
import type { Queryable } from "../queryable.ts";
import { msToTimestamptz } from "../time.ts";

export interface NewJob {
  id: string;
  kind: string;
  priority: JobPriority;
  exchange: string;
  market: string;
  interval: string | null;
  from: number;
  to: number;
  pagesTotal: number;
  gapKey?: string;
  detail?: string;
}

/**
 * Records a job as queued. A gap heal whose gap is already recorded (same `gapKey`) is not added
 * again: returns false then.
 */
export async function insertJob(sql: Queryable, job: NewJob): Promise<boolean> {
  const result = await sql`
    insert into jobs (id, kind, priority, exchange, market, interval, from_time, to_time, pages_total,
                      gap_key, detail)
    values (${job.id}, ${job.kind}, ${job.priority}, ${job.exchange}, ${job.market}, ${job.interval},
            ${msToTimestamptz(job.from)}::text::timestamptz, ${msToTimestamptz(job.to)}::text::timestamptz,
            ${job.pagesTotal}, ${job.gapKey ?? null}, ${job.detail ?? null})
    on conflict do nothing`;
  return result.count === 1;
}

/**
 * Takes a job for running: queued, ours, or running under an owner silent for `leaseMs` (it died).
 * Returns its checkpoint, or null when the job ended or another live owner holds it.
 */
export async function claimJob(
  sql: Queryable,
  id: string,
  owner: string,
  leaseMs: number,
): Promise<{ checkpoint: Record<string, unknown> } | null> {
  const rows = await sql<{ checkpoint: Record<string, unknown> }[]>`
    update jobs set state = 'running', owner = ${owner}, started_at = coalesce(started_at, now()),
                    updated_at = now()
    where id = ${id}
      and (state = 'queued'
           or (state = 'running' and (owner = ${owner} or owner is null
                                      or updated_at < now() - make_interval(secs => ${leaseMs / 1000}))))
    returning checkpoint`;
  return rows[0] ?? null;
}

/** The owner is alive: keeps its lease. Returns false when the job was cancelled or taken over. */
export async function touchJob(sql: Queryable, id: string, owner: string): Promise<boolean> {
  const result = await sql`
    update jobs set updated_at = now() where id = ${id} and owner = ${owner} and state = 'running'`;
  return result.count === 1;
}

export interface PageProgress {
  checkpoint: Record<string, unknown>;
  rows: number;
  weight: number;
  pagesTotal?: number;
}

/**
 * Records one page's checkpoint; run it in the transaction that stored the page's rows, so a
 * crash leaves either both or neither. Returns false when the job was cancelled meanwhile.
 */
export async function checkpointJob(
  sql: Queryable,
  id: string,
  owner: string,
  p: PageProgress,
): Promise<boolean> {
  const result = await sql`
    update jobs set checkpoint = ${sql.json(p.checkpoint as never)}, pages_done = pages_done + 1,
                    rows_written = rows_written + ${p.rows}, weight_used = weight_used + ${p.weight},
                    pages_total = greatest(${p.pagesTotal ?? 0}, pages_done + 1, pages_total),
                    updated_at = now()
    where id = ${id} and owner = ${owner} and state = 'running'`;
  return result.count === 1;
}

/** Appends an error message (kept: the last 20). */
export async function recordJobError(sql: Queryable, id: string, message: string): Promise<void> {
  await sql`
    update jobs set errors = (errors || ${message}::text)[greatest(1, cardinality(errors) - 18):],
                    updated_at = now()
    where id = ${id}`;
}

/** Ends a running job. A cancelled job stays cancelled. */
export async function finishJob(
  sql: Queryable,
  id: string,
  end: { state: Exclude<JobState, "queued" | "running">; outcome?: string; detail?: string },
): Promise<void> {
  await sql`
    update jobs set state = ${end.state}, outcome = coalesce(${end.outcome ?? null}, outcome),
                    detail = coalesce(${end.detail ?? null}, detail), finished_at = now(), updated_at = now(),
                    pages_total = case when ${end.state} = 'done' then pages_done else pages_total end
    where id = ${id} and state in ('queued', 'running')`;
}

/** Cancels a job that has not ended. Returns false when there is no such job or it already ended. */
export async function cancelJob(sql: Queryable, id: string): Promise<boolean> {
  const result = await sql`
    update jobs set state = 'cancelled', finished_at = now(), updated_at = now()
    where id = ${id} and state in ('queued', 'running')`;
  return result.count === 1;
}

/** Publishes to JetStream with a message id (the server drops a repeat within its window). */
export type PublishFn = (subject: string, data: string, msgId: string) => Promise<void>;

/**
 * Records a job and puts its work item on the JOBS queue (`jobs.<kind>`). Returns false, and
 * publishes nothing, when the job was already recorded (a gap heal seen twice).
 */
export async function enqueueJob(
  sql: Queryable,
  publish: PublishFn,
  job: NewJob,
  subjectOf: (kind: string) => string = jobSubject,
): Promise<boolean> {
  if (!(await insertJob(sql, job))) return false;
  const item: RecordedJobItem = {
    kind: job.kind as RecordedJobItem["kind"],
    id: job.id,
    exchange: job.exchange,
    priority: job.priority,
  };
  await publish(subjectOf(job.kind), JSON.stringify(item), `job:${job.id}`);
  return true;
}
