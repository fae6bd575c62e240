import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { once } from "node:events";
import type { Candle, Status, Ticker, Trade } from "@tickerplant/core";
import type postgres from "postgres";
import {
  CANDLE_TEXT_LISTED,
  copyTradesIfNew,
  ensureTimescale,
  epochMsSql,
  insertNewTrades,
  insertStatusEvents,
  insertTickers,
  insertTrades,
  listExchangesWithData,
  msToTimestamptz,
  type Queryable,
  runMigrations,
  selectCandleRows,
  selectCandleRowText,
  selectCandles,
  selectMarkets,
  selectStatusEvents,
  selectTrades,
  tradeCopyLine,
  upsertCandles,
  upsertMarkets,
} from "../src/index.ts";
import { connect, deleteExchangeRows, uniqueExchange } from "./helpers.ts";

let sql: postgres.Sql;
const ex = uniqueExchange();
const T0 = 1_717_000_000_000; // 2024-05-29T16:26:40Z

beforeAll(async () => {
  sql = connect();
  await ensureTimescale(sql);
  await runMigrations(sql);
});

afterAll(async () => {
  await deleteExchangeRows(sql, ex);
  await sql.end();
});

function trade(i: number, over: Partial<Trade> = {}): Trade {
  return {
    type: "trade",
    exchange: ex,
    market: "BTC-USDT",
    symbol: "BTCUSDT",
    ts: T0 + i * 1000 + 0.123,
    recvTs: T0 + i * 1000 + 5.456,
    id: `t${i}`,
    price: 67000.5 + i,
    amount: 0.001 * (i + 1),
    side: i % 2 ? "sell" : "buy",
    simulated: true,
    ...over,
  };
}

function candle(over: Partial<Candle>): Candle {
  return {
    type: "candle",
    exchange: ex,
    market: "ETH-USDT",
    symbol: "ETHUSDT",
    ts: T0 + 30_000,
    recvTs: T0 + 30_001,
    interval: "1m",
    openTime: T0,
    closeTime: T0 + 59_999,
    open: 3000,
    high: 3010,
    low: 2990,
    close: 3005,
    volume: 12.5,
    quoteVolume: 37_500,
    trades: 42,
    closed: false,
    simulated: false,
    ...over,
  };
}

