import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { AckPolicy, DeliverPolicy } from "@nats-io/jetstream";
import { analyticsSubject, marketSubject, type Stats, type Trade } from "@tickerplant/core";
import {
  connectNats,
  createLogger,
  createRedis,
  type Nats,
  provisionStreams,
  type Redis,
} from "@tickerplant/runtime";
import { waitFor } from "@tickerplant/testkit";
import { Registry } from "prom-client";
import { StatsAnalyzer } from "../src/stats-analyzer.ts";

/**
 * Real NATS + Redis. Each test run trades on its own exchange id, so the analyzer's filter
 * (md.trade.<ex>.>), its durable, its stats subjects and its Redis keys touch nothing else.
 */
const NATS_URL = process.env.NATS_URL ?? "nats://127.0.0.1:4222";
const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const log = createLogger({
  service: "analyzer-test",
  level: (process.env.TEST_LOG_LEVEL as "warn") ?? "warn",
});
const EX = `an${crypto.randomUUID().replaceAll("-", "").slice(0, 10)}`;
const DURABLE = `analyzer-stats-${EX}`;

let nats: Nats;
let redis: Redis;
let sub: ReturnType<Nats["nc"]["subscribe"]>;
const received: Stats[] = [];

function trade(
  market: string,
  id: string,
  tsAgoMs: number,
  price: number,
  amount: number,
  simulated?: boolean,
): Trade {
  const ts = Date.now() - tsAgoMs;
  return {
    type: "trade",
    exchange: EX,
    market,
    symbol: market.replace("-", ""),
    ts,
    recvTs: ts + 1,
    id,
    price,
    amount,
    side: "buy",
    ...(simulated ? { simulated: true } : {}),
  };
}

/** Publishes each trade in its own message; returns the last one's stream sequence. */
async function publishTrades(trades: Trade[], msgIdSuffix = ""): Promise<number> {
  let seq = 0;
  for (const t of trades) {
    const ack = await nats.js.publish(marketSubject("trade", t.exchange, t.market), JSON.stringify(t), {
      msgID: `trade:${t.exchange}:${t.market}:${t.id}${msgIdSuffix}`,
    });
    seq = ack.seq;
  }
  return seq;
}

const POLL = { timeoutMs: 5000, stepMs: 25 };

function startAnalyzer(
  o: { durable?: string; checkpointMs?: number; registry?: Registry } = {},
): StatsAnalyzer {
  return new StatsAnalyzer({
    nats,
    redis,
    registry: o.registry ?? new Registry(),
    log,
    statsIntervalMs: 100,
    checkpointMs: o.checkpointMs ?? 0,
    durable: o.durable ?? DURABLE,
    filterSubject: `md.trade.${EX}.>`,
  });
}

async function counter(registry: Registry, name: string, labels: Record<string, string>): Promise<number> {
  const metric = (await registry.getMetricsAsJSON()).find((m) => m.name === name);
  const values = (metric?.values ?? []) as Array<{ value: number; labels: Record<string, string | number> }>;
  return values
    .filter((v) => Object.entries(labels).every(([k, x]) => v.labels[k] === x))
    .reduce((sum, v) => sum + v.value, 0);
}

beforeAll(async () => {
  nats = await connectNats(NATS_URL, "analyzer-test", log);
  redis = createRedis(REDIS_URL, "analyzer-test");
  await provisionStreams(nats.jsm, { replicas: 1, tradesRetentionDays: 7 }, log);
  sub = nats.nc.subscribe(`an.stats.${EX}.>`, {
    callback: (_err, msg) => {
      received.push(msg.json<Stats>());
    },
  });
});

afterAll(async () => {
  sub?.unsubscribe();
  for (const durable of [DURABLE, `${DURABLE}-cp`, `${DURABLE}-full`]) {
    await nats.jsm.consumers.delete("MD_TRADES", durable).catch(() => {});
  }
  const checkpoints = await redis.keys(`windows:${DURABLE}*`);
  if (checkpoints.length > 0) await redis.del(...checkpoints);
  await nats.jsm.streams.purge("MD_TRADES", { filter: `md.trade.${EX}.>` }).catch(() => {});
  await nats.jsm.streams.purge("ANALYTICS", { filter: `an.stats.${EX}.>` }).catch(() => {});
  const keys = await redis.keys(`stats:${EX}:*`);
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
  await nats.close();
});

const latest = (market: string, trades: number) => () =>
  received.findLast((s) => s.market === market && s.trades === trades);

