import { afterAll, beforeAll, expect, test } from "bun:test";
import type postgres from "postgres";
import {
  type BookSnapshotRow,
  ensureTimescale,
  insertBookSnapshots,
  runMigrations,
  selectBookSnapshots,
} from "../src/index.ts";
import { connect, uniqueExchange } from "./helpers.ts";

let sql: postgres.Sql;
const ex = uniqueExchange("dbb");
const T0 = 1_717_000_020_000; // minute-aligned

beforeAll(async () => {
  sql = connect();
  await ensureTimescale(sql);
  await runMigrations(sql);
});

afterAll(async () => {
  await sql`delete from book_snapshots where exchange = ${ex}`;
  await sql.end();
});

function row(i: number, over: Partial<BookSnapshotRow> = {}): BookSnapshotRow {
  return {
    time: T0 + i * 60_000,
    exchange: ex,
    market: "BTC-USDT",
    seq: 9_007_199_254_000 + i, // large exchange sequence numbers survive the round trip
    bookTime: T0 + i * 60_000 - 12.345,
    depth: 3,
    bids: [
      [67000.5, 0.25],
      [67000, 1.5],
    ],
    asks: [[67001.25, 0.125]],
    simulated: true,
    ...over,
  };
}

test("book snapshots round-trip exactly, once per slot", async () => {
  const rows = [row(0), row(1), row(2, { simulated: false, bids: [], asks: [] })];
  expect(await insertBookSnapshots(sql, rows)).toBe(3);
  // Another writer instance sampling the same slots later (different book): skipped.
  expect(await insertBookSnapshots(sql, [row(1, { seq: 1, bids: [[1, 1]] }), row(3)])).toBe(1);
  const stored = await selectBookSnapshots(sql, { exchange: ex, market: "BTC-USDT", order: "asc" });
  expect(stored).toEqual([...rows, row(3)]);
  const newest = await selectBookSnapshots(sql, { exchange: ex, market: "BTC-USDT", limit: 1 });
  expect(newest).toEqual([row(3)]);
  const window = await selectBookSnapshots(sql, {
    exchange: ex,
    market: "BTC-USDT",
    from: T0 + 60_000,
    to: T0 + 120_000,
    order: "asc",
  });
  expect(window.map((r) => r.seq)).toEqual([rows[1]!.seq, rows[2]!.seq]);
  expect(await insertBookSnapshots(sql, [])).toBe(0);
});