describe("time conversion", () => {
  test("epoch ms with microseconds → exact timestamptz text", () => {
    expect(msToTimestamptz(1_717_000_000_123.456)).toBe("2024-05-29T16:26:40.123456Z");
    expect(msToTimestamptz(0)).toBe("1970-01-01T00:00:00.000000Z");
    expect(msToTimestamptz(1_717_000_000_000.001)).toBe("2024-05-29T16:26:40.000001Z");
    expect(() => msToTimestamptz(Number.NaN)).toThrow();
  });

  test("times in and out of order, across seconds and before 1970, match toISOString", () => {
    // msToTimestamptz remembers the last second's text: the order of calls must not matter.
    const reference = (ms: number) => {
      const us = Math.round(ms * 1000);
      const s = Math.floor(us / 1e6);
      return `${new Date(s * 1000).toISOString().slice(0, -5)}.${String(us - s * 1e6).padStart(6, "0")}Z`;
    };
    let x = 1;
    const random = () => {
      x = (x * 48271) % 2147483647;
      return x / 2147483647;
    };
    const times = [-1.5, -0.0005, 0, 0.0005, 999.9995, 8.64e15, -8.64e15];
    for (let i = 0; i < 5000; i++)
      times.push(T0 + (random() - 0.5) * 4000, T0 + random() * 1e6 - 5e5 + 0.001);
    for (const ms of times) expect(msToTimestamptz(ms)).toBe(reference(ms));
  });

  test("microseconds survive the round trip through the database", async () => {
    const times = [1_717_000_000_123.456, 1_717_000_000_000.001, 1_717_000_000_999.999, 1_600_000_000_000.5];
    const trades = times.map((ts, i) => trade(100 + i, { ts, recvTs: ts + 0.001, market: "US-USDT" }));
    expect(await insertTrades(sql, trades)).toBe(times.length);
    const [row] = await sql<{ t: string }[]>`
      select time::text as t from trades where exchange = ${ex} and trade_id = 't100'`;
    expect(row?.t).toBe("2024-05-29 16:26:40.123456+00");
    const back = await selectTrades(sql, { exchange: ex, market: "US-USDT", order: "asc" });
    expect(back.map((t) => t.ts)).toEqual([...times].sort((a, b) => a - b));
    expect(back.map((t) => t.recvTs)).toEqual([...times].sort((a, b) => a - b).map((t) => t + 0.001));
  });

  test("epochMsSql is the exact extract's float8: random microseconds 4713 BC–294276 AD, the span's edges", async () => {
    const exact = "(extract(epoch from t) * 1000)::float8";
    const [row] = await sql.unsafe<{ n: string; differ: string | null }[]>(`
      with times(t) as (
        select to_timestamp(0) + (random() * 9.2e12 - 2.1e11) * interval '1 second'
                               + (random() * 1e6)::int * interval '1 microsecond'
        from generate_series(1, 20000)
        union all
        select to_timestamp(0) + (random() * 8.6e9 - 4.3e9) * interval '1 second'
                               + (random() * 1e6)::int * interval '1 microsecond'
        from generate_series(1, 50000)
        union all
        select e + d * interval '1 microsecond'
        from unnest(array['1833-11-24 17:31:44+00', '2106-02-07 06:28:16+00', '1970-01-01+00',
                          '2038-01-19 03:14:08+00']::timestamptz[]) e, generate_series(-1001, 1001) d)
      select count(*)::text as n,
             min(t::text || ' ' || ${exact}::text || ' ' || (${epochMsSql("t")})::text)
               filter (where ${exact} is distinct from ${epochMsSql("t")}) as differ
      from times`);
    expect(row).toEqual({ n: String(20000 + 50000 + 4 * 2003), differ: null });
  });
});

describe("trades", () => {
  test("duplicates (across and within batches) are ignored; reads return normalized trades", async () => {
    const batch = [0, 1, 2, 3, 4].map((i) => trade(i));
    expect(await insertTrades(sql, batch)).toBe(5);
    expect(await insertTrades(sql, batch)).toBe(0);
    expect(await insertTrades(sql, [trade(4), trade(5), trade(5)])).toBe(1);
    expect(await insertTrades(sql, [])).toBe(0);

    const newest = await selectTrades(sql, { exchange: ex, market: "BTC-USDT", limit: 2 });
    expect(newest).toEqual([trade(5), trade(4)]);
    const oldest = await selectTrades(sql, { exchange: ex, market: "BTC-USDT", order: "asc", limit: 2 });
    expect(oldest.map((t) => t.id)).toEqual(["t0", "t1"]);
    const range = await selectTrades(sql, {
      exchange: ex,
      market: "BTC-USDT",
      from: trade(1).ts,
      to: trade(3).ts,
      order: "asc",
    });
    expect(range.map((t) => t.id)).toEqual(["t1", "t2", "t3"]);
  });

  test("the raw contract size is stored where the exchange trades in contracts, else null", async () => {
    const market = "BTC-USDT-PERP";
    await insertTrades(sql, [trade(20, { market, amount: 0.03, contracts: 3 }), trade(21, { market })]);
    const rows = await sql<{ trade_id: string; amount: number; contracts: number | null }[]>`
      select trade_id, amount, contracts from trades where exchange = ${ex} and market = ${market} order by trade_id`;
    expect([...rows]).toEqual([
      { trade_id: "t20", amount: 0.03, contracts: 3 },
      { trade_id: "t21", amount: 0.022, contracts: null },
    ]);
  });
});

