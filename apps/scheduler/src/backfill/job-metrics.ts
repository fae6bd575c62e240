import type { Sql } from "@tickerplant/runtime";
import { Counter, Gauge, Histogram, type Registry } from "prom-client";

export interface JobMetrics {
  jobSeconds: Histogram;
  pages: Counter;
  rows: Counter;
  heals: Counter;
}

/** Scheduler job metrics; queue depth is read from SQL `jobs` at scrape time. */
export function createJobMetrics(registry: Registry, sql: Sql): JobMetrics {
  const registers = [registry];
  new Gauge({
    name: "tickerplant_scheduler_queue_depth",
    help: "recorded jobs queued or running, by state and priority",
    labelNames: ["state", "priority"],
    registers,
    async collect() {
      const rows = await sql<{ state: string; priority: string; n: string }[]>`
        select state, priority, count(*) as n from jobs where state in ('queued', 'running')
        group by state, priority`.catch(() => undefined);
      if (rows === undefined) return;
      this.reset();
      for (const r of rows) this.set({ state: r.state, priority: r.priority }, Number(r.n));
    },
  });
  return {
    jobSeconds: new Histogram({
      name: "tickerplant_scheduler_job_seconds",
      help: "recorded job run time (one run of a work item), by kind and outcome",
      labelNames: ["kind", "outcome"],
      buckets: [0.1, 0.5, 1, 5, 15, 60, 300, 1800, 7200],
      registers,
    }),
    pages: new Counter({
      name: "tickerplant_scheduler_pages_total",
      help: "job pages fetched and stored, by kind and exchange",
      labelNames: ["kind", "exchange"],
      registers,
    }),
    rows: new Counter({
      name: "tickerplant_scheduler_rows_total",
      help: "rows newly stored by jobs, by kind, exchange and type",
      labelNames: ["kind", "exchange", "type"],
      registers,
    }),
    heals: new Counter({
      name: "tickerplant_scheduler_heals_total",
      help: "gap heals ended, by exchange and outcome (healed, unhealable)",
      labelNames: ["exchange", "outcome"],
      registers,
    }),
  };
}
