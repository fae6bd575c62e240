import type { GapView, JobPriority, JobState, JobView } from "@tickerplant/core";
import type { Queryable } from "../queryable.ts";

interface JobRow {
  id: string;
  kind: string;
  state: JobState;
  priority: JobPriority;
  exchange: string;
  market: string;
  interval: string | null;
  from_time: Date;
  to_time: Date;
  checkpoint: Record<string, unknown>;
  pages_done: number;
  pages_total: number;
  rows_written: string | number;
  weight_used: string | number;
  errors: string[];
  outcome: string | null;
  detail: string | null;
  created_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
  updated_at: Date;
}

/** A stored job as the scheduler runs it (times in epoch ms). */
export interface JobRecord {
  id: string;
  kind: string;
  state: JobState;
  priority: JobPriority;
  exchange: string;
  market: string;
  interval: string | null;
  from: number;
  to: number;
  checkpoint: Record<string, unknown>;
  pagesDone: number;
  pagesTotal: number;
  rowsWritten: number;
  weightUsed: number;
}

const iso = (d: Date | null) => (d === null ? null : d.toISOString());

/** Seconds left at the job's own pace so far (null before the first page or once ended). */
function eta(r: JobRow, now: number): number | null {
  if (r.state !== "running" || r.started_at === null || r.pages_done === 0) return null;
  const perPage = (now - r.started_at.getTime()) / r.pages_done;
  return Math.max(0, Math.round((perPage * Math.max(0, r.pages_total - r.pages_done)) / 1000));
}

function view(r: JobRow, now: number): JobView {
  const progress =
    r.state === "done" ? 100 : r.pages_total > 0 ? Math.min(100, (r.pages_done / r.pages_total) * 100) : 0;
  return {
    id: r.id,
    kind: r.kind,
    state: r.state,
    priority: r.priority,
    exchange: r.exchange,
    market: r.market,
    interval: r.interval,
    from: r.from_time.toISOString(),
    to: r.to_time.toISOString(),
    progress: Math.round(progress * 10) / 10,
    pagesDone: r.pages_done,
    pagesTotal: r.pages_total,
    rowsWritten: Number(r.rows_written),
    weightUsed: Number(r.weight_used),
    etaSeconds: eta(r, now),
    errors: r.errors,
    outcome: r.outcome,
    detail: r.detail,
    createdAt: r.created_at.toISOString(),
    startedAt: iso(r.started_at),
    finishedAt: iso(r.finished_at),
  };
}

export async function selectJob(sql: Queryable, id: string): Promise<JobView | undefined> {
  const rows = await sql<JobRow[]>`select * from jobs where id = ${id}`;
  return rows[0] ? view(rows[0], Date.now()) : undefined;
}

export async function selectJobRecord(sql: Queryable, id: string): Promise<JobRecord | undefined> {
  const rows = await sql<JobRow[]>`select * from jobs where id = ${id}`;
  const r = rows[0];
  if (!r) return undefined;
  return {
    id: r.id,
    kind: r.kind,
    state: r.state,
    priority: r.priority,
    exchange: r.exchange,
    market: r.market,
    interval: r.interval,
    from: r.from_time.getTime(),
    to: r.to_time.getTime(),
    checkpoint: r.checkpoint,
    pagesDone: r.pages_done,
    pagesTotal: r.pages_total,
    rowsWritten: Number(r.rows_written),
    weightUsed: Number(r.weight_used),
  };
}

export interface JobListQuery {
  state?: JobState;
  kind?: string;
  exchange?: string;
  limit?: number;
}

/** Jobs newest first. */
export async function selectJobs(sql: Queryable, q: JobListQuery = {}): Promise<JobView[]> {
  const rows = await sql<JobRow[]>`
    select * from jobs
    where true
      ${q.state !== undefined ? sql`and state = ${q.state}` : sql``}
      ${q.kind !== undefined ? sql`and kind = ${q.kind}` : sql``}
      ${q.exchange !== undefined ? sql`and exchange = ${q.exchange}` : sql``}
    order by created_at desc
    limit ${q.limit ?? 100}`;
  const now = Date.now();
  return rows.map((r) => view(r, now));
}