describe("copyTradesIfNew (COPY straight into trades)", () => {
  const copy = async (q: Queryable, statement: string, text: string) => {
    const writable = await q.unsafe(statement).writable();
    writable.end(text);
    await once(writable, "finish");
  };
  const market = "COPY-USDT";
  const ids = async () =>
    (
      await sql<{ trade_id: string }[]>`
        select trade_id from trades where exchange = ${ex} and market = ${market} order by time`
    ).map((r) => r.trade_id);
  const lines = (is: number[]) => is.map((i) => tradeCopyLine(trade(i, { market }))).join("");

  test("stores a batch of new trades; a batch with a stored or repeated trade is rejected whole", async () => {
    expect(await copyTradesIfNew(sql, lines([30, 31]), copy)).toBe(true);
    // 31 is stored: nothing of this batch stays (32 neither), and the connection goes on.
    expect(await copyTradesIfNew(sql, lines([32, 31]), copy)).toBe(false);
    expect(await copyTradesIfNew(sql, lines([33, 34, 33]), copy)).toBe(false);
    expect(await ids()).toEqual(["t30", "t31"]);
    expect(await copyTradesIfNew(sql, lines([35]), copy)).toBe(true);
    expect(await ids()).toEqual(["t30", "t31", "t35"]);
    expect((await selectTrades(sql, { exchange: ex, market, order: "asc", limit: 1 }))[0]).toEqual(
      trade(30, { market }),
    );
  });

  test("any other rejection is thrown", async () => {
    await expect(copyTradesIfNew(sql, "not\ta\trow\n", copy)).rejects.toMatchObject({ code: "22007" });
    expect(await copyTradesIfNew(sql, lines([36]), copy)).toBe(true);
  });
});

