import { afterAll, beforeAll, expect, test } from "bun:test";
import { AckPolicy, RetentionPolicy, StorageType } from "@nats-io/jetstream";
import { messageId, type Status, type Trade } from "@tickerplant/core";
import {
  insertStatusEvents,
  insertTrades,
  msToTimestamptz,
  prepareDatabase,
  selectGaps,
} from "@tickerplant/db";
import {
  connectNats,
  createLogger,
  createRedis,
  createSql,
  eventTexts,
  type Nats,
  provisionStreams,
  type Redis,
  type Sql,
} from "@tickerplant/runtime";
import { type StartedSimulator, startSimulator, waitFor } from "@tickerplant/testkit";
import { Registry } from "prom-client";
import { Scheduler } from "../src/scheduler.ts";
import { binanceClient, createTestQueue, DATABASE_URL, NATS_URL, POLL, REDIS_URL, runId } from "./helpers.ts";

/**
 * A gap status event becomes a heal job: the trades the live feed lost are fetched from the
 * simulator's REST history and stored (once, beside the ones already stored), the candles of the
 * window too, and a `healed` status event says so; where the exchange no longer keeps the trades,
 * `unhealable` with the reason.
 */
const log = createLogger({
  service: "scheduler-heal-test",
  level: (process.env.TEST_LOG_LEVEL as "warn") ?? "error",
});
let nats: Nats;
let redis: Redis;
let sql: Sql;

beforeAll(async () => {
  nats = await connectNats(NATS_URL, "scheduler-heal-test", log);
  redis = createRedis(REDIS_URL, "scheduler-heal-test");
  sql = createSql(DATABASE_URL, { max: 4, name: "scheduler-heal-test" });
  await prepareDatabase(sql, log);
  // Backfilled rows are published on md.* (tests run on a NATS of their own: provision its streams).
  await provisionStreams(nats.jsm, { replicas: 1, tradesRetentionDays: 1 }, log);
});

afterAll(async () => {
  await sql.end({ timeout: 5 });
  await redis.quit();
  await nats.close();
});

/** A simulator, a scheduler watching a status stream of the test's own, and a cleanup. */
async function setup(restTradesKept: number, healLiveEdgeWaitMs = 3000, writerConsumerPrefix?: string) {
  const id = runId();
  const market = `H${id.toUpperCase()}-USDT`;
  const sim: StartedSimulator = await startSimulator({
    markets: [market],
    tradesPerSecond: 400,
    restTradesKept,
  });
  const queue = await createTestQueue(nats, id);
  const statusStream = `STATUS_TEST_${id.toUpperCase()}`;
  await nats.jsm.streams.add({
    name: statusStream,
    subjects: [`t${id}.md.status.>`],
    retention: RetentionPolicy.Limits,
    storage: StorageType.Memory,
  });
  const registry = new Registry();
  const client = binanceClient({ redis, baseUrl: sim.restUrl, budgetKey: `heal${id}`, registry, log });
  const scheduler = new Scheduler({
    redis,
    nats,
    sql,
    registry,
    log,
    clients: new Map([["binance", [client]]]),
    source: "simulated",
    marketsRefreshMs: 86_400_000,
    queue,
    healGaps: true,
    healLiveEdgeWaitMs,
    ...(writerConsumerPrefix ? { writerConsumerPrefix } : {}),
    gaps: { stream: statusStream, durable: "scheduler-gaps", filterSubject: `t${id}.md.status.>` },
  });
  await scheduler.start();
  return {
    id,
    market,
    sim,
    registry,
    /** A simulator trade as the live feed stored it. */
    stored(t: { id: number; ts: number; price: number; amount: number; side: "buy" | "sell" }): Trade {
      return {
        type: "trade",
        exchange: "binance",
        market,
        symbol: market.replace("-", ""),
        ts: t.ts,
        recvTs: t.ts,
        id: String(t.id),
        price: t.price,
        amount: t.amount,
        side: t.side,
        simulated: true,
      };
    },
    /** The market's gap once its heal has ended (healed or unhealable). */
    handled(timeoutMs: number) {
      return waitFor(
        "the gap handled",
        async () => {
          const g = (await selectGaps(sql, { exchange: "binance", market }))[0];
          return g && g.state !== "pending" && g.state !== "healing" ? g : undefined;
        },
        { ...POLL, timeoutMs },
      );
    },
    async gap(from: number, to: number) {
      const now = Date.now();
      const event: Status = {
        type: "status",
        exchange: "binance",
        market,
        symbol: market.replace("-", ""),
        ts: now,
        recvTs: now,
        event: "gap",
        detail: "disconnected",
        from,
        to,
        simulated: true,
      };
      await insertStatusEvents(sql, [event]); // as the storage-writer does
      await nats.js.publish(`t${id}.md.status.binance.${market}`, JSON.stringify(event));
    },
    async close() {
      await scheduler.stop();
      await sim.stop();
      for (const table of ["trades", "candles", "status_events", "jobs"])
        await sql`delete from ${sql(table)} where exchange = 'binance' and market = ${market}`;
      await nats.jsm.streams.delete(queue.stream).catch(() => {});
      await nats.jsm.streams.delete(statusStream).catch(() => {});
    },
  };
}

