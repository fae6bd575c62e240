import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Candle } from "@tickerplant/core";
import type postgres from "postgres";
import {
  bucketRanges,
  bucketStart,
  dropExpiredChunks,
  ensureTimescale,
  HISTORY_INTERVALS,
  insertTrades,
  intervalWidthMs,
  ROLLUP_LEVELS,
  refreshCandleRollups,
  rollupMode,
  runMigrations,
  selectCandles,
  upsertCandles,
} from "../src/index.ts";
import { connect, deleteExchangeRows, uniqueExchange } from "./helpers.ts";

/**
 * Rolled-up candles are checked against a brute-force computation from the same 1m candles, on
 * the server's build (the Apache build here: candle_rollups refreshed incrementally).
 */
let sql: postgres.Sql;
const ex = uniqueExchange("rol");
const MARKET = "BTC-USDT";
// Saturday 2024-06-01 21:00 UTC: nine days of 1m candles cross two week boundaries (Mondays).
const START = Date.UTC(2024, 5, 1, 21, 0);
const MINUTES = 9 * 1440 + 17;

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function makeCandles(): Candle[] {
  const r = rng(7);
  const out: Candle[] = [];
  let price = 60_000;
  for (let i = 0; i < MINUTES; i++) {
    if (i % 997 === 500) continue; // holes: a bucket with fewer base candles
    const openTime = START + i * 60_000;
    const open = price;
    const close = open + (r() - 0.5) * 50;
    price = close;
    out.push({
      type: "candle",
      exchange: ex,
      market: MARKET,
      symbol: "BTCUSDT",
      ts: openTime + 59_999,
      recvTs: openTime + 60_000,
      interval: "1m",
      openTime,
      closeTime: openTime + 59_999,
      open,
      high: Math.max(open, close) + r() * 10,
      low: Math.min(open, close) - r() * 10,
      close,
      volume: r() * 3,
      // Some minutes the exchange did not say: their buckets must roll up to null, not a partial sum.
      quoteVolume: i % 1500 === 42 ? null : r() * 180_000,
      trades: i % 2100 === 77 ? null : Math.floor(r() * 100),
      closed: i !== MINUTES - 1,
      simulated: true,
    });
  }
  return out;
}

interface Expected {
  openTime: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  quoteVolume: number | null;
  trades: number | null;
  baseCandles: number;
  baseClosed: boolean;
}

/** The definition, computed from scratch. */
function bruteForce(candles: Candle[], widthMs: number): Expected[] {
  const groups = new Map<number, Candle[]>();
  for (const c of candles) {
    const b = bucketStart(c.openTime, widthMs);
    const g = groups.get(b) ?? [];
    g.push(c);
    groups.set(b, g);
  }
  return [...groups.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([openTime, g]) => {
      g.sort((a, b) => a.openTime - b.openTime);
      const sum = (f: (c: Candle) => number | null) =>
        g.some((c) => f(c) === null) ? null : g.reduce((s, c) => s + (f(c) as number), 0);
      return {
        openTime,
        open: g[0]!.open,
        high: Math.max(...g.map((c) => c.high)),
        low: Math.min(...g.map((c) => c.low)),
        close: g[g.length - 1]!.close,
        volume: g.reduce((s, c) => s + c.volume, 0),
        quoteVolume: sum((c) => c.quoteVolume),
        trades: sum((c) => c.trades),
        baseCandles: g.length,
        baseClosed: g.every((c) => c.closed),
      };
    });
}

async function viewRows(interval: string): Promise<Expected[]> {
  const rows = await sql<Expected[]>`
    select (extract(epoch from open_time) * 1000)::float8 as "openTime", open, high, low, close, volume,
           quote_volume as "quoteVolume", trades::float8 as trades, base_candles as "baseCandles",
           base_closed as "baseClosed"
    from ${sql(`candles_${interval}`)}
    where exchange = ${ex} and market = ${MARKET}
    order by open_time`;
  return [...rows];
}

