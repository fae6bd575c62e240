import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { TickerplantError, type Trade } from "@tickerplant/core";
import { insertTrades, prepareDatabase } from "@tickerplant/db";
import { createLogger, createSql, type Sql } from "@tickerplant/runtime";
import { Registry } from "prom-client";
import { StorageMetrics } from "../src/metrics.ts";
import { TableWriter } from "../src/table-writer.ts";
import { metricValue, TEST_DATABASE_URL } from "./harness.ts";

const log = createLogger({ service: "table-writer-test", level: "error", write: () => {} });
const exchange = `tw${crypto.randomUUID().replaceAll("-", "").slice(0, 8)}`;
let sql: Sql;

beforeAll(async () => {
  sql = createSql(TEST_DATABASE_URL, { max: 2, name: "table-writer-test" });
  await prepareDatabase(sql, log);
});

afterAll(async () => {
  await sql`delete from trades where exchange = ${exchange}`;
  await sql.end();
});

const trade = (i: number, ts = 1_717_000_000_000 + i): Trade => ({
  type: "trade",
  exchange,
  market: "BTC-USDT",
  symbol: "BTCUSDT",
  ts,
  recvTs: 1_717_000_000_000 + i,
  id: String(i),
  price: 1,
  amount: 1,
  side: "buy",
});

describe("TableWriter", () => {
  test("a row the database refuses is dropped and counted; the rest of the batch is written", async () => {
    const registry = new Registry();
    const writer = new TableWriter<Trade>({
      sql,
      metrics: new StorageMetrics(registry),
      log,
      table: "trades",
      write: insertTrades,
    });
    // Year -270000: a valid JavaScript date that PostgreSQL's timestamptz cannot hold.
    const written = await writer.write([trade(1), trade(2, -8.5e15), trade(3), trade(4, Number.NaN)]);
    expect(written).toBe(2);
    expect(await metricValue(registry, "tickerplant_storage_rows_rejected_total", { table: "trades" })).toBe(
      2,
    );
    const rows = await sql`select trade_id from trades where exchange = ${exchange} order by trade_id`;
    expect(rows.map((r) => r.trade_id)).toEqual(["1", "3"]);
  });

  test("an unreachable database is a retryable error (the batch is naked, not dropped)", async () => {
    const dead = createSql("postgres://tickerplant@127.0.0.1:1/none", { max: 1, name: "dead" });
    try {
      const writer = new TableWriter<Trade>({
        sql: dead,
        metrics: new StorageMetrics(new Registry()),
        log,
        table: "trades",
        write: insertTrades,
      });
      const err = await writer.write([trade(9)]).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(TickerplantError);
      expect((err as TickerplantError).retryable).toBe(true);
    } finally {
      await dead.end({ timeout: 1 });
    }
  });
});
