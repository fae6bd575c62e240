import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import {
  type Bbo,
  type Candle,
  messageId,
  type Status,
  subjectOf,
  type Ticker,
  type Trade,
} from "@tickerplant/core";
import { selectCandles, selectStatusEvents, selectTrades } from "@tickerplant/db";
import { type Harness, metricValue, readUntil, startHarness } from "./harness.ts";

let h: Harness;
const T0 = 1_717_000_020_000; // minute-aligned

beforeAll(async () => {
  h = await startHarness();
});

afterAll(async () => {
  await h?.close();
});

async function publish(
  msgs: Array<Trade | Candle | Ticker | Bbo | Status>,
  idSuffix = "",
): Promise<number[]> {
  const seqs: number[] = [];
  for (const m of msgs) {
    const ack = await h.nats.js.publish(subjectOf(m), JSON.stringify(m), {
      msgID: `${messageId(m)}${idSuffix}`,
    });
    seqs.push(ack.seq);
  }
  return seqs;
}

const count = (table: string, market?: string) => async () => {
  const [row] = await h.sql<{ n: number }[]>`
    select count(*)::int as n from ${h.sql(table)}
    where exchange = ${h.exchange} ${market ? h.sql`and market = ${market}` : h.sql``}`;
  return row?.n ?? 0;
};

function trade(market: string, i: number): Trade {
  return {
    type: "trade",
    exchange: h.exchange,
    market,
    symbol: market.replace("-", ""),
    ts: T0 + i * 100 + 0.25,
    recvTs: T0 + i * 100 + 3.5,
    id: String(1000 + i),
    price: 100 + i / 8,
    amount: 0.5 + i,
    side: i % 3 === 0 ? "sell" : "buy",
    simulated: true,
  };
}

