import type { Trade } from "@tickerplant/core";
import type { Queryable } from "../queryable.ts";
import { msToTimestamptz } from "../time.ts";

const COLUMNS =
  "time, exchange, market, symbol, trade_id, price, amount, contracts, side, recv_time, simulated";

/** COPY text format: backslash, tab, newline and carriage return are escaped. */
function text(value: string): string {
  return /[\\\t\n\r]/.test(value)
    ? value.replace(/\\/g, "\\\\").replace(/\t/g, "\\t").replace(/\n/g, "\\n").replace(/\r/g, "\\r")
    : value;
}

/** One trade as a line of COPY text format (the column order of `TRADE_COPY_COLUMNS`). */
export function tradeCopyLine(t: Trade): string {
  return `${msToTimestamptz(t.ts)}\t${text(t.exchange)}\t${text(t.market)}\t${text(t.symbol)}\t${text(t.id)}\t${t.price}\t${t.amount}\t${t.contracts ?? "\\N"}\t${text(t.side)}\t${msToTimestamptz(t.recvTs)}\t${t.simulated === true ? "t" : "f"}\n`;
}

/** PostgreSQL's unique_violation. */
const UNIQUE_VIOLATION = "23505";

/**
 * COPY the rows straight into `trades` as one statement of its own (not inside a transaction
 * block: a rejected COPY would abort it). A statement is atomic, so either every row is stored
 * (true) or none is: false when a row is already stored or repeated within the batch (the unique
 * key rejects the whole COPY), and the caller takes insertTradesViaStaging instead. Any other
 * error is thrown. `copy` as for insertTradesViaStaging. About half the server CPU of the staging
 * path when no row conflicts (docs/benchmarks.md, "Trade writes").
 */
export async function copyTradesIfNew(
  sql: Queryable,
  lines: string,
  copy: (sql: Queryable, statement: string, text: string) => Promise<void>,
): Promise<boolean> {
  try {
    await copy(sql, `copy trades (${COLUMNS}) from stdin`, lines);
    return true;
  } catch (err) {
    if ((err as { code?: unknown } | null)?.code === UNIQUE_VIOLATION) return false;
    throw err;
  }
}

/**
 * Inside an open transaction: COPY the rows into a session-local staging table (emptied at
 * commit), then one INSERT … SELECT … ON CONFLICT DO NOTHING into `trades`. Returns the rows
 * inserted. `copy` streams the text into the COPY (the caller guards it with a timeout: postgres.js
 * does not settle a COPY the server rejected).
 */
export async function insertTradesViaStaging(
  tx: Queryable,
  lines: string,
  copy: (tx: Queryable, statement: string, text: string) => Promise<void>,
): Promise<number> {
  await tx.unsafe(
    "create temp table if not exists trades_staging (like trades including defaults) on commit delete rows",
  );
  await copy(tx, `copy trades_staging (${COLUMNS}) from stdin`, lines);
  const result = await tx.unsafe(
    `insert into trades (${COLUMNS}) select ${COLUMNS} from trades_staging on conflict do nothing`,
  );
  return result.count;
}