async function stored(market: string, from: number, to: number): Promise<string[]> {
  const rows = await sql<{ id: string }[]>`
    select trade_id as id from trades where exchange = 'binance' and market = ${market}
      and time >= ${msToTimestamptz(from)}::text::timestamptz and time <= ${msToTimestamptz(to)}::text::timestamptz
    order by trade_id::bigint`;
  return rows.map((r) => r.id);
}

test("a gap is healed to every trade of the window, stored once, with a healed status event", async () => {
  const s = await setup(0);
  try {
    await Bun.sleep(3000);
    const truth = s.sim.sim.groundTruth;
    const all = truth.trades(s.market);
    const gapFrom = all[Math.floor(all.length / 3)]!.ts + 0.5;
    const gapTo = all[Math.floor((2 * all.length) / 3)]!.ts + 0.5;
    // The live feed stored everything but the gap, and a few trades inside it (seen before the break).
    const live = all.filter((t) => t.ts < gapFrom || t.ts > gapTo || t.id % 10 === 0);
    await insertTrades(sql, live.map(s.stored));
    await s.gap(gapFrom, gapTo);
    const gap = await s.handled(60_000);
    expect(gap.state).toBe("healed");
    const expected = truth.trades(s.market, { from: gapFrom, to: gapTo }).map((t) => String(t.id));
    expect(await stored(s.market, gapFrom, gapTo)).toEqual(expected);
    const [dups] = await sql<{ n: string }[]>`
      select count(*) - count(distinct trade_id) as n from trades where exchange = 'binance' and market = ${s.market}`;
    expect(Number(dups?.n)).toBe(0);
    const [healed] = await sql<{ detail: string }[]>`
      select detail from status_events where exchange = 'binance' and market = ${s.market} and event = 'healed'`;
    expect(healed?.detail).toContain("trades");
    expect(gap.rowsWritten).toBeGreaterThanOrEqual(
      expected.length - expected.filter((x) => Number(x) % 10 === 0).length,
    );
  } finally {
    await s.close();
  }
}, 90_000);

test("trades the exchange no longer keeps are reported unhealable; the kept ones are healed", async () => {
  const s = await setup(300);
  try {
    await Bun.sleep(3000);
    const truth = s.sim.sim.groundTruth;
    const all = truth.trades(s.market);
    const gapFrom = all[10]!.ts + 0.5;
    const gapTo = all[all.length - 5]!.ts + 0.5;
    await insertTrades(sql, all.slice(0, 10).map(s.stored));
    await s.gap(gapFrom, gapTo);
    const gap = await s.handled(60_000);
    expect(gap.state).toBe("unhealable");
    expect(gap.reason).toContain("only from id");
    // Every trade the simulator's REST still keeps in the window is stored.
    const kept = truth.servedTrades(s.market, { from: gapFrom, to: gapTo }).map((t) => String(t.id));
    const got = await stored(s.market, gapFrom, gapTo);
    for (const id of kept) expect(got).toContain(id);
    const [event] = await sql<{ detail: string }[]>`
      select detail from status_events where exchange = 'binance' and market = ${s.market} and event = 'unhealable'`;
    expect(event?.detail).toContain("only from id");
  } finally {
    await s.close();
  }
}, 90_000);

