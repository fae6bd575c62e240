import { once } from "node:events";
import type { Trade } from "@tickerplant/core";
import postgres from "postgres";
// @tickerplant/db is not a root dependency: reach it by path.
import { insertTrades, msToTimestamptz } from "../../packages/db/src/index.ts";
import type { CpuMeter } from "./cpu.ts";
import { type Measured, measure } from "./measure.ts";

/**
 * TimescaleDB without the platform, into a scratch hypertable shaped like `trades` (same columns,
 * same unique key and indexes) in a schema of its own, dropped afterwards:
 *  - copy: one `COPY ... FROM STDIN` stream of text rows (row formatting included in the time);
 *  - unnest: packages/db `insertTrades` (what the storage-writer runs) in sequential batches of
 *    `batchSize` rows with ON CONFLICT DO NOTHING, into the emptied table.
 */

export interface DbBaseline {
  copy: Measured;
  unnest: Measured & { batchSize: number };
}

const COLUMNS = "time, exchange, market, symbol, trade_id, price, amount, side, recv_time, simulated";

function copyLine(t: Trade): string {
  return `${msToTimestamptz(t.ts)}\t${t.exchange}\t${t.market}\t${t.symbol}\t${t.id}\t${t.price}\t${t.amount}\t${t.side}\t${msToTimestamptz(t.recvTs)}\t${t.simulated === true ? "t" : "f"}\n`;
}

export async function dbBaseline(o: {
  url: string;
  run: string;
  trades: Trade[];
  copyRows: number;
  unnestRows: number;
  batchSize: number;
  cpu?: CpuMeter;
}): Promise<DbBaseline> {
  const schema = `bench_${o.run.toLowerCase()}`;
  const admin = postgres(o.url, { max: 1, onnotice: () => {} });
  // One connection whose unqualified `trades` is the scratch table, so insertTrades runs as is.
  const sql = postgres(o.url, { max: 1, onnotice: () => {}, connection: { search_path: schema } });
  try {
    await admin.unsafe(`create schema ${schema}`);
    await admin.unsafe(
      `create table ${schema}.trades (like public.trades including defaults including constraints including indexes)`,
    );
    await admin.unsafe(
      `select create_hypertable('${schema}.trades', 'time', chunk_time_interval => interval '1 day', create_default_indexes => false)`,
    );

    const rows = o.trades.slice(0, o.copyRows);
    const copy = await measure(rows.length, o.cpu, async () => {
      const writable = await sql.unsafe(`copy trades (${COLUMNS}) from stdin`).writable();
      const chunk = 1000;
      for (let i = 0; i < rows.length; i += chunk) {
        let text = "";
        for (const t of rows.slice(i, i + chunk)) text += copyLine(t);
        if (!writable.write(text)) await once(writable, "drain");
      }
      writable.end();
      await once(writable, "finish");
    });
    const [{ n }] = (await sql`select count(*)::int as n from trades`) as unknown as [{ n: number }];
    if (n !== rows.length) throw new Error(`COPY stored ${n} of ${rows.length} rows`);

    await sql`truncate trades`;
    const batchRows = o.trades.slice(0, o.unnestRows);
    const unnest = await measure(batchRows.length, o.cpu, async () => {
      for (let i = 0; i < batchRows.length; i += o.batchSize) {
        await insertTrades(sql, batchRows.slice(i, i + o.batchSize));
      }
    });
    return { copy, unnest: { ...unnest, batchSize: o.batchSize } };
  } finally {
    await admin.unsafe(`drop schema if exists ${schema} cascade`).catch(() => {});
    await sql.end({ timeout: 5 });
    await admin.end({ timeout: 5 });
  }
}
