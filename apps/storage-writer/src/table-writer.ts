import { classifyDbError, type Queryable } from "@tickerplant/db";
import type { Logger, Sql } from "@tickerplant/runtime";
import type { StorageMetrics } from "./metrics.ts";

export type WriteRows<T> = (sql: Queryable, rows: T[]) => Promise<number>;

/**
 * Writes one batch to one table as a single statement (one transaction), with metrics.
 * A retryable failure (the database is away) is thrown as a TransientError so the batch is naked
 * and redelivered. A permanent rejection is narrowed down row by row so that one bad row cannot
 * take a whole batch with it: the rows the database refuses are logged, counted and dropped.
 */
export class TableWriter<T> {
  constructor(
    private readonly deps: {
      sql: Sql;
      metrics: StorageMetrics;
      log: Logger;
      table: string;
      write: WriteRows<T>;
    },
  ) {}

  /** Returns the number of rows inserted or changed. */
  async write(rows: T[]): Promise<number> {
    if (rows.length === 0) return 0;
    const { metrics, table } = this.deps;
    const end = metrics.writeSeconds.startTimer({ table });
    let written: number;
    try {
      written = await this.deps.write(this.deps.sql, rows);
    } catch (err) {
      const error = classifyDbError(err, `writing ${table}`);
      if (error.retryable) throw error;
      written = await this.writeOneByOne(rows);
    } finally {
      end();
    }
    metrics.batchRows.observe({ table }, rows.length);
    metrics.rowsWritten.inc({ table }, written);
    metrics.duplicates.inc({ table }, Math.max(0, rows.length - written));
    return written;
  }

  private async writeOneByOne(rows: T[]): Promise<number> {
    let written = 0;
    for (const row of rows) {
      try {
        written += await this.deps.write(this.deps.sql, [row]);
      } catch (err) {
        const error = classifyDbError(err, `writing ${this.deps.table}`);
        if (error.retryable) throw error;
        this.deps.metrics.rejected.inc({ table: this.deps.table });
        this.deps.log.error("row rejected by the database; dropped", {
          table: this.deps.table,
          row,
          err: error,
        });
      }
    }
    return written;
  }
}
