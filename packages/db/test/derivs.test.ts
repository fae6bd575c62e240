import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Deriv, Liquidation } from "@tickerplant/core";
import type postgres from "postgres";
import {
  ensureTimescale,
  insertDerivs,
  insertLiquidations,
  runMigrations,
  selectDerivs,
  selectLiquidations,
} from "../src/index.ts";
import { connect, uniqueExchange } from "./helpers.ts";

let sql: postgres.Sql;
const ex = uniqueExchange("dbd");
const MKT = "BTC-USDT-PERP";
const T0 = 1_717_000_000_000;

beforeAll(async () => {
  sql = connect();
  await ensureTimescale(sql);
  await runMigrations(sql);
});

afterAll(async () => {
  await sql`delete from derivs where exchange = ${ex}`;
  await sql`delete from liquidations where exchange = ${ex}`;
  await sql.end();
});

const EMPTY = {
  markPrice: null,
  indexPrice: null,
  fundingRate: null,
  nextFundingTime: null,
  openInterest: null,
};

function deriv(ts: number, values: Partial<Deriv>): Deriv {
  return {
    type: "deriv",
    exchange: ex,
    market: MKT,
    symbol: "BTCUSDT",
    ts,
    recvTs: ts + 2.5,
    ...EMPTY,
    simulated: true,
    ...values,
  };
}

function liquidation(i: number, over: Partial<Liquidation> = {}): Liquidation {
  return {
    type: "liquidation",
    exchange: ex,
    market: MKT,
    symbol: "BTCUSDT",
    ts: T0 + i * 1000 + 0.125,
    recvTs: T0 + i * 1000 + 4,
    id: `L${i}`,
    price: 67_000 + i,
    amount: 0.5 * (i + 1),
    side: i % 2 ? "sell" : "buy",
    simulated: false,
    ...over,
  };
}

describe("derivs", () => {
  test("partial messages are stored with their nulls; reads return normalized deriv messages", async () => {
    const mark = deriv(T0, {
      markPrice: 67_001.25,
      indexPrice: 67_000.5,
      fundingRate: 0.0001,
      nextFundingTime: T0 + 3_600_000,
    });
    const oi = deriv(T0 + 500.75, { openInterest: 12_345.678 });
    expect(await insertDerivs(sql, [mark, oi])).toBe(2);
    expect(await insertDerivs(sql, [mark, oi])).toBe(0); // replay: nothing changes
    expect(await selectDerivs(sql, { exchange: ex, market: MKT, order: "asc" })).toEqual([mark, oi]);
    expect(await selectDerivs(sql, { exchange: ex, market: MKT, limit: 1 })).toEqual([oi]);
    expect(await insertDerivs(sql, [])).toBe(0);
  });

  test("messages with the same exchange time fill each other's missing values, never overwrite", async () => {
    const ts = T0 + 10_000;
    const mark = deriv(ts, { markPrice: 100, fundingRate: 0.0002 });
    const oi = deriv(ts, { openInterest: 55 });
    // Across batches: the second message fills open interest.
    expect(await insertDerivs(sql, [mark])).toBe(1);
    expect(await insertDerivs(sql, [oi])).toBe(1);
    // A later message for the same time with another mark price does not overwrite.
    expect(await insertDerivs(sql, [deriv(ts, { markPrice: 999 })])).toBe(0);
    const [row] = await selectDerivs(sql, { exchange: ex, market: MKT, from: ts, to: ts });
    expect(row).toEqual(deriv(ts, { markPrice: 100, fundingRate: 0.0002, openInterest: 55 }));

    // Within one batch.
    const ts2 = T0 + 20_000;
    const batch = [deriv(ts2, { indexPrice: 7 }), deriv(ts2, { openInterest: 8, indexPrice: 9 })];
    expect(await insertDerivs(sql, batch)).toBe(1);
    const [row2] = await selectDerivs(sql, { exchange: ex, market: MKT, from: ts2, to: ts2 });
    expect(row2).toEqual(deriv(ts2, { indexPrice: 7, openInterest: 8 }));
  });
});

describe("liquidations", () => {
  test("stored once (duplicates across and within batches skipped); windows and order", async () => {
    const batch = [0, 1, 2, 3].map((i) => liquidation(i));
    expect(await insertLiquidations(sql, batch)).toBe(4);
    expect(await insertLiquidations(sql, [batch[3]!, liquidation(4), liquidation(4)])).toBe(1);
    expect(await insertLiquidations(sql, [])).toBe(0);
    const all = await selectLiquidations(sql, { exchange: ex, market: MKT, order: "asc" });
    expect(all).toEqual([...batch, liquidation(4)]);
    const newest = await selectLiquidations(sql, { exchange: ex, market: MKT, limit: 2 });
    expect(newest.map((l) => l.id)).toEqual(["L4", "L3"]);
    const window = await selectLiquidations(sql, {
      exchange: ex,
      market: MKT,
      from: T0 + 1000,
      to: T0 + 3000,
      order: "asc",
    });
    expect(window.map((l) => l.id)).toEqual(["L1", "L2"]);
    expect(await selectLiquidations(sql, { exchange: ex, market: "ETH-USDT-PERP" })).toEqual([]);
  });
});
