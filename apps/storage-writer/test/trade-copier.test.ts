import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Trade } from "@tickerplant/core";
import { insertTrades, prepareDatabase, tradeCopyLine } from "@tickerplant/db";
import { createLogger, createSql, type Sql } from "@tickerplant/runtime";
import { Registry } from "prom-client";
import { StorageMetrics } from "../src/metrics.ts";
import { TableWriter } from "../src/table-writer.ts";
import { TradeCopier } from "../src/trade-copier.ts";
import { TEST_DATABASE_URL } from "./harness.ts";

const log = createLogger({ service: "trade-copier-test", level: "error", write: () => {} });
const run = crypto.randomUUID().replaceAll("-", "").slice(0, 8);
const exchange = `tc${run}`;
const copyApp = `trade-copier-test-${run}`;
let sql: Sql;

const trade = (i: number): Trade => ({
  type: "trade",
  exchange,
  market: "A-USDT",
  symbol: "A\tUSDT", // needs escaping in COPY text format
  ts: 1_700_000_000_000 + i + 0.125,
  recvTs: 1_700_000_000_000 + i + 2.5,
  id: String(i),
  price: 100 + i,
  amount: 1,
  side: "buy",
  simulated: true,
});

async function stored(): Promise<string[]> {
  const rows = await sql<{ trade_id: string }[]>`select trade_id from trades where exchange = ${exchange}`;
  return rows.map((r) => r.trade_id).sort((a, b) => Number(a) - Number(b));
}

beforeAll(async () => {
  sql = createSql(TEST_DATABASE_URL, { max: 2, name: "trade-copier-test" });
  await prepareDatabase(sql, log);
});

afterAll(async () => {
  await sql`delete from trades where exchange = ${exchange}`;
  await sql.end();
});

function counter(metrics: StorageMetrics, name: "copyConflicts" | "copyTimeouts"): Promise<number> {
  return metrics[name].get().then((m) => m.values[0]?.value ?? 0);
}

