/**
 * The firing rules PostgreSQL enforces for every replica at once: a rule fires only while armed and
 * out of its cooldown (the firing stored and the rule disarmed in one transaction), re-arms when its
 * condition clears, and a re-armed rule still waits out its cooldown.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { AlertFiring } from "@tickerplant/core";
import type postgres from "postgres";
import {
  deleteAlert,
  ensureTimescale,
  fireAlert,
  getAlert,
  insertAlert,
  listDeliveries,
  listFirings,
  rearmAlert,
  runMigrations,
} from "../src/index.ts";
import { connect, uniqueExchange } from "./helpers.ts";

let sql: postgres.Sql;
const ex = uniqueExchange("alt");
const ids: string[] = [];

beforeAll(async () => {
  sql = connect();
  await ensureTimescale(sql);
  await runMigrations(sql);
});

afterAll(async () => {
  for (const id of ids) await deleteAlert(sql, id);
  await sql.end();
});

function firing(alertId: string, value: number): AlertFiring {
  return {
    type: "alert",
    id: crypto.randomUUID(),
    alertId,
    exchange: ex,
    market: "BTC-USDT",
    kind: "price_above",
    threshold: 100,
    value,
    detail: `price ${value} above 100`,
    ts: Date.now(),
  };
}

async function rule(cooldown: number, webhook: string | null = null): Promise<string> {
  const a = await insertAlert(sql, {
    exchange: ex,
    market: "BTC-USDT",
    kind: "price_above",
    threshold: 100,
    window: null,
    cooldown,
    webhook,
    secret: webhook ? "s3cret-s3cret-s3cret" : null,
  });
  ids.push(a.id);
  return a.id;
}

test("one crossing fires once: a second attempt (another replica, a re-evaluation) stores nothing", async () => {
  const id = await rule(0, "http://127.0.0.1:9/never-called");
  const [a, b] = await Promise.all([
    fireAlert(sql, firing(id, 101), "http://127.0.0.1:9/never-called"),
    fireAlert(sql, firing(id, 101), "http://127.0.0.1:9/never-called"),
  ]);
  expect([a, b].sort()).toEqual([false, true]);
  expect(await listFirings(sql, id)).toHaveLength(1);
  expect(await listDeliveries(sql, { alertId: id })).toHaveLength(1); // and one webhook delivery
  expect((await getAlert(sql, id))!.armed).toBe(false);
  expect(await fireAlert(sql, firing(id, 102), null)).toBe(false); // still disarmed
  // The condition cleared: re-armed (once), and the next crossing fires.
  expect(await rearmAlert(sql, id)).toBe(true);
  expect(await rearmAlert(sql, id)).toBe(false);
  expect(await fireAlert(sql, firing(id, 103), null)).toBe(true);
  expect((await listFirings(sql, id)).map((f) => f.value)).toEqual([103, 101]);
});

test("a re-armed rule does not fire again within its cooldown, and does after it", async () => {
  const id = await rule(2);
  expect(await fireAlert(sql, firing(id, 101), null)).toBe(true);
  expect(await rearmAlert(sql, id)).toBe(true);
  expect(await fireAlert(sql, firing(id, 101.5), null)).toBe(false); // inside the 2 s cooldown
  expect((await getAlert(sql, id))!.armed).toBe(true); // refused, not disarmed
  await Bun.sleep(2100);
  expect(await fireAlert(sql, firing(id, 102), null)).toBe(true);
  expect(await listFirings(sql, id)).toHaveLength(2);
});

test("a deleted rule never fires; its firings stay on record", async () => {
  const id = await rule(0);
  expect(await fireAlert(sql, firing(id, 101), null)).toBe(true);
  expect(await deleteAlert(sql, id)).toBe(true);
  expect(await rearmAlert(sql, id)).toBe(false);
  expect(await fireAlert(sql, firing(id, 105), null)).toBe(false);
  expect(await listFirings(sql, id)).toHaveLength(1);
});
