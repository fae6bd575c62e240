import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { EVENTS_HEADER, EVENTS_VERSION, encodeEvents, type Ticker } from "@tickerplant/core";
import { waitFor } from "@tickerplant/testkit";
import { makeTrade, publish, startTestGateway, type TestGateway, uniqueMarket, WsClient } from "./helpers.ts";

let g: TestGateway;
let ex: string;
const clients: WsClient[] = [];

async function client(): Promise<WsClient> {
  const c = await WsClient.open(g.wsUrl);
  clients.push(c);
  return c;
}

const tradeSubject = (market: string) => `md.trade.${ex}.${market}`;

const POLL = { timeoutMs: 3000, stepMs: 20 };

beforeAll(async () => {
  g = await startTestGateway({
    WS_RATE_LIMIT: "10",
    WS_MAX_MESSAGE_BYTES: "1024",
    WS_MAX_SUBSCRIPTIONS: "5",
  });
  ex = g.exchange;
});

afterAll(async () => {
  for (const c of clients) c.close();
  await g?.close();
});

describe("subscribe and live data", () => {
  test("subscribe is acknowledged, then a trade published to JetStream arrives with its stream seq", async () => {
    const market = uniqueMarket();
    const c = await client();
    const channel = `trade:${ex}:${market}`;
    expect(await c.request({ op: "subscribe", channels: [channel], id: 1 })).toEqual({
      type: "subscribed",
      channels: [channel],
      id: 1,
    });
    const trade = makeTrade(ex, market, 1, Date.now());
    const seq = await publish(g.nats, tradeSubject(market), trade);
    const frame = await c.next((f) => f.channel === channel);
    expect(frame).toEqual({ channel, seq, data: trade });
  });

  test("a pattern (trade:<ex>:*) receives every market, each in order, with concrete channel names", async () => {
    const [m1, m2] = [uniqueMarket(), uniqueMarket()];
    const c = await client();
    await c.request({ op: "subscribe", channels: [`trade:${ex}:*`], id: 7 });
    const seqs: number[] = [];
    for (let i = 0; i < 3; i++) {
      seqs.push(await publish(g.nats, tradeSubject(m1), makeTrade(ex, m1, i, Date.now())));
      seqs.push(await publish(g.nats, tradeSubject(m2), makeTrade(ex, m2, i, Date.now())));
    }
    await waitFor("6 trades", () => c.data().length >= 6, POLL);
    const m1Frames = c.data(`trade:${ex}:${m1}`);
    const m2Frames = c.data(`trade:${ex}:${m2}`);
    expect(m1Frames.map((f: any) => f.data.id)).toEqual(["1000", "1001", "1002"]);
    expect(m2Frames.map((f: any) => f.data.id)).toEqual(["1000", "1001", "1002"]);
    expect([...m1Frames, ...m2Frames].map((f) => f.seq as number).sort((a, b) => a - b)).toEqual(seqs);
  });

  test("overlapping subscriptions deliver each message once", async () => {
    const market = uniqueMarket();
    const c = await client();
    await c.request({ op: "subscribe", channels: [`trade:${ex}:*`, `trade:${ex}:${market}`], id: 2 });
    await publish(g.nats, tradeSubject(market), makeTrade(ex, market, 1, Date.now()));
    await publish(g.nats, tradeSubject(market), makeTrade(ex, market, 2, Date.now()));
    await waitFor(
      "2 trades on the market's channel",
      () => c.data(`trade:${ex}:${market}`).length >= 2,
      POLL,
    );
    await Bun.sleep(200);
    expect(c.data(`trade:${ex}:${market}`).map((f: any) => f.data.id)).toEqual(["1001", "1002"]);
  });

  test("clients on the same channel share one consumer, released when the last one leaves", async () => {
    const market = uniqueMarket();
    const channel = `trade:${ex}:${market}`;
    const filter = `md.trade.${ex}.${market}`;
    const [a, b] = [await client(), await client()];
    await a.request({ op: "subscribe", channels: [channel], id: 1 });
    await b.request({ op: "subscribe", channels: [channel], id: 1 });
    expect(g.gateway.hub.filters.filter((f) => f === filter)).toHaveLength(1);
    const seq = await publish(g.nats, tradeSubject(market), makeTrade(ex, market, 5, Date.now()));
    expect((await a.next((f) => f.channel === channel)).seq).toBe(seq);
    expect((await b.next((f) => f.channel === channel)).seq).toBe(seq);
    expect(await a.request({ op: "unsubscribe", channels: [channel], id: 2 })).toEqual({
      type: "unsubscribed",
      channels: [channel],
      id: 2,
    });
    expect(g.gateway.hub.filters).toContain(filter);
    b.close();
    await waitFor("the hub to drop the filter", () => !g.gateway.hub.filters.includes(filter), POLL);
  });

  test("after unsubscribe nothing more arrives", async () => {
    const market = uniqueMarket();
    const channel = `trade:${ex}:${market}`;
    const c = await client();
    await c.request({ op: "subscribe", channels: [channel], id: 1 });
    await c.request({ op: "unsubscribe", channels: [channel], id: 2 });
    await publish(g.nats, tradeSubject(market), makeTrade(ex, market, 1, Date.now()));
    await Bun.sleep(400);
    expect(c.data(channel)).toEqual([]);
    expect(await c.request({ op: "ping", id: 3 })).toEqual({ type: "pong", id: 3 });
  });

  test("ticker subscription first gets the latest value from Redis as a snapshot", async () => {
    const market = uniqueMarket();
    const ticker: Ticker = {
      type: "ticker",
      exchange: ex,
      market,
      symbol: market.replace("-", ""),
      ts: Date.now(),
      recvTs: Date.now(),
      last: 42,
      open: 40,
      high: 43,
      low: 39,
      volume: 10,
      quoteVolume: 420,
      change: 2,
      changePct: 5,
      bid: 41.9,
      ask: 42.1,
    };
    await g.redis.hset(`ticker:${ex}:${market}`, {
      json: JSON.stringify(ticker),
      updatedAt: String(Date.now()),
    });
    const c = await client();
    const channel = `ticker:${ex}:${market}`;
    await c.request({ op: "subscribe", channels: [channel], id: 4 });
    const snap = await c.next((f) => f.channel === channel);
    expect(snap).toEqual({ channel, seq: null, snapshot: true, data: ticker });
    // Then live updates follow, without the snapshot flag.
    const live = { ...ticker, last: 43, ts: Date.now() };
    const seq = await publish(g.nats, `md.ticker.${ex}.${market}`, live);
    expect(await c.next((f) => f.channel === channel)).toEqual({ channel, seq, data: live });
  });

  test("a pattern ticker subscription (ticker:*:<market>) snapshots every matching key", async () => {
    const market = uniqueMarket();
    const base = { type: "ticker", market, symbol: "X", ts: 1, recvTs: 1, last: 1, open: 1, high: 1, low: 1 };
    const rest = { volume: 1, quoteVolume: 1, change: 0, changePct: 0, bid: null, ask: null };
    for (const e of [ex, `${ex}b`]) {
      await g.redis.hset(`ticker:${e}:${market}`, {
        json: JSON.stringify({ ...base, ...rest, exchange: e }),
      });
    }
    const c = await client();
    await c.request({ op: "subscribe", channels: [`ticker:*:${market}`], id: 5 });
    await waitFor("2 tickers", () => c.data().length >= 2, POLL);
    expect(
      c
        .data()
        .map((f) => f.channel)
        .sort(),
    ).toEqual([`ticker:${ex}:${market}`, `ticker:${ex}b:${market}`]);
    await g.redis.del(`ticker:${ex}b:${market}`);
  });

  test("a bbo snapshot carries the stream sequence the storage-writer recorded; older live messages are skipped", async () => {
    const market = uniqueMarket();
    const channel = `bbo:${ex}:${market}`;
    const bbo = {
      type: "bbo",
      exchange: ex,
      market,
      symbol: "X",
      ts: 1,
      recvTs: 2,
      bidPrice: 1,
      bidAmount: 2,
      askPrice: 3,
      askAmount: 4,
    };
    const stored = await publish(g.nats, `md.bbo.${ex}.${market}`, bbo);
    await g.redis.hset(`bbo:${ex}:${market}`, {
      json: JSON.stringify(bbo),
      seq: String(stored),
      updatedAt: "1",
    });
    const c = await client();
    await c.request({ op: "subscribe", channels: [channel], id: 1 });
    expect(await c.next((f) => f.channel === channel)).toEqual({
      channel,
      seq: stored,
      snapshot: true,
      data: bbo,
    });
    const next = await publish(g.nats, `md.bbo.${ex}.${market}`, { ...bbo, ts: 5 });
    expect((await c.next((f) => f.channel === channel)).seq).toBe(next);
  });

  test("resume with since (stream sequence): replays from that sequence, then continues live", async () => {
    const market = uniqueMarket();
    const channel = `trade:${ex}:${market}`;
    const seqs: number[] = [];
    for (let i = 0; i < 4; i++)
      seqs.push(await publish(g.nats, tradeSubject(market), makeTrade(ex, market, i, Date.now())));
    const c = await client();
    await c.request({ op: "subscribe", channels: [channel], id: 1, since: seqs[1] });
    await waitFor("3 replayed trades", () => c.data(channel).length >= 3, POLL);
    const live = await publish(g.nats, tradeSubject(market), makeTrade(ex, market, 9, Date.now()));
    await waitFor("the live trade after the replay", () => c.data(channel).length >= 4, POLL);
    expect(c.data(channel).map((f) => f.seq)).toEqual([seqs[1], seqs[2], seqs[3], live]);
  });

  test("a resume 20,000 trades back catches up at ≥ 10× a 600/s channel, in order, then continues live", async () => {
    const market = uniqueMarket();
    const channel = `trade:${ex}:${market}`;
    const TOTAL = 20_000;
    const PER_MESSAGE = 20; // the ingestor's event batches
    const { headers } = await import("@nats-io/transport-node");
    const h = headers();
    h.set(EVENTS_HEADER, EVENTS_VERSION);
    const now = Date.now();
    const seqs: number[] = [];
    for (let m = 0; m < TOTAL / PER_MESSAGE; m += 50) {
      const acks = await Promise.all(
        Array.from({ length: 50 }, (_, k) => {
          const first = (m + k) * PER_MESSAGE;
          const events = Array.from({ length: PER_MESSAGE }, (_, i) =>
            JSON.stringify(makeTrade(ex, market, first + i, now)),
          );
          return g.nats.js.publish(tradeSubject(market), encodeEvents(events), { headers: h });
        }),
      );
      for (const a of acks) seqs.push(a.seq);
    }
    const c = await client();
    const t0 = performance.now();
    await c.request({ op: "subscribe", channels: [channel], id: 1, since: seqs[0] });
    await waitFor(`${TOTAL} replayed trades`, () => c.data(channel).length >= TOTAL, {
      ...POLL,
      timeoutMs: 30_000,
    });
    const seconds = (performance.now() - t0) / 1000;
    const ids = c.data(channel).map((f) => Number((f.data as { id: string }).id));
    expect(ids).toEqual(Array.from({ length: TOTAL }, (_, i) => 1000 + i));
    expect(TOTAL / seconds).toBeGreaterThan(6_000);
    const live = await publish(g.nats, tradeSubject(market), makeTrade(ex, market, TOTAL, Date.now()));
    await waitFor("the live trade after the replay", () => c.data(channel).length > TOTAL, POLL);
    expect(c.data(channel).at(-1)!.seq).toBe(live);
  }, 60_000);

  test("resume with since (ISO time)", async () => {
    const market = uniqueMarket();
    const channel = `trade:${ex}:${market}`;
    await publish(g.nats, tradeSubject(market), makeTrade(ex, market, 0, Date.now()));
    await Bun.sleep(50);
    const since = new Date().toISOString();
    await Bun.sleep(50);
    const after = await publish(g.nats, tradeSubject(market), makeTrade(ex, market, 1, Date.now()));
    const c = await client();
    await c.request({ op: "subscribe", channels: [channel], id: 1, since });
    await waitFor("the trade after `since`", () => c.data(channel).length >= 1, POLL);
    await Bun.sleep(150);
    expect(c.data(channel).map((f) => f.seq)).toEqual([after]);
  });
});