describe("storage writer (NATS → TimescaleDB/Redis)", () => {
  test("trades are written exactly once; republished duplicates change nothing", async () => {
    const [a, b] = [h.market(), h.market()];
    const trades = [
      ...Array.from({ length: 12 }, (_, i) => trade(a, i)),
      ...Array.from({ length: 8 }, (_, i) => trade(b, i)),
    ];
    await publish(trades);
    await readUntil(count("trades"), (n) => n >= 20);

    const stored = await selectTrades(h.sql, { exchange: h.exchange, market: a, order: "asc", limit: 100 });
    expect(stored).toEqual(trades.slice(0, 12));
    expect(await selectTrades(h.sql, { exchange: h.exchange, market: b, order: "asc" })).toEqual(
      trades.slice(12),
    );

    // New message ids, so JetStream does not deduplicate: the writer sees every one again.
    await publish(trades, ":again");
    await readUntil(
      () => metricValue(h.registry, "tickerplant_storage_duplicates_total", { table: "trades" }),
      (n) => n >= 20,
    );
    expect(await count("trades")()).toBe(20);
    expect(await metricValue(h.registry, "tickerplant_storage_rows_written_total", { table: "trades" })).toBe(
      20,
    );
  });

  test("a malformed message is terminated and counted; the rest of its batch is written", async () => {
    const market = h.market();
    const subject = `md.trade.${h.exchange}.${market}`;
    const before = await metricValue(h.registry, "tickerplant_consumer_failures_total", {
      consumer: `${h.prefix}-trades`,
      outcome: "term",
    });
    await h.nats.js.publish(subject, "{not json", { msgID: `${subject}:bad1` });
    await publish([trade(market, 1)]);
    await h.nats.js.publish(subject, JSON.stringify({ ...trade(market, 2), price: "12.5" }), {
      msgID: `${subject}:bad2`,
    });
    await h.nats.js.publish(subject, JSON.stringify({ ...trade(market, 3), type: "bbo" }), {
      msgID: `${subject}:bad3`,
    });
    await publish([trade(market, 4), trade(market, 5)]);

    await readUntil(count("trades", market), (n) => n >= 3);
    const terminated = await readUntil(
      () =>
        metricValue(h.registry, "tickerplant_consumer_failures_total", {
          consumer: `${h.prefix}-trades`,
          outcome: "term",
        }),
      (n) => n >= before + 3,
    );
    expect(terminated - before).toBe(3);
    const stored = await selectTrades(h.sql, { exchange: h.exchange, market, order: "asc" });
    expect(stored.map((t) => t.id)).toEqual(["1001", "1004", "1005"]);
  });

  test("candles: the closed candle replaces the open one and is never overwritten by an open update", async () => {
    const market = h.market();
    const base: Candle = {
      type: "candle",
      exchange: h.exchange,
      market,
      symbol: market.replace("-", ""),
      ts: T0 + 10_000,
      recvTs: T0 + 10_001,
      interval: "1m",
      openTime: T0,
      closeTime: T0 + 59_999,
      open: 10,
      high: 11,
      low: 9,
      close: 10.5,
      volume: 3,
      quoteVolume: 31,
      trades: 7,
      closed: false,
      simulated: false,
    };
    const closed: Candle = {
      ...base,
      ts: T0 + 60_000,
      recvTs: T0 + 60_002,
      close: 10.75,
      volume: 5,
      trades: 9,
      closed: true,
    };
    const lateOpen: Candle = { ...base, ts: T0 + 20_000, close: 99 };
    const next: Candle = { ...base, openTime: T0 + 60_000, closeTime: T0 + 119_999, ts: T0 + 61_000 };
    await publish([base, closed, lateOpen, next]);
    await readUntil(count("candles", market), (n) => n >= 2);
    await readUntil(
      () => selectCandles(h.sql, { exchange: h.exchange, market, interval: "1m" }),
      (rows) => rows.length === 2 && rows[0]?.closed === true,
    );
    // Redelivered (re-published) copies, the open ones after the closed one: nothing changes.
    await publish([closed, base, lateOpen, next], ":again");
    await readUntil(
      () => metricValue(h.registry, "tickerplant_storage_duplicates_total", { table: "candles" }),
      (n) => n >= 3,
    );
    expect(await selectCandles(h.sql, { exchange: h.exchange, market, interval: "1m" })).toEqual([
      closed,
      next,
    ]);
  });

  test("tickers: every update reaches the Redis hash (monotonic by ts), history is sampled per interval", async () => {
    const market = h.market();
    const ticker = (ts: number, last: number): Ticker => ({
      type: "ticker",
      exchange: h.exchange,
      market,
      symbol: market.replace("-", ""),
      ts,
      recvTs: ts + 2,
      last,
      open: 100,
      high: 120,
      low: 90,
      volume: 1000,
      quoteVolume: 100_000,
      change: last - 100,
      changePct: last - 100,
      bid: last - 0.5,
      ask: null,
    });
    const updates = [
      ticker(T0, 101),
      ticker(T0 + 1000, 102),
      ticker(T0 + 59_000, 103),
      ticker(T0 + 61_000, 104),
    ];
    const seqs = await publish(updates);
    const key = `ticker:${h.exchange}:${market}`;
    const hash = await readUntil(
      () => h.redis.hgetall(key),
      (v) => v.ts === String(T0 + 61_000),
    );
    const latest = updates[3] as Ticker;
    expect(JSON.parse(hash.json as string)).toEqual(latest);
    expect(hash.last).toBe("104");
    expect(hash.ask).toBe("null");
    expect(hash.seq).toBe(String(seqs[3]));
    expect(Math.abs(Number(hash.updatedAt) - Date.now())).toBeLessThan(10_000);

    const rows = await readUntil(
      () => h.sql`select (extract(epoch from time) * 1000)::float8 as ts, last from tickers
                  where exchange = ${h.exchange} and market = ${market} order by time`,
      (r) => r.length >= 2,
    );
    expect(rows.map((r) => [r.ts, r.last])).toEqual([
      [T0, 101],
      [T0 + 61_000, 104],
    ]);

    // An older update arriving late does not move the latest state back.
    const stale = await metricValue(h.registry, "tickerplant_storage_latest_updates_total", {
      kind: "ticker",
      outcome: "stale",
    });
    await publish([ticker(T0 + 2000, 50)]);
    await readUntil(
      () =>
        metricValue(h.registry, "tickerplant_storage_latest_updates_total", {
          kind: "ticker",
          outcome: "stale",
        }),
      (n) => n >= stale + 1,
    );
    expect(await h.redis.hget(key, "last")).toBe("104");
    expect(await count("tickers", market)()).toBe(2);
  });

  test("bbo updates go to the bbo hash only; status events are stored", async () => {
    const market = h.market();
    const bbo: Bbo = {
      type: "bbo",
      exchange: h.exchange,
      market,
      symbol: market.replace("-", ""),
      ts: T0 + 5.125,
      recvTs: T0 + 7,
      bidPrice: 99.5,
      bidAmount: 2,
      askPrice: 100.5,
      askAmount: 3,
      seq: 777,
    };
    const status: Status = {
      type: "status",
      exchange: h.exchange,
      market,
      symbol: market.replace("-", ""),
      ts: T0 + 9000,
      recvTs: T0 + 9000,
      event: "gap",
      detail: "sequence gap",
      from: T0,
      to: T0 + 8000,
      simulated: false,
    };
    const [seq] = await publish([bbo, status]);
    const hash = await readUntil(
      () => h.redis.hgetall(`bbo:${h.exchange}:${market}`),
      (v) => v.json !== undefined,
    );
    expect(JSON.parse(hash.json as string)).toEqual(bbo);
    expect(hash.bidPrice).toBe("99.5");
    expect(hash.exchangeSeq).toBe("777");
    expect(hash.seq).toBe(String(seq));
    expect(hash.ts).toBe(String(T0 + 5.125));
    expect(await h.redis.exists(`ticker:${h.exchange}:${market}`)).toBe(0);

    const events = await readUntil(
      () => selectStatusEvents(h.sql, { exchange: h.exchange, market }),
      (r) => r.length >= 1,
    );
    expect(events).toEqual([status]);
  });
});
