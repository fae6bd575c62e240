import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type Deriv, type Liquidation, messageId, subjectOf } from "@tickerplant/core";
import { selectDerivs, selectLiquidations } from "@tickerplant/db";
import { type Harness, metricValue, readUntil, startHarness } from "./harness.ts";

let h: Harness;
const T0 = 1_717_000_020_000;

beforeAll(async () => {
  h = await startHarness();
});

afterAll(async () => {
  await h?.close();
});

async function publish(msgs: Array<Deriv | Liquidation>, idSuffix = ""): Promise<number[]> {
  const seqs: number[] = [];
  for (const m of msgs) {
    const ack = await h.nats.js.publish(subjectOf(m), JSON.stringify(m), {
      msgID: `${messageId(m)}${idSuffix}`,
    });
    seqs.push(ack.seq);
  }
  return seqs;
}

const perp = () => `${h.market()}-PERP`;
const NONE = {
  markPrice: null,
  indexPrice: null,
  fundingRate: null,
  nextFundingTime: null,
  openInterest: null,
};

function deriv(market: string, ts: number, values: Partial<Deriv>): Deriv {
  return {
    type: "deriv",
    exchange: h.exchange,
    market,
    symbol: market.replace("-PERP", "").replace("-", ""),
    ts,
    recvTs: ts + 3.25,
    ...NONE,
    simulated: true,
    ...values,
  };
}

const stale = () =>
  metricValue(h.registry, "tickerplant_storage_latest_updates_total", { kind: "deriv", outcome: "stale" });

describe("derivatives (MD_DERIV → derivs, liquidations, Redis deriv:<ex>:<mkt>)", () => {
  test("partial messages merge in Redis; every message is a row", async () => {
    const market = perp();
    const key = `deriv:${h.exchange}:${market}`;
    // Binance-like: open interest from the REST poll, mark price and funding from the stream.
    const oi = deriv(market, T0 + 500, { openInterest: 12_345.678 });
    const mark = deriv(market, T0 + 1000.125, {
      markPrice: 67_001.25,
      indexPrice: 67_000.5,
      fundingRate: 0.0001,
      nextFundingTime: T0 + 3_600_000,
    });
    const seqs = await publish([oi, mark]);

    const hash = await readUntil(
      () => h.redis.hgetall(key),
      (v) => v.openInterest !== undefined && v.markPrice !== undefined,
    );
    const merged: Deriv = { ...mark, openInterest: 12_345.678 };
    expect(JSON.parse(hash.json as string)).toEqual(merged);
    expect(hash.openInterest).toBe("12345.678");
    expect(hash.openInterestTs).toBe(String(T0 + 500));
    expect(hash.markPrice).toBe("67001.25");
    expect(hash.markPriceTs).toBe(String(T0 + 1000.125));
    expect(hash.nextFundingTime).toBe(String(T0 + 3_600_000));
    expect(hash.ts).toBe(String(T0 + 1000.125));
    expect(hash.seq).toBe(String(seqs[1]));
    expect(Math.abs(Number(hash.updatedAt) - Date.now())).toBeLessThan(10_000);

    const rows = await readUntil(
      () => selectDerivs(h.sql, { exchange: h.exchange, market, order: "asc" }),
      (r) => r.length >= 2,
    );
    expect(rows).toEqual([oi, mark]);
  });

  test("each value only moves forward in time; an older message cannot clear or roll one back", async () => {
    const market = perp();
    const key = `deriv:${h.exchange}:${market}`;
    await publish([deriv(market, T0 + 2000, { markPrice: 100, fundingRate: 0.0003 })]);
    await readUntil(
      () => h.redis.hget(key, "markPrice"),
      (v) => v === "100",
    );

    const before = await stale();
    // Older than the stored mark price (and the message), with nothing newer in it: stale.
    await publish([deriv(market, T0 + 1000, { markPrice: 50 })]);
    await readUntil(stale, (n) => n >= before + 1);
    // Older message, but open interest was never set: that value is taken, the message fields stay.
    await publish([deriv(market, T0 + 1500, { openInterest: 42 })]);
    const hash = await readUntil(
      () => h.redis.hgetall(key),
      (v) => v.openInterest === "42",
    );
    expect(JSON.parse(hash.json as string)).toEqual(
      deriv(market, T0 + 2000, { markPrice: 100, fundingRate: 0.0003, openInterest: 42 }),
    );
    expect(hash.markPrice).toBe("100");
    expect(await stale()).toBe(before + 1);

    // A redelivered copy (new message id) changes nothing but is not an error.
    await publish([deriv(market, T0 + 2000, { markPrice: 100, fundingRate: 0.0003 })], ":again");
    await readUntil(
      () => metricValue(h.registry, "tickerplant_storage_duplicates_total", { table: "derivs" }),
      (n) => n >= 1,
    );
    const rows = await selectDerivs(h.sql, { exchange: h.exchange, market, order: "asc" });
    expect(rows.map((r) => [r.ts, r.markPrice, r.openInterest])).toEqual([
      [T0 + 1000, 50, null],
      [T0 + 1500, null, 42],
      [T0 + 2000, 100, null],
    ]);
  });

  test("partial messages with the same exchange time are both kept (JetStream ids and the row)", async () => {
    const market = perp();
    const ts = T0 + 5000;
    const oi = deriv(market, ts, { openInterest: 7 });
    const mark = deriv(market, ts, { markPrice: 101, fundingRate: 0.0004 });
    expect(messageId(oi)).not.toBe(messageId(mark));
    await publish([mark, oi]);
    const rows = await readUntil(
      () => selectDerivs(h.sql, { exchange: h.exchange, market }),
      (r) => r[0]?.openInterest === 7 && r[0]?.markPrice === 101,
    );
    expect(rows).toEqual([deriv(market, ts, { markPrice: 101, fundingRate: 0.0004, openInterest: 7 })]);
    const hash = await h.redis.hgetall(`deriv:${h.exchange}:${market}`);
    expect(JSON.parse(hash.json as string)).toEqual(rows[0]);
    // The same message again (a second ingestor): deduplicated by JetStream.
    const again = await h.nats.js.publish(subjectOf(oi), JSON.stringify(oi), { msgID: messageId(oi) });
    expect(again.duplicate).toBe(true);
  });

  test("liquidations are stored once despite a duplicate", async () => {
    const market = perp();
    const liq = (i: number): Liquidation => ({
      type: "liquidation",
      exchange: h.exchange,
      market,
      symbol: "X",
      ts: T0 + i * 1000 + 0.5,
      recvTs: T0 + i * 1000 + 2,
      id: `liq${i}`,
      price: 67_000 + i,
      amount: 0.25 * (i + 1),
      side: i % 2 ? "buy" : "sell",
      simulated: true,
    });
    const batch = [liq(0), liq(1), liq(2)];
    await publish(batch);
    // The same liquidation again under another message id: JetStream keeps it, the writer skips it.
    await publish([liq(1)], ":dup");
    await readUntil(
      () =>
        metricValue(h.registry, "tickerplant_consumer_messages_total", {
          consumer: `${h.prefix}-liquidations`,
        }),
      (n) => n >= 4,
    );
    expect(await selectLiquidations(h.sql, { exchange: h.exchange, market, order: "asc" })).toEqual(batch);
    expect(
      await metricValue(h.registry, "tickerplant_storage_rows_written_total", { table: "liquidations" }),
    ).toBe(3);
    expect(
      await metricValue(h.registry, "tickerplant_storage_duplicates_total", { table: "liquidations" }),
    ).toBe(1);
  });
});