test("a heal waits for the live stream to be stored past the gap's end before it stores REST trades", async () => {
  const s = await setup(0, 60_000);
  try {
    await Bun.sleep(2000);
    const truth = s.sim.sim.groundTruth;
    const all = truth.trades(s.market);
    const gapFrom = all[Math.floor(all.length / 3)]!.ts + 0.5;
    const gapTo = all[Math.floor((2 * all.length) / 3)]!.ts + 0.5;
    // The live feed has stored what came before the gap, and nothing after it yet.
    await insertTrades(sql, all.filter((t) => t.ts < gapFrom).map(s.stored));
    await s.gap(gapFrom, gapTo);
    await Bun.sleep(2500);
    // Where REST times are coarser than the stream's, trades near the end are not told apart from
    // live ones not yet stored: nothing is stored yet.
    expect(await stored(s.market, gapFrom, gapTo)).toEqual([]);
    // The live stream is stored past the gap's end (plus the 2 s slack): the heal goes ahead.
    await Bun.sleep(Math.max(0, gapTo + 2100 - Date.now()));
    const after = truth.trades(s.market).filter((t) => t.ts > gapTo);
    await insertTrades(sql, after.map(s.stored));
    expect(after.at(-1)!.ts).toBeGreaterThan(gapTo + 2000);
    const gap = await s.handled(30_000);
    expect(gap.state).toBe("healed");
    const expected = truth.trades(s.market, { from: gapFrom, to: gapTo }).map((t) => String(t.id));
    expect(await stored(s.market, gapFrom, gapTo)).toEqual(expected);
  } finally {
    await s.close();
  }
}, 90_000);

test("a heal waits for the storage-writer to store the trades the stream held, then skips them", async () => {
  const id = runId();
  const s = await setup(0, 100, `w${id}`);
  const subject = `md.trade.binance.${s.market}`;
  const durable = `w${id}-trades`;
  try {
    await nats.jsm.consumers.add("MD_TRADES", {
      durable_name: durable,
      filter_subject: subject,
      ack_policy: AckPolicy.Explicit,
    });
    await Bun.sleep(2000);
    const truth = s.sim.sim.groundTruth;
    const all = truth.trades(s.market);
    const gapFrom = all[Math.floor(all.length / 3)]!.ts + 0.5;
    const gapTo = all[Math.floor((2 * all.length) / 3)]!.ts + 0.5;
    await insertTrades(sql, all.filter((t) => t.ts < gapFrom || t.ts > gapTo).map(s.stored));
    // A live trade inside the gap is in the stream, and the writer has it in hand, not yet stored.
    const inGap = truth.trades(s.market, { from: gapFrom, to: gapTo });
    const live = s.stored(inGap[Math.floor(inGap.length / 2)]!);
    await nats.js.publish(subject, JSON.stringify(live), { msgID: messageId(live) });
    const writer = nats.js.consumers.get("MD_TRADES", durable);
    const inHand = await (await writer).next({ expires: 5000 });
    expect(inHand).not.toBeNull();
    await s.gap(gapFrom, gapTo);
    await Bun.sleep(2500);
    // The clock bound (100 ms) is long past; the writer's position holds the heal back.
    expect(await stored(s.market, gapFrom, gapTo)).toEqual([]);
    await insertTrades(sql, [live]);
    inHand!.ack();
    const gap = await s.handled(30_000);
    expect(gap.state).toBe("healed");
    expect(await stored(s.market, gapFrom, gapTo)).toEqual(inGap.map((t) => String(t.id)));
    // The live trade was not published a second time by the heal.
    const published: string[] = [];
    await nats.jsm.consumers.add("MD_TRADES", {
      durable_name: `r${id}`,
      filter_subject: subject,
      ack_policy: AckPolicy.None,
    });
    const reader = await nats.js.consumers.get("MD_TRADES", `r${id}`);
    const info = await reader.info();
    for (let n = info.num_pending; n > 0; n--) {
      const m = await reader.next({ expires: 2000 });
      if (!m) break;
      for (const text of eventTexts(m)) published.push((JSON.parse(text) as Trade).id);
    }
    expect(published.filter((x) => x === live.id)).toEqual([live.id]);
    expect(new Set(published).size).toBe(published.length);
  } finally {
    for (const name of [durable, `r${id}`])
      await nats.jsm.consumers.delete("MD_TRADES", name).catch(() => {});
    await s.close();
  }
}, 90_000);