describe("candles", () => {
  test("a closed candle replaces the open one; a later open update does not overwrite it", async () => {
    const open = candle({ closed: false, close: 3005, ts: T0 + 30_000 });
    const closed = candle({ closed: true, close: 3007, volume: 20, ts: T0 + 60_000, recvTs: T0 + 60_002 });
    expect(await upsertCandles(sql, [open])).toBe(1);
    expect(await upsertCandles(sql, [closed])).toBe(1);
    expect(await upsertCandles(sql, [open])).toBe(0);
    const rows = await selectCandles(sql, { exchange: ex, market: "ETH-USDT", interval: "1m" });
    expect(rows).toEqual([closed]);
  });

  test("the text rows' last column says whether the market is listed (or the exchange has no list)", async () => {
    const own = uniqueExchange();
    const q = { exchange: own, market: "ETH-USDT", interval: "1m" as const };
    const listed = async () =>
      (await selectCandleRowText(sql, q)).map((r) => r[CANDLE_TEXT_LISTED]?.toString());
    const market = (name: string) => ({
      exchange: own,
      market: name,
      symbol: name.replace("-", ""),
      base: name.split("-")[0]!,
      quote: "USDT",
      type: "spot" as const,
      status: "trading" as const,
      tickSize: null,
      lotSize: null,
      minNotional: null,
      simulated: true,
    });
    try {
      await upsertCandles(sql, [candle({ exchange: own }), candle({ exchange: own, openTime: T0 + 60_000 })]);
      expect(await listed()).toEqual(["t", "t"]); // no market list: nothing is unknown
      await upsertMarkets(sql, [market("BTC-USDT")]);
      expect(await listed()).toEqual(["f", "f"]);
      await upsertMarkets(sql, [market("ETH-USDT")]);
      expect(await listed()).toEqual(["t", "t"]);
      expect((await selectCandleRows(sql, q)).map((r) => r.length)).toEqual([14, 14]);
    } finally {
      await deleteExchangeRows(sql, own);
    }
  });

  test("a final candle is not replaced by an older closed one arriving later (a provisional close)", async () => {
    const openTime = T0 + 180_000;
    const closeTime = openTime + 59_999;
    const at = { market: "SOL-USDT", symbol: "SOLUSDT", openTime, closeTime, closed: true };
    const provisional = candle({ ...at, close: 4, volume: 9, ts: closeTime - 400 });
    const final = candle({ ...at, close: 5, volume: 10, ts: closeTime });
    expect(await upsertCandles(sql, [final])).toBe(1);
    expect(await upsertCandles(sql, [provisional])).toBe(0);
    // in one batch too, in either order
    expect(await upsertCandles(sql, [final, provisional])).toBe(1);
    expect(await upsertCandles(sql, [provisional, final])).toBe(1);
    const rows = await selectCandles(sql, {
      exchange: ex,
      market: "SOL-USDT",
      interval: "1m",
      from: openTime,
    });
    expect(rows).toEqual([final]);
  });

  test("closed first, open redelivered afterwards: the closed candle stays", async () => {
    const openTime = T0 + 60_000;
    const open = candle({
      openTime,
      closeTime: openTime + 59_999,
      closed: false,
      close: 1,
      ts: openTime + 1,
    });
    const closed = candle({
      openTime,
      closeTime: openTime + 59_999,
      closed: true,
      close: 2,
      ts: openTime + 60_000,
    });
    expect(await upsertCandles(sql, [closed])).toBe(1);
    expect(await upsertCandles(sql, [open])).toBe(0);
    const rows = await selectCandles(sql, {
      exchange: ex,
      market: "ETH-USDT",
      interval: "1m",
      from: openTime,
    });
    expect(rows).toEqual([closed]);
  });

  test("open updates replace older open updates only; a batch is deduplicated by the same rule", async () => {
    const openTime = T0 + 120_000;
    const at = (ts: number, closed: boolean, close: number) =>
      candle({ openTime, closeTime: openTime + 59_999, ts, closed, close });
    expect(await upsertCandles(sql, [at(openTime + 10, false, 1)])).toBe(1);
    expect(await upsertCandles(sql, [at(openTime + 5, false, 0.5)])).toBe(0); // older
    expect(await upsertCandles(sql, [at(openTime + 20, false, 2)])).toBe(1);
    // In one batch: open, closed, then a stale open: the closed one wins.
    expect(
      await upsertCandles(sql, [
        at(openTime + 30, false, 3),
        at(openTime + 60_000, true, 4),
        at(openTime + 40, false, 5),
      ]),
    ).toBe(1);
    const [row] = await selectCandles(sql, {
      exchange: ex,
      market: "ETH-USDT",
      interval: "1m",
      from: openTime,
      limit: 1,
    });
    expect(row).toEqual(at(openTime + 60_000, true, 4));
  });

  test("without `from`, the last `limit` candles are returned oldest first", async () => {
    const cs = [0, 1, 2, 3].map((i) =>
      candle({
        market: "SOL-USDT",
        interval: "5m",
        openTime: T0 + i * 300_000,
        closeTime: T0 + i * 300_000 + 299_999,
        closed: true,
      }),
    );
    expect(await upsertCandles(sql, cs)).toBe(4);
    const last2 = await selectCandles(sql, { exchange: ex, market: "SOL-USDT", interval: "5m", limit: 2 });
    expect(last2.map((c) => c.openTime)).toEqual([T0 + 600_000, T0 + 900_000]);
    const before = await selectCandles(sql, {
      exchange: ex,
      market: "SOL-USDT",
      interval: "5m",
      to: T0 + 300_000,
    });
    expect(before.map((c) => c.openTime)).toEqual([T0, T0 + 300_000]);
  });
});