describe("TradeCopier (COPY into trades, else staging + INSERT … ON CONFLICT DO NOTHING)", () => {
  test("writes a batch exactly once, escapes text, and skips duplicates", async () => {
    const metrics = new StorageMetrics(new Registry());
    const copier = new TradeCopier({
      connect: () => createSql(TEST_DATABASE_URL, { max: 1, name: copyApp }),
      timeoutMs: 10_000,
      minRows: 2,
      metrics,
      log,
    });
    try {
      expect(await copier.write(sql, [trade(1), trade(2), { ...trade(3), contracts: 7 }])).toBe(3);
      expect(await counter(metrics, "copyConflicts")).toBe(0);
      // 2 and 3 are stored: the COPY into trades is rejected whole, the staging path adds 4 alone.
      expect(await copier.write(sql, [2, 3, 4].map(trade))).toBe(1);
      expect(await counter(metrics, "copyConflicts")).toBe(1);
      expect(await stored()).toEqual(["1", "2", "3", "4"]);
      const [row] = await sql<{ symbol: string }[]>`
        select symbol from trades where exchange = ${exchange} and trade_id = '1'`;
      expect(row?.symbol).toBe("A\tUSDT");
      const contracts = await sql<{ contracts: number | null }[]>`
        select contracts from trades where exchange = ${exchange} and trade_id in ('1', '3') order by trade_id`;
      expect(contracts.map((r) => r.contracts)).toEqual([null, 7]);
    } finally {
      await copier.stop();
    }
  });

  test("a batch repeating a trade within itself stores it once", async () => {
    const metrics = new StorageMetrics(new Registry());
    const copier = new TradeCopier({
      connect: () => createSql(TEST_DATABASE_URL, { max: 1, name: copyApp }),
      timeoutMs: 10_000,
      minRows: 2,
      metrics,
      log,
    });
    try {
      expect(await copier.write(sql, [30, 31, 31, 32].map(trade))).toBe(3);
      expect(await counter(metrics, "copyConflicts")).toBe(1);
      expect((await stored()).filter((id) => Number(id) >= 30 && Number(id) < 40)).toEqual([
        "30",
        "31",
        "32",
      ]);
    } finally {
      await copier.stop();
    }
  });

  test("a conflicting batch under minRows is written by unnest, exactly once", async () => {
    const metrics = new StorageMetrics(new Registry());
    const copier = new TradeCopier({
      connect: () => createSql(TEST_DATABASE_URL, { max: 1, name: copyApp }),
      timeoutMs: 10_000,
      metrics,
      log,
    });
    try {
      expect(await copier.write(sql, [70, 71].map(trade))).toBe(2);
      expect(await copier.write(sql, [71, 72, 72].map(trade))).toBe(1);
      expect(await counter(metrics, "copyConflicts")).toBe(1);
      expect((await stored()).filter((id) => Number(id) >= 70 && Number(id) < 80)).toEqual([
        "70",
        "71",
        "72",
      ]);
    } finally {
      await copier.stop();
    }
  });

  test("after a conflict, batches skip the COPY into trades until enough of them found no stored row", async () => {
    const metrics = new StorageMetrics(new Registry());
    const copier = new TradeCopier({
      connect: () => createSql(TEST_DATABASE_URL, { max: 1, name: copyApp }),
      timeoutMs: 10_000,
      minRows: 2,
      conflictFreeBatches: 2,
      metrics,
      log,
    });
    const conflicts = () => counter(metrics, "copyConflicts");
    try {
      expect(await copier.write(sql, [40, 41].map(trade))).toBe(2); // COPY into trades
      expect(await copier.write(sql, [41, 42].map(trade))).toBe(1); // conflict → staging
      expect(await conflicts()).toBe(1);
      expect(await copier.write(sql, [42, 43].map(trade))).toBe(1); // no COPY tried; found 42
      expect(await copier.write(sql, [44, 45].map(trade))).toBe(2); // no COPY tried; clean: 1 of 2
      expect(await copier.write(sql, [46, 47].map(trade))).toBe(2); // no COPY tried; clean: 2 of 2
      expect(await conflicts()).toBe(1);
      expect(await copier.write(sql, [47, 48].map(trade))).toBe(1); // COPY into trades again → conflict
      expect(await conflicts()).toBe(2);
      expect((await stored()).filter((id) => Number(id) >= 40 && Number(id) < 50)).toEqual([
        "40",
        "41",
        "42",
        "43",
        "44",
        "45",
        "46",
        "47",
        "48",
      ]);
    } finally {
      await copier.stop();
    }
  });

  // An uncommitted insert of a trade makes the COPY wait on its unique key past the copier's
  // timeout; the blocker then commits or rolls back.
  async function blockedWrite(ids: number[], blocked: number, outcome: "commit" | "rollback") {
    const metrics = new StorageMetrics(new Registry());
    const copier = new TradeCopier({
      connect: () => createSql(TEST_DATABASE_URL, { max: 1, name: copyApp }),
      timeoutMs: 1000,
      minRows: 2,
      metrics,
      log,
    });
    const blocker = createSql(TEST_DATABASE_URL, { max: 1, name: `${copyApp}-blocker` });
    try {
      const held = blocker.begin(async (tx) => {
        await insertTrades(tx, [trade(blocked)]);
        await Bun.sleep(2500);
        if (outcome === "rollback") throw new Error("roll back");
      });
      held.catch(() => {});
      await Bun.sleep(200);
      const started = Date.now();
      const written = await copier.write(sql, ids.map(trade));
      const waited = Date.now() - started;
      await held.catch(() => {});
      const timeouts = await counter(metrics, "copyTimeouts");
      // A new connection takes the next batch.
      const next = await copier.write(sql, [ids[0]! + 5, ids[0]! + 6].map(trade));
      return { written, waited, timeouts, next };
    } finally {
      await copier.stop();
      await blocker.end({ timeout: 1 });
    }
  }

  test("a COPY that does not settle in time is abandoned: connection dropped, batch written with unnest", async () => {
    const r = await blockedWrite([50, 51, 52], 51, "commit");
    expect(r.waited).toBeGreaterThanOrEqual(1000);
    expect(r.timeouts).toBe(1);
    // The abandoned COPY met the committed 51 and failed; unnest stored the other two.
    expect(r.written).toBe(2);
    expect(r.next).toBe(2);
    expect((await stored()).filter((id) => Number(id) >= 50 && Number(id) < 60)).toEqual([
      "50",
      "51",
      "52",
      "55",
      "56",
    ]);
  }, 30_000);

  test("an abandoned COPY the server still commits later leaves every trade stored once", async () => {
    // The COPY's data was all sent: once the blocker rolls back, the server may commit it although
    // its client is gone, while the unnest fallback writes the same rows — the unique key keeps one.
    const r = await blockedWrite([60, 61, 62], 61, "rollback");
    expect(r.timeouts).toBe(1);
    expect([0, 3]).toContain(r.written);
    expect((await stored()).filter((id) => Number(id) >= 60 && Number(id) < 70)).toEqual([
      "60",
      "61",
      "62",
      "65",
      "66",
    ]);
  }, 30_000);

  test("a COPY the server rejects fails at once (patched postgres.js), leaks no connection; the good rows are still written", async () => {
    const metrics = new StorageMetrics(new Registry());
    let bad = true;
    const copier = new TradeCopier({
      connect: () => createSql(TEST_DATABASE_URL, { max: 1, name: copyApp }),
      timeoutMs: 1500,
      minRows: 2,
      metrics,
      log,
      // A row with a missing column: the server rejects the COPY after the data was sent.
      line: (t) => (bad && t.id === "11" ? "not\ta\trow\n" : tradeCopyLine(t)),
    });
    const writer = new TableWriter<Trade>({
      sql,
      metrics,
      log,
      table: "trades",
      write: (q, rows) => copier.write(q, rows),
    });
    try {
      const started = Date.now();
      // TableWriter narrows the rejected batch down row by row (single rows take unnest).
      expect(await writer.write([10, 11, 12].map(trade))).toBe(3);
      expect(Date.now() - started).toBeLessThan(1500);
      expect(await counter(metrics, "copyTimeouts")).toBe(0);
      expect((await stored()).filter((id) => Number(id) >= 10 && Number(id) < 20)).toEqual([
        "10",
        "11",
        "12",
      ]);
      // The abandoned transaction is not left open on the server.
      const deadline = Date.now() + 15_000;
      let open = -1;
      while (Date.now() < deadline) {
        const [r] = await sql<{ n: number }[]>`
          select count(*)::int as n from pg_stat_activity
          where application_name = ${copyApp} and state like 'idle in transaction%'`;
        open = r?.n ?? -1;
        if (open === 0) break;
        await Bun.sleep(100);
      }
      expect(open).toBe(0);
      // And COPY keeps working for the next batch.
      bad = false;
      expect(await writer.write([13, 14].map(trade))).toBe(2);
    } finally {
      await copier.stop();
    }
  }, 60_000);

  // postgres.js is patched (patches/postgres@3.4.9.patch): unpatched, the ROLLBACK a transaction
  // sends after its connection died is written from a timer to the closed connection's null
  // socket — an uncaught TypeError that ended the storage-writer after a PostgreSQL restart.
  test("a transaction whose connection dies rejects with a connection error; the process lives on", async () => {
    const client = createSql(TEST_DATABASE_URL, { max: 1, name: copyApp });
    try {
      let late: Promise<unknown> | undefined;
      const tx = client.begin(async (t) => {
        const [me] = await t<{ pid: number }[]>`select pg_backend_pid() as pid`;
        await sql`select pg_terminate_backend(${me!.pid})`;
        await Bun.sleep(300); // the client has seen the connection close
        // A query on the dead transaction's connection (here: the callback going on after it).
        late = t`select 1`.then(
          () => undefined,
          (e: unknown) => e,
        );
        await late;
      });
      const err = await tx.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(Error);
      expect((err as { code?: string }).code).toMatch(/CONNECTION_CLOSED|CONNECTION_DESTROYED|57P01/);
      await Bun.sleep(500); // the late query was sent, and the timer that used to throw has run
      const lateErr = await late;
      expect(lateErr).toBeInstanceOf(Error);
      expect(lateErr).not.toBeInstanceOf(TypeError);
      // The client reconnects for the next query.
      expect((await client`select 1 as one`)[0]?.one).toBe(1);
    } finally {
      await client.end({ timeout: 1 });
    }
  }, 20_000);
});
