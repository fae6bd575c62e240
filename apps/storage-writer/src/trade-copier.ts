import { once } from "node:events";
import { type Trade, TransientError } from "@tickerplant/core";
import {
  copyTradesIfNew,
  insertTrades,
  insertTradesViaStaging,
  type Queryable,
  tradeCopyLine,
} from "@tickerplant/db";
import type { Logger, Sql } from "@tickerplant/runtime";
import type { StorageMetrics } from "./metrics.ts";

/** A COPY did not settle in time. */
export class CopyTimeoutError extends TransientError {
  constructor(ms: number) {
    super("copy_timeout", `COPY did not settle within ${ms} ms`);
  }
}

/**
 * Trades into TimescaleDB by COPY, on a connection of its own. A batch is COPYed straight into
 * `trades` as one statement (one round trip, like `unnest`, at ~60 % of its server CPU): all of it is
 * stored, or, when a row is already there or repeated (the unique key rejects the COPY as a
 * whole), none of it; then it is written with ON CONFLICT DO NOTHING instead — through a staging
 * table (COPY + INSERT … SELECT) from `minRows` rows, else by the `unnest` statement. After such a
 * conflict (redundant ingestors, redeliveries) the next batches skip the COPY into `trades` until
 * `conflictFreeBatches` of them in a row found no stored row.
 * postgres.js is patched to fail a COPY the server rejected (porsager/postgres#1173: unpatched it
 * never settled); anything else that keeps a COPY from settling is raced against `timeoutMs`: on
 * timeout the connection is closed, a new one is made for the next batch, and this batch goes
 * through `unnest`, which reports the real error (TableWriter then narrows a bad row down). The
 * server may still finish a COPY whose data it had all received; the fallback's ON CONFLICT then
 * skips those rows, so every trade is stored once either way.
 */
export class TradeCopier {
  private client: Sql | undefined;
  /** Batches still to skip the COPY into `trades` (after a conflict). */
  private skipCopy = 0;

  constructor(
    private readonly o: {
      /** A new single-connection client. */
      connect: () => Sql;
      timeoutMs: number;
      /**
       * Smallest conflicting batch written through the staging table (four more round trips than
       * `unnest`: staging table, COPY, INSERT, COMMIT, which only pay off for large batches).
       */
      minRows?: number;
      /** Batches in a row without a stored row it takes to try COPY into `trades` again (default 20). */
      conflictFreeBatches?: number;
      metrics: StorageMetrics;
      log: Logger;
      /** Test hook: how a trade becomes a COPY line. */
      line?: (t: Trade) => string;
    },
  ) {}

  /** Returns the rows inserted (duplicates skipped). */
  async write(sql: Queryable, rows: readonly Trade[]): Promise<number> {
    if (rows.length < 2) return insertTrades(sql, rows);
    const line = this.o.line ?? tradeCopyLine;
    let text = "";
    const copyLines = () => {
      if (text === "") for (const t of rows) text += line(t);
      return text;
    };
    try {
      if (this.skipCopy === 0) {
        if (await this.guarded((c) => copyTradesIfNew(c, copyLines(), copyText))) return rows.length;
        this.o.metrics.copyConflicts.inc();
        this.skipCopy = this.o.conflictFreeBatches ?? 20;
      }
      const inserted =
        rows.length >= (this.o.minRows ?? 500)
          ? await this.guarded((c) => c.begin((tx) => insertTradesViaStaging(tx, copyLines(), copyText)))
          : await insertTrades(sql, rows);
      this.skipCopy =
        inserted < rows.length ? (this.o.conflictFreeBatches ?? 20) : Math.max(0, this.skipCopy - 1);
      return inserted;
    } catch (err) {
      if (!(err instanceof CopyTimeoutError)) throw err;
      this.o.metrics.copyTimeouts.inc();
      this.o.log.warn("COPY did not settle; connection dropped, batch written with unnest", {
        rows: rows.length,
        timeoutMs: this.o.timeoutMs,
      });
      return insertTrades(sql, rows);
    }
  }

  /** Runs `work` on the copy connection; past `timeoutMs` the connection is dropped (CopyTimeoutError). */
  private async guarded<T>(work: (client: Sql) => Promise<T>): Promise<T> {
    if (!this.client) this.client = this.o.connect();
    const client = this.client;
    let timer: Timer | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new CopyTimeoutError(this.o.timeoutMs)), this.o.timeoutMs);
    });
    const running = work(client);
    try {
      return await Promise.race([running, timeout]);
    } catch (err) {
      if (err instanceof CopyTimeoutError) {
        running.catch(() => {});
        if (this.client === client) this.client = undefined;
        await client.end({ timeout: 0 }).catch(() => {});
      }
      throw err;
    } finally {
      clearTimeout(timer);
    }
  }

  async stop(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    await client?.end({ timeout: 5 });
  }
}

async function copyText(tx: Queryable, statement: string, text: string): Promise<void> {
  const writable = await tx.unsafe(statement).writable();
  if (!writable.write(text)) await once(writable, "drain");
  writable.end();
  await once(writable, "finish");
}