describe("errors keep the connection open", () => {
  test("malformed JSON", async () => {
    const c = await client();
    c.send("{not json");
    expect(await c.next((f) => f.type === "error")).toEqual({
      type: "error",
      code: "invalid_json",
      message: expect.any(String),
    });
    expect(await c.request({ op: "ping", id: 1 })).toEqual({ type: "pong", id: 1 });
  });

  test("unknown op, unknown channel type, invalid channel, invalid interval, invalid since", async () => {
    const c = await client();
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ op: "dance", id: 1 }, "unknown_op"],
      [{ op: "subscribe", channels: ["foo:binance:BTC-USDT"], id: 2 }, "unknown_channel_type"],
      [{ op: "subscribe", channels: ["trade:binance"], id: 3 }, "invalid_channel"],
      [{ op: "subscribe", channels: ["trade:binance:btc"], id: 4 }, "invalid_channel"],
      [{ op: "subscribe", channels: ["candle:binance:BTC-USDT:7m"], id: 5 }, "invalid_interval"],
      [{ op: "subscribe", channels: [], id: 6 }, "invalid_request"],
      [{ op: "subscribe", channels: ["trade:binance:BTC-USDT"], since: "yesterday", id: 7 }, "invalid_since"],
    ];
    for (const [msg, code] of cases) {
      const r = await c.request(msg as { id: number });
      expect(r).toMatchObject({ type: "error", code, id: msg.id });
      expect(String(r.message).length).toBeGreaterThan(5);
    }
    expect(await c.request({ op: "ping", id: 99 })).toEqual({ type: "pong", id: 99 });
  });

  test("message too large", async () => {
    const c = await client();
    c.send({ op: "subscribe", channels: ["trade:binance:BTC-USDT"], id: 1, pad: "x".repeat(2000) });
    expect(await c.next((f) => f.type === "error")).toMatchObject({ code: "message_too_large" });
    expect(await c.request({ op: "ping", id: 2 })).toEqual({ type: "pong", id: 2 });
  });

  test("too many subscriptions", async () => {
    const c = await client();
    const channels = Array.from({ length: 4 }, () => `trade:${ex}:${uniqueMarket()}`);
    await c.request({ op: "subscribe", channels, id: 1 });
    const r = await c.request({
      op: "subscribe",
      channels: [`trade:${ex}:${uniqueMarket()}`, `trade:${ex}:${uniqueMarket()}`],
      id: 2,
    });
    expect(r).toMatchObject({ type: "error", code: "too_many_subscriptions", id: 2 });
    // Re-subscribing a channel it already has is not a new subscription.
    expect(await c.request({ op: "subscribe", channels: [channels[0]!], id: 3 })).toMatchObject({
      type: "subscribed",
    });
    expect(await c.request({ op: "ping", id: 4 })).toEqual({ type: "pong", id: 4 });
  });

  test("flooding: rate_limited errors, then the connection is closed with a reason", async () => {
    const c = await client();
    for (let i = 0; i < 120; i++) c.send({ op: "ping", id: i });
    const limited = await c.next((f) => f.type === "error");
    expect(limited).toMatchObject({ code: "rate_limited" });
    const closed = await c.closed;
    expect(closed.code).toBe(1008);
    expect(closed.reason).toContain("rate limit");
    const pongs = c.frames.filter((f) => f.type === "pong").length;
    expect(pongs).toBeLessThanOrEqual(10);
  });

  test("errors are counted in a metric by code", async () => {
    const metrics = await (await fetch(`${g.base}/metrics`)).text();
    expect(metrics).toMatch(/tickerplant_gateway_ws_errors_total\{code="invalid_json"[^}]*\} [1-9]/);
    expect(metrics).toMatch(/tickerplant_gateway_ws_errors_total\{code="rate_limited"[^}]*\} [1-9]/);
    expect(metrics).toMatch(/tickerplant_gateway_ws_disconnects_total\{reason="flooding"[^}]*\} 1/);
  });
});

describe("connection limit", () => {
  test("connections past WS_MAX_CLIENTS are refused with 503", async () => {
    const limited = await startTestGateway({ WS_MAX_CLIENTS: "1" });
    try {
      const first = await WsClient.open(limited.wsUrl);
      const second = new WsClient(limited.wsUrl);
      await expect(second.opened).rejects.toThrow();
      const metrics = await (await fetch(`${limited.base}/metrics`)).text();
      expect(metrics).toMatch(/tickerplant_gateway_ws_connections_total\{outcome="refused"[^}]*\} 1/);
      first.close();
      await first.closed;
      await Bun.sleep(50);
      const third = await WsClient.open(limited.wsUrl);
      third.close();
    } finally {
      await limited.close();
    }
  });
});