function expectClose(actual: Expected[], expected: Expected[]): void {
  expect(actual.map((r) => r.openTime)).toEqual(expected.map((r) => r.openTime));
  for (const [i, e] of expected.entries()) {
    const a = actual[i]!;
    expect(a.open).toBe(e.open);
    expect(a.high).toBe(e.high);
    expect(a.low).toBe(e.low);
    expect(a.close).toBe(e.close);
    expect(a.volume).toBeCloseTo(e.volume, 6);
    if (e.quoteVolume === null) expect(a.quoteVolume).toBeNull();
    else expect(a.quoteVolume).toBeCloseTo(e.quoteVolume, 3);
    expect(a.trades).toBe(e.trades);
    expect(a.baseCandles).toBe(e.baseCandles);
    expect(a.baseClosed).toBe(e.baseClosed);
  }
}

let candles: Candle[];

beforeAll(async () => {
  sql = connect();
  await ensureTimescale(sql);
  await runMigrations(sql);
  candles = makeCandles();
  for (let i = 0; i < candles.length; i += 2000) await upsertCandles(sql, candles.slice(i, i + 2000));
});

afterAll(async () => {
  await deleteExchangeRows(sql, ex);
  if ((await rollupMode(sql)) === "rollup-table")
    await sql`delete from candle_rollups where exchange = ${ex}`;
  await sql.end();
});

describe("bucket arithmetic", () => {
  test("weeks start on Monday 00:00 UTC like time_bucket", async () => {
    const t = Date.UTC(2024, 5, 5, 13, 7); // a Wednesday
    expect(bucketStart(t, 604_800_000)).toBe(Date.UTC(2024, 5, 3));
    const [row] = await sql<{ b: number }[]>`
      select (extract(epoch from time_bucket('7 days', '2024-06-05T13:07:00Z'::timestamptz)) * 1000)::float8 as b`;
    expect(row!.b).toBe(Date.UTC(2024, 5, 3));
  });

  test("ranges widen to whole buckets and overlapping ones merge per market", () => {
    const day = 86_400_000;
    const d0 = Date.UTC(2024, 5, 4);
    const r = bucketRanges(
      [
        { exchange: "a", market: "X", from: d0, to: d0 + day },
        { exchange: "a", market: "X", from: d0 + 2 * day, to: d0 + 3 * day },
        { exchange: "b", market: "X", from: d0, to: d0 + day },
      ],
      604_800_000,
    );
    expect(r).toEqual([
      { exchange: "a", market: "X", from: Date.UTC(2024, 5, 3), to: Date.UTC(2024, 5, 10) },
      { exchange: "b", market: "X", from: Date.UTC(2024, 5, 3), to: Date.UTC(2024, 5, 10) },
    ]);
  });
});

