import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { cp, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type postgres from "postgres";
import { ensureTimescale, loadMigrations, MIGRATIONS_DIR, runMigrations } from "../src/index.ts";
import { connect, TEST_DATABASE_URL, withDatabase } from "./helpers.ts";

// A fresh database per run: migrations are applied from nothing, concurrently, then again.
const dbName = `tp_migrate_${crypto.randomUUID().replaceAll("-", "").slice(0, 12)}`;
let admin: postgres.Sql;
let url: string;

beforeAll(async () => {
  admin = connect(TEST_DATABASE_URL, 1);
  await admin.unsafe(`create database ${dbName}`);
  url = withDatabase(TEST_DATABASE_URL, dbName);
});

afterAll(async () => {
  await admin.unsafe(`drop database if exists ${dbName} with (force)`);
  await admin.end();
});

describe("migrations", () => {
  test("concurrent first runs apply each migration exactly once; a second run applies nothing", async () => {
    const pools = [connect(url, 2), connect(url, 2), connect(url, 2)];
    try {
      const infos = await Promise.all(pools.map((sql) => ensureTimescale(sql)));
      expect(infos[0]?.license).toBe("apache");
      expect(infos[0]?.continuousAggregates).toBe(false);
      const results = await Promise.all(pools.map((sql) => runMigrations(sql)));
      const files = await loadMigrations();
      const applied = results.flatMap((r) => r.applied).sort((a, b) => a - b);
      expect(applied).toEqual(files.map((m) => m.version));
      for (const r of results) expect(r.version).toBe(files.at(-1)?.version as number);

      const sql = pools[0] as postgres.Sql;
      const rows = await sql<{ version: number; name: string; checksum: string }[]>`
        select version, name, checksum from schema_migrations order by version`;
      expect([...rows]).toEqual(
        files.map((m) => ({ version: m.version, name: m.name, checksum: m.checksum })),
      );

      const again = await runMigrations(sql);
      expect(again.applied).toEqual([]);
      const [count] = await sql<{ n: number }[]>`select count(*)::int as n from schema_migrations`;
      expect(count?.n).toBe(files.length);
      const [hyper] = await sql<{ n: number }[]>`
        select count(*)::int as n from timescaledb_information.hypertables
        where hypertable_name in ('trades', 'candles', 'tickers', 'status_events')`;
      expect(hyper?.n).toBe(4);
    } finally {
      await Promise.all(pools.map((p) => p.end()));
    }
  });

  test("an edited, already applied migration is refused with a clear error", async () => {
    const dir = await mkdtemp(join(tmpdir(), "tp-migrations-"));
    const sql = connect(url, 1);
    try {
      await cp(MIGRATIONS_DIR, dir, { recursive: true });
      const first = (await loadMigrations(dir))[0];
      if (!first) throw new Error("no migrations found");
      await writeFile(
        join(dir, `${String(first.version).padStart(3, "0")}_${first.name}.sql`),
        `${first.sql}\n-- edited\n`,
      );
      await expect(runMigrations(sql, { dir })).rejects.toThrow(
        /was applied with checksum .* add a new migration/,
      );
    } finally {
      await sql.end();
      await rm(dir, { recursive: true, force: true });
    }
  });

  test("a failing migration rolls back entirely and is not recorded", async () => {
    const dir = await mkdtemp(join(tmpdir(), "tp-migrations-"));
    const sql = connect(url, 1);
    try {
      await cp(MIGRATIONS_DIR, dir, { recursive: true });
      await writeFile(join(dir, "900_ok.sql"), "create table migration_probe (x int);");
      await writeFile(join(dir, "901_broken.sql"), "select no_such_function();");
      await expect(runMigrations(sql, { dir })).rejects.toThrow(/migration 901_broken failed/);
      const [probe] = await sql<{ t: string | null }[]>`select to_regclass('migration_probe')::text as t`;
      expect(probe?.t).toBeNull();
      const [max] = await sql<{ v: number }[]>`select max(version)::int as v from schema_migrations`;
      expect(max?.v).toBeLessThan(900);
    } finally {
      await sql.end();
      await rm(dir, { recursive: true, force: true });
    }
  });

  test("the analyst role can read every table but not write", async () => {
    const owner = connect(url, 1);
    const analyst = connect(withDatabase(url, dbName, "analyst"), 1);
    try {
      await owner`
        insert into markets (exchange, market, symbol, base, quote, type, status)
        values ('analysttest', 'BTC-USDT', 'BTCUSDT', 'BTC', 'USDT', 'spot', 'trading')`;
      const rows = await analyst`select exchange, market from markets`;
      expect(rows.map((r) => r.market)).toEqual(["BTC-USDT"]);
      for (const table of ["trades", "candles", "tickers", "status_events", "schema_migrations"]) {
        await analyst`select count(*) from ${analyst(table)}`;
      }
      await expect(
        analyst`insert into markets (exchange, market, symbol, base, quote, type, status)
                values ('x', 'ETH-USDT', 'ETHUSDT', 'ETH', 'USDT', 'spot', 'trading')`,
      ).rejects.toThrow(/permission denied/);
      await expect(analyst`delete from markets`).rejects.toThrow(/permission denied/);
      // Default privileges: a table created later by the migrating user is readable too.
      await owner`create table later_table (x int)`;
      await analyst`select * from later_table`;
    } finally {
      await analyst.end();
      await owner.end();
    }
  });
});
