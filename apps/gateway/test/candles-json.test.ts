import { afterAll, beforeAll, expect, test } from "bun:test";
import { TypeCompiler } from "@sinclair/typebox/compiler";
import { type Candle, CandleSchema } from "@tickerplant/core";
import {
  type CandleRowText,
  prepareDatabase,
  selectCandleRowText,
  selectCandles,
  upsertCandles,
} from "@tickerplant/db";
import { createLogger, createSql, type Sql } from "@tickerplant/runtime";
import { candlesBody } from "../src/candles-json.ts";
import { TEST_DATABASE_URL, uniqueExchange } from "./helpers.ts";

let sql: Sql;
const ex = uniqueExchange();
const MARKET = "BTC-USDT";
const T0 = Date.parse("2024-05-01T00:00:00Z");
const isCandle = TypeCompiler.Compile(CandleSchema);

// Values whose text PostgreSQL and JavaScript write differently, next to plain ones.
const odd: Array<Partial<Candle>> = [
  { open: 1e-7, high: 1.5e21, low: 0.000123, close: -0, volume: 123456789012345680000 },
  { open: 0.1 + 0.2, quoteVolume: null, trades: null, symbol: "" },
  { open: 5e-324, high: 1.7976931348623157e308, low: 1e15, close: 999999999999999.9 },
  { symbol: 'BTC"USDT\\', simulated: true, closed: false, ts: T0 + 0.001 },
];

beforeAll(async () => {
  sql = createSql(TEST_DATABASE_URL, { max: 2, name: "candles-json-test" });
  await prepareDatabase(sql, createLogger({ service: "test", level: "warn" }));
  await upsertCandles(
    sql,
    odd.map((o, i) => ({
      type: "candle",
      exchange: ex,
      market: MARKET,
      symbol: "BTCUSDT",
      interval: "1m",
      openTime: T0 + i * 60_000,
      closeTime: T0 + i * 60_000 + 59_999,
      open: 1,
      high: 2,
      low: 0.5,
      close: 1.5,
      volume: 10,
      quoteVolume: 15.25,
      trades: 7,
      closed: true,
      ts: T0 + i * 60_000 + 59_999.123,
      recvTs: T0 + i * 60_000 + 60_000,
      ...o,
    })),
  );
});

afterAll(async () => {
  await sql`delete from candles where exchange = ${ex}`;
  await sql.end();
});

test("the body is what JSON.stringify makes of the checked candles, in the schema's key order", async () => {
  const q = { exchange: ex, market: MARKET, interval: "1m" as const };
  for (const range of [{ from: T0 }, {}]) {
    const candles = await selectCandles(sql, { ...q, ...range });
    const withSymbol = candles.map((c) => ({ ...c, symbol: c.symbol || "BTCUSDT" }));
    expect(withSymbol).toHaveLength(odd.length);
    for (const c of withSymbol) expect(isCandle.Check(c)).toBe(true);
    const body = candlesBody(await selectCandleRowText(sql, { ...q, ...range }), q, () => "BTCUSDT");
    expect(new TextDecoder().decode(body)).toBe(JSON.stringify({ data: withSymbol }));
  }
  expect(new TextDecoder().decode(candlesBody([], q, () => ""))).toBe('{"data":[]}');
});

test("a value no JSON number holds fails the request, as the response check did", () => {
  const q = { exchange: ex, market: MARKET, interval: "1m" as const };
  const row = (values: string): CandleRowText => [Buffer.from("X"), Buffer.from(values), Buffer.from("t")];
  const good = "1,2,f,3,4,5,6,7,8,9,,,t";
  expect(() => candlesBody([row(good)], q, () => "")).not.toThrow();
  for (const bad of ["NaN", "Infinity", "-Infinity"])
    expect(() => candlesBody([row(good.replace("6", bad))], q, () => "")).toThrow(/stored candle/);
  // ts is not nullable; a row of too few or too many values is not a candle
  for (const bad of [`,${good.slice(2)}`, good.slice(0, -2), `${good},t`])
    expect(() => candlesBody([row(bad)], q, () => "")).toThrow(/stored candle/);
});

test("numbers JavaScript writes longer than PostgreSQL (1e+15 … 1e+20) fit the body", () => {
  const q = { exchange: ex, market: MARKET, interval: "1m" as const };
  const values = "1e+20,1e+20,f,1e+20,1e+20,1e+20,1e+20,1e+20,1e+20,1e+20,1e+20,1e+20,t";
  const rows = Array.from(
    { length: 3 },
    (): CandleRowText => [Buffer.from(""), Buffer.from(values), Buffer.from("t")],
  );
  const body = JSON.parse(new TextDecoder().decode(candlesBody(rows, q, () => "S")));
  expect(body.data).toHaveLength(3);
  expect(body.data[2]).toMatchObject({ symbol: "S", ts: 1e20, trades: 1e20, closed: true, simulated: false });
});
