import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createLogger } from "@tickerplant/runtime";
import postgres from "postgres";
import { prepareDatabase } from "../src/index.ts";
import { connect, TEST_DATABASE_URL, withDatabase } from "./helpers.ts";

/** The analyst role (docs/analysts.md) can read every table and change nothing. */
const owner = connect(TEST_DATABASE_URL, 2);
const analyst = postgres(
  withDatabase(TEST_DATABASE_URL, new URL(TEST_DATABASE_URL).pathname.slice(1), "analyst"),
  {
    max: 1,
    onnotice: () => {},
    connect_timeout: 5,
  },
);

beforeAll(async () => {
  await prepareDatabase(
    owner,
    createLogger({ service: "analyst-role-test", level: "error", write: () => {} }),
  );
});
afterAll(async () => {
  await analyst.end();
  await owner.end();
});

const refused = /permission denied|must be owner|read-only/;

describe("the analyst SQL role is read-only", () => {
  test("reads work", async () => {
    await analyst`select count(*) from trades`;
    await analyst`select * from candles limit 1`;
  });

  const statements: Array<[string, string]> = [
    ["INSERT", "insert into markets (exchange, market, symbol) values ('x', 'X-Y', 'XY')"],
    ["UPDATE", "update trades set price = 0 where false"],
    ["DELETE", "delete from candles where false"],
    ["TRUNCATE", "truncate status_events"],
    ["CREATE TABLE", "create table analyst_owned (x int)"],
    ["CREATE TABLE in a new schema", "create schema analyst_schema"],
    ["ALTER TABLE", "alter table trades add column analyst_note text"],
    ["DROP TABLE", "drop table trades"],
    ["CREATE INDEX", "create index analyst_idx on trades (price)"],
    ["CREATE FUNCTION", "create function analyst_fn() returns int language sql as 'select 1'"],
    ["COPY FROM", "copy markets from stdin"],
  ];
  for (const [what, statement] of statements) {
    test(`${what} is refused`, async () => {
      await expect(analyst.unsafe(statement)).rejects.toThrow(refused);
    });
  }

  test("GRANT gives the analyst nothing (a warning, no privilege)", async () => {
    await analyst.unsafe("grant insert on trades to analyst");
    const [can] = await owner`select has_table_privilege('analyst', 'trades', 'INSERT') as insert`;
    expect(can?.insert).toBe(false);
    await expect(
      analyst.unsafe("insert into markets (exchange, market, symbol) values ('x', 'X-Y', 'XY')"),
    ).rejects.toThrow(refused);
  });

  test("tables that hold secrets are not readable", async () => {
    const readable = await owner`
      select table_name from information_schema.tables
      where table_schema = 'public' and table_name ilike '%secret%'
        and has_table_privilege('analyst', format('public.%I', table_name), 'SELECT')`;
    expect(readable.map((r) => r.table_name)).toEqual([]);
  });

  test("the role has no privilege flags to escalate with", async () => {
    const [role] = await owner`
      select rolsuper, rolcreatedb, rolcreaterole, rolreplication, rolbypassrls
      from pg_roles where rolname = 'analyst'`;
    expect(role).toEqual({
      rolsuper: false,
      rolcreatedb: false,
      rolcreaterole: false,
      rolreplication: false,
      rolbypassrls: false,
    });
    const writable = await owner`
      select table_name, privilege_type from information_schema.role_table_grants
      where grantee = 'analyst' and privilege_type <> 'SELECT'`;
    expect(writable.length).toBe(0);
  });
});