describe("tickers, status, markets", () => {
  const ticker = (ts: number, last: number): Ticker => ({
    type: "ticker",
    exchange: ex,
    market: "BTC-USDT",
    symbol: "BTCUSDT",
    ts,
    recvTs: ts + 1,
    last,
    open: 1,
    high: 2,
    low: 0.5,
    volume: 10,
    quoteVolume: 20,
    change: 0.5,
    changePct: 50,
    bid: null,
    ask: 1.6,
  });

  test("ticker rows: duplicates skipped, and at most one per sample bucket and market", async () => {
    expect(await insertTickers(sql, [ticker(T0, 1), ticker(T0, 1)])).toBe(1);
    // Same 60 s bucket as T0 (T0 is minute-aligned) → skipped with sampling, kept without.
    expect(await insertTickers(sql, [ticker(T0 + 10_000, 2)], { sampleMs: 60_000 })).toBe(0);
    expect(await insertTickers(sql, [ticker(T0 + 60_000, 3)], { sampleMs: 60_000 })).toBe(1);
    expect(await insertTickers(sql, [ticker(T0 + 10_000, 2)])).toBe(1);
    const rows = await sql`select last, bid, ask from tickers where exchange = ${ex} order by time`;
    expect(rows.map((r) => r.last)).toEqual([1, 2, 3]);
    expect(rows[0]).toEqual({ last: 1, bid: null, ask: 1.6 });
  });

  test("status events round-trip, connection-wide and with a gap range", async () => {
    const gap: Status = {
      type: "status",
      exchange: ex,
      market: "BTC-USDT",
      symbol: "BTCUSDT",
      ts: T0 + 5000.25,
      recvTs: T0 + 5000.25,
      event: "gap",
      detail: "sequence break",
      channels: ["trade", "book"],
      from: T0,
      to: T0 + 4000,
      fromSeq: 100,
      toSeq: 180,
      simulated: false,
    };
    const down: Status = {
      type: "status",
      exchange: ex,
      market: "*",
      symbol: "",
      ts: T0 + 6000,
      recvTs: T0 + 6000,
      event: "disconnected",
      detail: "socket closed",
      simulated: false,
    };
    expect(await insertStatusEvents(sql, [gap, down, gap])).toBe(2);
    expect(await insertStatusEvents(sql, [gap])).toBe(0);
    expect(await selectStatusEvents(sql, { exchange: ex })).toEqual([down, gap]);
    expect(await selectStatusEvents(sql, { exchange: ex, market: "BTC-USDT" })).toEqual([gap]);
  });

  test("markets upsert and exchanges with data", async () => {
    const m = {
      exchange: ex,
      market: "BTC-USDT",
      symbol: "BTCUSDT",
      base: "BTC",
      quote: "USDT",
      type: "spot" as const,
      status: "trading" as const,
      tickSize: 0.01,
      lotSize: null,
      minNotional: 5,
      simulated: true,
    };
    expect(await upsertMarkets(sql, [m, { ...m, status: "halted" }])).toBe(1);
    expect(await upsertMarkets(sql, [{ ...m, tickSize: 0.1 }])).toBe(1);
    const rows = await selectMarkets(sql, { exchange: ex });
    expect(rows).toHaveLength(1);
    const { updatedAt, ...rest } = rows[0] as (typeof rows)[number];
    expect(rest).toEqual({ ...m, tickSize: 0.1 });
    expect(Math.abs(updatedAt - Date.now())).toBeLessThan(60_000);

    const exchanges = await listExchangesWithData(sql);
    expect(exchanges.find((e) => e.exchange === ex)).toEqual({ exchange: ex, markets: 1, simulated: true });
    // An exchange with only stored candles is listed too.
    const other = uniqueExchange();
    try {
      await upsertCandles(sql, [candle({ exchange: other })]);
      const again = await listExchangesWithData(sql);
      expect(again.find((e) => e.exchange === other)).toEqual({
        exchange: other,
        markets: 0,
        simulated: false,
      });
    } finally {
      await deleteExchangeRows(sql, other);
    }
  });
});

describe("insertNewTrades (backfills and heals)", () => {
  test("a trade stored live is not stored again when REST gives its time in whole seconds", async () => {
    const live = trade(40, { id: "4040", market: "SOL-USDT", ts: T0 + 40_000 + 700.5 });
    await insertTrades(sql, [live]);
    const fromRest = { ...live, ts: T0 + 40_000, recvTs: T0 + 90_000, backfilled: true };
    const next = trade(41, { id: "4041", market: "SOL-USDT", ts: T0 + 41_000 });
    const inserted = await insertNewTrades(sql, [fromRest, next]);
    expect(inserted.map((t) => t.id)).toEqual(["4041"]);
    const rows = await sql<{ trade_id: string }[]>`
      select trade_id from trades where exchange = ${ex} and market = 'SOL-USDT' order by trade_id`;
    expect(rows.map((r) => r.trade_id)).toEqual(["4040", "4041"]);
    // the check is bounded in time (it uses the table's index): the same id an hour away is stored
    const later = { ...live, ts: T0 + 40_000 + 3_600_000 };
    expect((await insertNewTrades(sql, [later])).map((t) => t.id)).toEqual(["4040"]);
  });
});