/** Per exchange: queued or running jobs and the pages they still have to fetch. */
export async function selectOpenJobLoad(
  sql: Queryable,
): Promise<Array<{ exchange: string; market: string; jobs: number; pagesLeft: number }>> {
  const rows = await sql<{ exchange: string; market: string; jobs: string; pages_left: string }[]>`
    select exchange, market, count(*) as jobs, sum(greatest(pages_total - pages_done, 1)) as pages_left
    from jobs where state in ('queued', 'running')
    group by exchange, market`;
  return rows.map((r) => ({
    exchange: r.exchange,
    market: r.market,
    jobs: Number(r.jobs),
    pagesLeft: Number(r.pages_left),
  }));
}

export interface GapQuery {
  exchange?: string;
  market?: string;
  limit?: number;
}

/** `gap` status events (s) joined with the heal job made from each (j), by the gap key. */
function gapsWithHeals(sql: Queryable) {
  return sql`
    status_events s
    left join jobs j on j.gap_key = s.exchange || '|' || s.market || '|' ||
                                    coalesce((extract(epoch from s.from_time) * 1000)::bigint::text, '') || '|' ||
                                    coalesce((extract(epoch from s.to_time) * 1000)::bigint::text, '')`;
}

/** A gap's state from its heal job: pending (no job yet, or queued), healing, healed, unhealable, failed. */
function gapState(sql: Queryable) {
  return sql`
    case when j.state is null or j.state = 'queued' then 'pending'
         when j.state = 'running' then 'healing'
         when j.state = 'done' and j.outcome = 'unhealable' then 'unhealable'
         when j.state = 'done' then 'healed'
         else 'failed' end`;
}

/** Gaps (`gap` status events) newest first, with the state of the heal job made from each. */
export async function selectGaps(sql: Queryable, q: GapQuery = {}): Promise<GapView[]> {
  const rows = await sql<
    {
      exchange: string;
      market: string;
      from_time: Date | null;
      to_time: Date | null;
      time: Date;
      detail: string;
      job_id: string | null;
      gap_state: GapView["state"];
      outcome: string | null;
      job_detail: string | null;
      rows_written: string | null;
    }[]
  >`
    select s.exchange, s.market, s.from_time, s.to_time, s.time, s.detail,
           j.id as job_id, ${gapState(sql)} as gap_state, j.outcome, j.detail as job_detail, j.rows_written
    from ${gapsWithHeals(sql)}
    where s.event = 'gap'
      ${q.exchange !== undefined ? sql`and s.exchange = ${q.exchange}` : sql``}
      ${q.market !== undefined ? sql`and s.market = ${q.market}` : sql``}
    order by s.time desc
    limit ${q.limit ?? 100}`;
  return rows.map((r) => ({
    exchange: r.exchange,
    market: r.market,
    from: iso(r.from_time),
    to: iso(r.to_time),
    detectedAt: r.time.toISOString(),
    detail: r.detail,
    state: r.gap_state,
    jobId: r.job_id,
    rowsWritten: Number(r.rows_written ?? 0),
    reason: r.outcome === "unhealable" ? r.job_detail : null,
  }));
}

export type GapStateCounts = Record<GapView["state"], number>;

/** Per exchange: gaps seen since `sinceMs` by heal state, and the open ones (pending, healing, failed). */
export async function summarizeGapStates(
  sql: Queryable,
  sinceMs: number,
): Promise<Array<{ exchange: string; open: number; states: GapStateCounts }>> {
  const rows = await sql<{ exchange: string; gap_state: GapView["state"]; n: number }[]>`
    select s.exchange, ${gapState(sql)} as gap_state, count(*)::int as n
    from ${gapsWithHeals(sql)}
    where s.event = 'gap' and s.time >= ${new Date(sinceMs).toISOString()}::timestamptz
    group by 1, 2
    order by 1`;
  const out = new Map<string, { exchange: string; open: number; states: GapStateCounts }>();
  for (const r of rows) {
    let e = out.get(r.exchange);
    if (!e) {
      e = {
        exchange: r.exchange,
        open: 0,
        states: { pending: 0, healing: 0, healed: 0, unhealable: 0, failed: 0 },
      };
      out.set(r.exchange, e);
    }
    e.states[r.gap_state] += r.n;
    if (r.gap_state === "pending" || r.gap_state === "healing" || r.gap_state === "failed") e.open += r.n;
  }
  return [...out.values()];
}

/** The gap key of a gap event: what makes two sightings of one gap the same heal job. */
export function gapKey(g: { exchange: string; market: string; from?: number; to?: number }): string {
  const ms = (v: number | undefined) => (v === undefined ? "" : String(Math.round(v)));
  return `${g.exchange}|${g.market}|${ms(g.from)}|${ms(g.to)}`;
}
