#!/usr/bin/env bun
/**
 * Trade write paths into TimescaleDB, by the CPU they cost (docs/benchmarks.md, "Trade writes").
 *
 *   bun bench/trade-writes.ts [--rows 60000] [--batch 2000]
 *
 * Each path writes the same time-ordered trades in batches into a scratch hypertable shaped like
 * `trades` (own schema, dropped afterwards), on one connection. CPU is read from /proc for that
 * connection's backend (its pid from pg_backend_pid) and for this process, so other work on the
 * machine hardly changes the figures; the server's background processes (WAL writer,
 * checkpointer) are not in them.
 */
import { once } from "node:events";
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import type { Trade } from "@tickerplant/core";
import postgres from "postgres";
import {
  copyTradesIfNew,
  insertTrades,
  insertTradesViaStaging,
  type Queryable,
  tradeCopyLine,
} from "../packages/db/src/index.ts";
import { buildTradeFixtures } from "./lib/trade-fixtures.ts";

const { values: args } = parseArgs({
  options: { rows: { type: "string", default: "60000" }, batch: { type: "string", default: "2000" } },
});
const ROWS = Number(args.rows);
const BATCH = Number(args.batch);
const URL = process.env.TEST_DATABASE_URL ?? "postgres://tickerplant@127.0.0.1:5433/tickerplant_test";
const COLUMNS =
  "time, exchange, market, symbol, trade_id, price, amount, contracts, side, recv_time, simulated";

function ticks(pid: number): number {
  const text = readFileSync(`/proc/${pid}/stat`, "utf8");
  const rest = text.slice(text.lastIndexOf(")") + 2).split(" ");
  return Number(rest[11]) + Number(rest[12]);
}

async function copyText(tx: Queryable, statement: string, text: string) {
  const writable = await tx.unsafe(statement).writable();
  if (!writable.write(text)) await once(writable, "drain");
  writable.end();
  await once(writable, "finish");
}

type Path = (sql: postgres.Sql, rows: Trade[]) => Promise<unknown>;

const staging: Path = (sql, rows) =>
  sql.begin((tx) => insertTradesViaStaging(tx, rows.map(tradeCopyLine).join(""), copyText));

const paths: Record<string, Path> = {
  "unnest insert": (sql, rows) => insertTrades(sql, rows),
  "COPY → staging → INSERT ON CONFLICT": staging,
  "COPY into trades in a savepoint": (sql, rows) =>
    sql.begin((tx) =>
      tx.savepoint((sp) =>
        copyText(sp, `copy trades (${COLUMNS}) from stdin`, rows.map(tradeCopyLine).join("")),
      ),
    ),
  // The writer's path: one COPY statement, the staging path when it meets a stored row.
  "COPY into trades, else staging": async (sql, rows) =>
    (await copyTradesIfNew(sql, rows.map(tradeCopyLine).join(""), copyText)) || staging(sql, rows),
};
async function run(schema: string, name: string, path: Path, trades: Trade[], indexed: boolean) {
  const admin = postgres(URL, { max: 1, onnotice: () => {} });
  await admin.unsafe(`drop schema if exists ${schema} cascade`);
  await admin.unsafe(`create schema ${schema}`);
  await admin.unsafe(
    `create table ${schema}.trades (like public.trades including defaults including constraints)`,
  );
  await admin.unsafe(`alter table ${schema}.trades add unique (exchange, market, trade_id, time)`);
  if (indexed) await admin.unsafe(`create index on ${schema}.trades (exchange, market, time desc)`);
  await admin.unsafe(
    `select create_hypertable('${schema}.trades', 'time', chunk_time_interval => interval '1 day', create_default_indexes => false)`,
  );
  const sql = postgres(URL, { max: 1, onnotice: () => {}, connection: { search_path: schema } });
  const [{ pid }] = (await sql`select pg_backend_pid() as pid`) as unknown as [{ pid: number }];
  // Warm-up: one batch (chunk creation, plans), not counted.
  await path(sql, trades.slice(0, BATCH));
  const b0 = ticks(pid);
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = BATCH; i < trades.length; i += BATCH) await path(sql, trades.slice(i, i + BATCH));
  const seconds = (performance.now() - t0) / 1000;
  const c1 = process.cpuUsage(c0);
  const backendUs = ((ticks(pid) - b0) * 1e6) / 100;
  const n = trades.length - BATCH;
  // Again, every row already stored: what a redelivered batch costs.
  const d0 = ticks(pid);
  let failed = 0;
  for (let i = BATCH; i < trades.length; i += BATCH) {
    const timeout = Bun.sleep(3000).then(() => Promise.reject(new Error("timeout")));
    const ok = await Promise.race([path(sql, trades.slice(i, i + BATCH)), timeout]).then(
      () => true,
      () => false,
    );
    if (!ok) failed++;
    if (failed) break;
  }
  const dupUs = ((ticks(pid) - d0) * 1e6) / 100;
  const [{ count }] = (await sql`select count(*)::int as count from trades`) as unknown as [
    { count: number },
  ];
  await sql.end();
  await admin.unsafe(`drop schema ${schema} cascade`);
  await admin.end();
  console.log(
    `| ${name} | ${indexed ? "both" : "unique only"} | ${Math.round(n / seconds)} | ${(backendUs / n).toFixed(1)} | ${((c1.user + c1.system) / n).toFixed(1)} | ${failed ? `fails (${failed})` : (dupUs / n).toFixed(1)} | ${count === trades.length ? "ok" : count} |`,
  );
}

const trades = buildTradeFixtures(["BXA-USDT", "BXB-USDT", "BXC-USDT", "BXD-USDT"], ROWS).trades.slice(
  0,
  ROWS,
);
console.log(`${ROWS} rows, batches of ${BATCH}`);
console.log(
  "| path | indexes | rows/s | backend µs/row | client µs/row | backend µs/row, all duplicates | stored |",
);
console.log("|---|---|---:|---:|---:|---:|---|");
const schema = `bench_tw_${Date.now().toString(36)}`;
for (const indexed of [true, false])
  for (const [name, path] of Object.entries(paths)) await run(schema, name, path, trades, indexed);
