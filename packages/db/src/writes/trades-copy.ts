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