describe("StatsAnalyzer (NATS + Redis)", () => {
  test("replays trades published before start, follows new ones, survives a restart without double counting", async () => {
    const market = "BTC-USDT";
    // Two trades exist before the analyzer starts: the start-up replay must find them.
    await publishTrades([trade(market, "1", 60_000, 100, 0.5), trade(market, "2", 30_000, 102, 2)]);
    const first = startAnalyzer();
    await first.start();
    expect(await waitFor("replayed stats", latest(market, 2), POLL)).toMatchObject({ open: 100, last: 102 });

    // Two more through the durable; the later-published one is earlier in time (open/last by time).
    await publishTrades([trade(market, "3", 1_000, 104, 1), trade(market, "4", 20_000, 101, 1.5)]);
    const s = await waitFor("stats of 4 trades", latest(market, 4), POLL);
    const expected = {
      type: "stats",
      exchange: EX,
      market,
      window: "24h",
      open: 100,
      last: 104,
      change: 4,
      changePct: 4,
      high: 104,
      low: 100,
      volume: 5,
      quoteVolume: 509.5, // 50 + 204 + 104 + 151.5
      vwap: 101.9,
      trades: 4,
    };
    expect(s).toMatchObject(expected);
    expect(s.simulated).toBeUndefined();
    expect(Math.abs(s.ts - Date.now())).toBeLessThan(5000);

    const hash = await redis.hgetall(`stats:${EX}:${market}`);
    expect(JSON.parse(hash.json!)).toMatchObject(expected);
    expect(hash).toMatchObject({
      last: "104",
      open: "100",
      vwap: "101.9",
      volume: "5",
      trades: "4",
      window: "24h",
    });
    expect(Number(hash.updatedAt)).toBeGreaterThan(Date.now() - 5000);
    expect(hash.simulated).toBeUndefined();

    // After a restart the replay rebuilds the window; a durable that lags behind (here: reset to
    // deliver everything again) must not count those trades twice.
    await first.stop();
    await nats.jsm.consumers.delete("MD_TRADES", DURABLE);
    await nats.jsm.consumers.add("MD_TRADES", {
      durable_name: DURABLE,
      filter_subject: `md.trade.${EX}.>`,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
    });
    received.length = 0;
    const second = startAnalyzer();
    await second.start();
    const rebuilt = await waitFor("rebuilt stats", () => received.findLast((x) => x.market === market), POLL);
    expect(rebuilt).toMatchObject(expected);
    await publishTrades([trade(market, "5", 0, 99, 1)]);
    expect(await waitFor("stats of 5 trades", latest(market, 5), POLL)).toMatchObject({
      trades: 5,
      last: 99,
      low: 99,
      volume: 6,
      quoteVolume: 608.5,
    });
    await Bun.sleep(300);
    expect(received.filter((x) => x.market === market).every((x) => x.trades <= 5)).toBe(true);
    await second.stop();
  }, 10_000);

  test("simulated trades give simulated stats; undecodable messages are skipped", async () => {
    const market = "ETH-USDT";
    const analyzer = startAnalyzer();
    await analyzer.start();
    await nats.js.publish(marketSubject("trade", EX, market), "not json", { msgID: `${EX}-garbage` });
    await publishTrades([
      trade(market, "a", 5_000, 2000, 0.25, true),
      trade(market, "b", 1_000, 2010, 0.75, true),
    ]);
    const s = await waitFor("simulated stats", latest(market, 2), POLL);
    expect(s).toMatchObject({
      simulated: true,
      open: 2000,
      last: 2010,
      volume: 1,
      quoteVolume: 2007.5,
      vwap: 2007.5,
    });
    const hash = await redis.hgetall(`stats:${EX}:${market}`);
    expect(hash.simulated).toBe("true");
    expect(JSON.parse(hash.json!).simulated).toBe(true);
    // Published where the gateway and other systems read it, with a deterministic id.
    const stored = await nats.jsm.streams.getMessage("ANALYTICS", {
      last_by_subj: analyticsSubject("stats", EX, market),
    });
    expect(stored?.header?.get("Nats-Msg-Id")).toBe(`stats:${EX}:${market}:${s.ts}`);
    await analyzer.stop();
  }, 10_000);

  test("a restart restores the checkpoint and replays only what followed it: same stats as a 24 h replay", async () => {
    const market = "SOL-USDT";
    const durable = `${DURABLE}-cp`;
    const key = `windows:${durable}`;
    const batch = (from: number, n: number, spreadMs: number) =>
      Array.from({ length: n }, (_, i) =>
        trade(
          market,
          String(from + i),
          Math.floor(((n - i) / n) * spreadMs),
          100 + ((from + i) % 17),
          0.1 + (i % 5),
        ),
      );
    const first = batch(0, 300, 3 * 3600_000); // three hours: many 24 h, 1 h and 5 m buckets
    const firstSeq = await publishTrades(first);
    const a = startAnalyzer({ durable, checkpointMs: 100 });
    await a.start();
    await waitFor("stats of the first 300", latest(market, 300), POLL);
    await waitFor(
      "a checkpoint at the first batch",
      async () => {
        const mark = await redis.hget(key, "mark");
        return mark && JSON.parse(mark).watermark >= firstSeq ? true : undefined;
      },
      POLL,
    );
    // A crash right after this checkpoint: what A applies from here on is not in it.
    await redis.copy(key, `${key}-crash`, "REPLACE");
    // 50 more, and a redundant ingestor's copy of a trade A had (same id, another message).
    await publishTrades(batch(300, 50, 10_000));
    await publishTrades([first[299]!], ":copy");
    await waitFor("stats of 350", latest(market, 350), POLL);
    await a.stop();
    await redis.copy(`${key}-crash`, key, "REPLACE");
    await redis.del(`${key}-crash`);
    // While no analyzer runs.
    await publishTrades(batch(350, 25, 1000));

    const registry = new Registry();
    received.length = 0;
    const b = startAnalyzer({ durable, checkpointMs: 100, registry });
    await b.start();
    const restored = await waitFor("stats of 375", latest(market, 375), POLL);
    // Only the trades after the checkpoint were replayed; the copy was recognised.
    expect(await counter(registry, "tickerplant_analyzer_trades_total", { outcome: "replayed" })).toBe(75);
    expect(
      await counter(registry, "tickerplant_analyzer_trades_total", { outcome: "duplicate" }),
    ).toBeGreaterThanOrEqual(1);

    // A full 24 h replay (no checkpoint) computes exactly the same statistics.
    const full = startAnalyzer({ durable: `${DURABLE}-full` });
    const before = received.length;
    await full.start();
    const replayed = await waitFor(
      "stats from the full replay",
      () => received.slice(before).find((x) => x.market === market && x.trades === 375),
      POLL,
    );
    await full.stop();
    const { ts: _a, ...restoredFigures } = restored;
    const { ts: _b, ...replayedFigures } = replayed;
    expect(restoredFigures).toEqual(replayedFigures);

    // Redis loses the hash: the next increment finds nothing to build on and a full write follows.
    const fullWrites = await counter(registry, "tickerplant_analyzer_checkpoints_total", { outcome: "full" });
    await redis.del(key);
    await publishTrades(batch(375, 1, 0));
    await waitFor(
      "a new full checkpoint",
      async () =>
        (await counter(registry, "tickerplant_analyzer_checkpoints_total", { outcome: "full" })) >
          fullWrites && (await redis.hget(key, "base"))
          ? true
          : undefined,
      POLL,
    );

    // Redis comes back from an older copy (same full write under it): the increment after is
    // refused and a full write follows, instead of increments on top of the old state.
    const gen = async () => Number(await redis.hget(key, "gen"));
    await redis.copy(key, `${key}-old`, "REPLACE");
    const genOld = await gen();
    await publishTrades(batch(376, 1, 0));
    await waitFor("an increment", async () => ((await gen()) > genOld ? true : undefined), POLL);
    const fullBefore = await counter(registry, "tickerplant_analyzer_checkpoints_total", { outcome: "full" });
    await redis.copy(`${key}-old`, key, "REPLACE");
    await redis.del(`${key}-old`);
    await publishTrades(batch(377, 1, 0));
    await waitFor(
      "a full write after the rollback",
      async () =>
        (await counter(registry, "tickerplant_analyzer_checkpoints_total", { outcome: "full" })) > fullBefore
          ? true
          : undefined,
      POLL,
    );
    await b.stop();

    // The stream no longer holds the checkpoint's last message as it was (purged, or a recreated
    // stream): the checkpoint is not used and the 24 h replay rebuilds everything.
    const anchorSeq = JSON.parse((await redis.hget(key, "mark"))!).anchorSeq as number;
    await nats.jsm.streams.deleteMessage("MD_TRADES", anchorSeq);
    const fresh = new Registry();
    const c = startAnalyzer({ durable, checkpointMs: 100, registry: fresh });
    await c.start();
    expect(
      await counter(fresh, "tickerplant_analyzer_trades_total", { outcome: "replayed" }),
    ).toBeGreaterThanOrEqual(375);
    await c.stop();
  }, 20_000);
});
