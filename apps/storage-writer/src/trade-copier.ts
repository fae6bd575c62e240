import { once } from "node:events";
import { type Trade, TransientError } from "@tickerplant/core";
import { insertTrades, insertTradesViaStaging, type Queryable, tradeCopyLine } from "@tickerplant/db";
import type { Logger, Sql } from "@tickerplant/runtime";
import type { StorageMetrics } from "./metrics.ts";

/** The COPY did not settle in time (postgres.js never settles a COPY the server rejected). */
export class CopyTimeoutError extends TransientError {
  constructor(ms: number) {
    super("copy_timeout", `COPY did not settle within ${ms} ms`);
  }
}

/**
 * Trades into TimescaleDB by COPY into a staging table and one INSERT … SELECT … ON CONFLICT DO
 * NOTHING per batch, on a connection of its own. postgres.js leaves a COPY the server rejects
 * unsettled (porsager/postgres#1173: the transaction never ends and the connection leaks "idle in
 * transaction (aborted)"), so the whole transaction is raced against `timeoutMs`: on timeout the
 * connection is closed (the server rolls the transaction back), a new one is made for the next
 * batch, and this batch goes through the `unnest` statement instead, which reports the real
 * error (TableWriter then narrows a bad row down). Batches under `minRows` take `unnest` directly.
 */
export class TradeCopier {
  private client: Sql | undefined;

  constructor(
    private readonly o: {
      /** A new single-connection client. */
      connect: () => Sql;
      timeoutMs: number;
      /**
       * Smaller batches take the one-statement `unnest` path: COPY costs four more round trips
       * (staging table, COPY, INSERT, COMMIT), which only pays off for large batches.
       */
      minRows?: number;
      metrics: StorageMetrics;
      log: Logger;
      /** Test hook: how a trade becomes a COPY line. */
      line?: (t: Trade) => string;
    },
  ) {}

  /** Returns the rows inserted (duplicates skipped). */
  async write(sql: Queryable, rows: readonly Trade[]): Promise<number> {
    if (rows.length < Math.max(2, this.o.minRows ?? 500)) return insertTrades(sql, rows);
    const line = this.o.line ?? tradeCopyLine;
    let text = "";
    for (const t of rows) text += line(t);
    if (!this.client) this.client = this.o.connect();
    const client = this.client;
    let timer: Timer | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new CopyTimeoutError(this.o.timeoutMs)), this.o.timeoutMs);
    });
    const work = client.begin((tx) => insertTradesViaStaging(tx, text, copyText));
    try {
      return await Promise.race([work, timeout]);
    } catch (err) {
      if (!(err instanceof CopyTimeoutError)) throw err;
      work.catch(() => {});
      this.o.metrics.copyTimeouts.inc();
      this.o.log.warn("COPY did not settle; connection dropped, batch written with unnest", {
        rows: rows.length,
        timeoutMs: this.o.timeoutMs,
      });
      this.client = undefined;
      await client.end({ timeout: 0 }).catch(() => {});
      return insertTrades(sql, rows);
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
