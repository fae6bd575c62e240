import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { ParseError } from "@tickerplant/core";
import type postgres from "postgres";
import { classifyDbError } from "../src/index.ts";
import { connect } from "./helpers.ts";

let sql: postgres.Sql;
beforeAll(() => {
  sql = connect(undefined, 1);
});
afterAll(async () => {
  await sql.end();
});

const failure = (p: Promise<unknown>) =>
  p.then(
    () => {
      throw new Error("expected a failure");
    },
    (err: unknown) => err,
  );

describe("classifyDbError", () => {
  test("a statement the server rejects is permanent", async () => {
    const err = classifyDbError(await failure(sql`select 1 / 0`), "dividing");
    expect(err.retryable).toBe(false);
    expect(err.code).toBe("db_rejected");
    expect(err.message).toMatch(/^dividing: division by zero/);
  });

  test("a cancelled (timed out) statement may pass later", async () => {
    const err = await failure(
      sql.begin(async (tx) => {
        await tx`set local statement_timeout = 10`;
        await tx`select pg_sleep(1)`;
      }),
    );
    expect(classifyDbError(err, "sleeping").retryable).toBe(true);
  });

  test("connection failures are retryable; typed errors pass through", () => {
    expect(
      classifyDbError(Object.assign(new Error("closed"), { code: "CONNECTION_CLOSED" }), "x").retryable,
    ).toBe(true);
    expect(
      classifyDbError(Object.assign(new Error("refused"), { code: "ECONNREFUSED" }), "x").retryable,
    ).toBe(true);
    const parse = new ParseError("bad timestamp");
    expect(classifyDbError(parse, "x")).toBe(parse);
  });
});