describe("candle rollups", () => {
  test("every interval equals a brute-force rollup of the 1m candles", async () => {
    const refresh = await refreshCandleRollups(sql);
    if ((await rollupMode(sql)) === "rollup-table") expect(refresh.ran).toBe(true);
    for (const level of ROLLUP_LEVELS) {
      expectClose(await viewRows(level.interval), bruteForce(candles, level.widthMs));
    }
    const oneMinute = await viewRows("1m");
    expect(oneMinute.length).toBe(candles.length);
  });

  test("a refresh after late and corrected 1m candles updates exactly the affected buckets", async () => {
    // A correction in the middle of the first week, and a new closed minute at the end.
    const i = 2000;
    const fixed = { ...candles[i]!, high: candles[i]!.high + 1000, ts: candles[i]!.ts + 1 };
    const lastOpen = candles[candles.length - 1]!;
    const closedLast = { ...lastOpen, closed: true, close: lastOpen.close + 5, ts: lastOpen.ts + 1 };
    const next: Candle = {
      ...closedLast,
      openTime: closedLast.openTime + 60_000,
      closeTime: closedLast.closeTime + 60_000,
      ts: closedLast.ts + 60_000,
      recvTs: closedLast.recvTs + 60_000,
      closed: true,
    };
    await upsertCandles(sql, [fixed, closedLast, next]);
    candles[i] = fixed;
    candles[candles.length - 1] = closedLast;
    candles.push(next);
    const refresh = await refreshCandleRollups(sql);
    if (refresh.ran) {
      // Only this test's days (and any other test's recent writes) were recomputed, not everything.
      expect(refresh.rows["1w"]).toBeGreaterThanOrEqual(2);
    }
    for (const level of ROLLUP_LEVELS) {
      expectClose(await viewRows(level.interval), bruteForce(candles, level.widthMs));
    }
  });

  test("selectCandles serves every history interval from the rollups", async () => {
    for (const interval of HISTORY_INTERVALS) {
      const width = intervalWidthMs(interval);
      const got = await selectCandles(sql, {
        exchange: ex,
        market: MARKET,
        interval,
        from: START,
        limit: 1000,
      });
      const expected = bruteForce(candles, width)
        .filter((e) => e.openTime >= START)
        .slice(0, 1000);
      expect(got.map((c) => c.openTime)).toEqual(expected.map((e) => e.openTime));
      expect(got[0]).toMatchObject({
        type: "candle",
        interval,
        exchange: ex,
        market: MARKET,
        open: expected[0]!.open,
        high: expected[0]!.high,
        closeTime: expected[0]!.openTime + width - 1,
        closed: true,
      });
      // Latest N without a start: newest last.
      const latest = await selectCandles(sql, { exchange: ex, market: MARKET, interval, limit: 2 });
      expect(latest.map((c) => c.openTime)).toEqual(expected.length >= 2 ? bruteForceTail(width) : []);
    }
  });

  test("the exchange's own candles of an interval win over the rollup", async () => {
    const openTime = bucketStart(START + 86_400_000, 300_000);
    const own: Candle = {
      ...candles[0]!,
      interval: "5m",
      openTime,
      closeTime: openTime + 299_999,
      high: 1e9,
      closed: true,
    };
    await upsertCandles(sql, [own]);
    const got = await selectCandles(sql, {
      exchange: ex,
      market: MARKET,
      interval: "5m",
      from: openTime,
      limit: 2,
    });
    expect(got[0]).toMatchObject({ openTime, high: 1e9, closeTime: openTime + 299_999 });
    expect(got[1]!.openTime).toBe(openTime + 300_000);
    expect(got[1]!.high).toBeLessThan(1e9);
  });
});

function bruteForceTail(width: number): number[] {
  return bruteForce(candles, width)
    .slice(-2)
    .map((e) => e.openTime);
}

describe("retention without the license", () => {
  test("drop_chunks removes chunks wholly older than the retention, keeps newer rows", async () => {
    const old = Date.UTC(1990, 0, 1);
    const base = {
      type: "trade" as const,
      exchange: ex,
      market: MARKET,
      symbol: "BTCUSDT",
      side: "buy" as const,
    };
    await insertTrades(sql, [
      { ...base, id: "old", ts: old, recvTs: old, price: 1, amount: 1 },
      { ...base, id: "new", ts: START, recvTs: START, price: 1, amount: 1 },
    ]);
    // 30 years: only chunks before 1996 go, whatever other tests keep.
    const days = 365 * 30;
    const dropped = await dropExpiredChunks(sql, {
      trades: days,
      candles: 0,
      tickers: 0,
      book_snapshots: 0,
      derivs: 0,
      liquidations: 0,
      status_events: 0,
    });
    expect(dropped.trades).toBeGreaterThanOrEqual(1);
    const ids = await sql<{ trade_id: string }[]>`
      select trade_id from trades where exchange = ${ex} order by trade_id`;
    expect(ids.map((r) => r.trade_id)).toEqual(["new"]);
  });
});
