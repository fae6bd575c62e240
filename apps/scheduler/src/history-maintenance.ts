import {
  applyTimescalePolicies,
  dropExpiredChunks,
  type RetainedTable,
  refreshCandleRollups,
  rollupMode,
} from "@tickerplant/db";
import type { Logger, Sql } from "@tickerplant/runtime";
import { Counter, type Registry } from "prom-client";

export interface HistoryMaintenanceOptions {
  sql: Sql;
  log: Logger;
  registry: Registry;
  /** The server has the Timescale license (native policies); else the Apache build. */
  licensed: boolean;
  retention: Readonly<Record<RetainedTable, number>>;
  rollupEveryMs: number;
  retentionEveryMs: number;
}

/**
 * Keeps history in shape. Licensed build: installs TimescaleDB's own retention, compression and
 * continuous-aggregate refresh policies once. Apache build: refreshes `candle_rollups` and drops
 * expired chunks periodically (any number of schedulers: the refresh takes a lock, drop_chunks is
 * idempotent).
 */
export class HistoryMaintenance {
  private rollupTimer: Timer | undefined;
  private retentionTimer: Timer | undefined;
  private running: Promise<unknown> = Promise.resolve();
  private readonly runs: Counter<"task" | "outcome">;
  private readonly dropped: Counter<"table">;

  constructor(private readonly o: HistoryMaintenanceOptions) {
    this.runs = new Counter({
      name: "scheduler_history_maintenance_runs_total",
      help: "candle rollup refreshes and retention runs, by outcome",
      labelNames: ["task", "outcome"],
      registers: [o.registry],
    });
    this.dropped = new Counter({
      name: "scheduler_retention_chunks_dropped_total",
      help: "hypertable chunks dropped for retention (Apache build)",
      labelNames: ["table"],
      registers: [o.registry],
    });
  }

  async start(): Promise<void> {
    const mode = await rollupMode(this.o.sql);
    if (this.o.licensed) {
      await applyTimescalePolicies(this.o.sql, this.o.retention);
      this.o.log.info("timescaledb policies applied (retention, compression, continuous aggregates)", {
        retentionDays: this.o.retention,
      });
    } else {
      this.retentionTimer = setInterval(
        () => this.serially(() => this.dropExpired()),
        this.o.retentionEveryMs,
      );
      void this.serially(() => this.dropExpired());
      this.o.log.info("retention by scheduled drop_chunks", {
        everyMs: this.o.retentionEveryMs,
        retentionDays: this.o.retention,
      });
    }
    if (mode === "rollup-table") {
      this.rollupTimer = setInterval(() => this.serially(() => this.refreshRollups()), this.o.rollupEveryMs);
      void this.serially(() => this.refreshRollups());
      this.o.log.info("candle rollups refreshed by this scheduler", { everyMs: this.o.rollupEveryMs });
    }
  }

  /** One task at a time per process; a tick that finds one running waits behind it. */
  private serially(task: () => Promise<void>): Promise<unknown> {
    this.running = this.running.then(task);
    return this.running;
  }

  /** Runs one rollup refresh now (after any running task). */
  refreshNow(): Promise<unknown> {
    return this.serially(() => this.refreshRollups());
  }

  private async refreshRollups(): Promise<void> {
    try {
      const r = await refreshCandleRollups(this.o.sql);
      this.runs.inc({ task: "rollups", outcome: r.ran ? "ok" : "skipped" });
      if (r.ran && r.ranges > 0)
        this.o.log.debug("candle rollups refreshed", { ranges: r.ranges, rows: r.rows });
    } catch (err) {
      this.runs.inc({ task: "rollups", outcome: "error" });
      this.o.log.warn("candle rollup refresh failed; retried next period", { error: String(err) });
    }
  }

  private async dropExpired(): Promise<void> {
    try {
      const dropped = await dropExpiredChunks(this.o.sql, this.o.retention);
      for (const [table, n] of Object.entries(dropped)) if (n > 0) this.dropped.inc({ table }, n);
      this.runs.inc({ task: "retention", outcome: "ok" });
    } catch (err) {
      this.runs.inc({ task: "retention", outcome: "error" });
      this.o.log.warn("retention run failed; retried next period", { error: String(err) });
    }
  }

  async stop(): Promise<void> {
    clearInterval(this.rollupTimer);
    clearInterval(this.retentionTimer);
    await this.running;
  }
}
