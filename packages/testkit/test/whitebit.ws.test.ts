import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import {
  type Book,
  type Candle,
  type FrameResult,
  getAdapter,
  type MarketMessage,
  type ParseContext,
  type Subscription,
} from "@tickerplant/core";
import { MarketGenerator, type StartedSimulator, startSimulator } from "../src/index.ts";
import { nextDepthPush, subscribeDepth } from "../src/simulator/profiles/whitebit/depth.ts";
import { connect, type TestSocket } from "./helpers/ws-client.ts";

/** The WhiteBIT profile speaks WhiteBIT's JSON-RPC protocol; the whitebit adapter reads it. */

const adapter = getAdapter("whitebit")!;
const MARKETS = ["BTC-USDT", "ETH-USDT"];

// biome-ignore lint/suspicious/noExplicitAny: tests read loosely typed JSON
type Json = any;

function parser(): { ctx: ParseContext; parse(frame: string): FrameResult } {
  const ctx: ParseContext = { recvTs: 0, marketOf: (s) => adapter.marketOfSymbol(s), state: new Map() };
  return {
    ctx,
    parse: (frame) => {
      ctx.recvTs = Date.now();
      return adapter.parseFrame(frame, ctx);
    },
  };
}

const replies = (c: TestSocket, id: number): Json[] => c.json().filter((m: Json) => m.id === id);
const pushes = (c: TestSocket, method: string): Json[] => c.json().filter((m: Json) => m.method === method);

async function request(c: TestSocket, id: number, method: string, params: unknown[] = []): Promise<Json> {
  c.send({ id, method, params });
  await c.waitFor(() => replies(c, id).length > 0, 2000, `reply to ${method}`);
  return replies(c, id)[0];
}

let s: StartedSimulator;

beforeAll(async () => {
  s = await startSimulator({ exchange: "whitebit", seed: 7, markets: MARKETS, tradesPerSecond: 0 });
});
afterAll(() => s.stop());

describe("WhiteBIT WebSocket: JSON-RPC on /ws", () => {
  test("only /ws upgrades; ping → pong, time, unknown and private methods, bad params", async () => {
    expect((await fetch(`${s.url}/stream`)).status).toBe(404);
    const c = await connect(`${s.wsUrl}/ws`);
    expect(await request(c, 0, "ping")).toEqual({ id: 0, result: "pong", error: null });
    const time = await request(c, 1, "time");
    expect(Math.abs(time.result - Date.now() / 1000)).toBeLessThan(5);
    expect(await request(c, 2, "nope_subscribe")).toEqual({
      id: 2,
      result: null,
      error: { code: 4, message: "method not found" },
    });
    expect((await request(c, 3, "balanceSpot_subscribe", ["USDT"])).error).toEqual({
      code: 6,
      message: "require authentication",
    });
    expect((await request(c, 4, "trades_subscribe", ["XRP_EUR"])).error.code).toBe(1);
    expect((await request(c, 5, "candles_subscribe", ["BTC_USDT", 7])).error.code).toBe(1);
    expect((await request(c, 6, "depth_subscribe", ["BTC_USDT", 7, "0", true])).error.code).toBe(1);
    c.send('{"id":7,"method":"trades_subscribe","params":{}}');
    await c.waitFor(() => replies(c, 7).length > 0);
    expect(replies(c, 7)[0].error.code).toBe(1);
    // the adapter reads every reply
    const p = parser();
    expect(c.messages.map((m) => p.parse(m).kind)).toEqual([
      "control",
      "ack",
      "error",
      "error",
      "error",
      "error",
      "error",
      "error",
    ]);
    c.close();
  });

  test("invalid JSON closes the connection", async () => {
    const c = await connect(`${s.wsUrl}/ws`);
    c.send("{not json");
    expect((await c.closed).code).toBe(1003);
  });

  test("a new trades_subscribe REPLACES the market set; [] means every market", async () => {
    const c = await connect(`${s.wsUrl}/ws`);
    await request(c, 1, "trades_subscribe", ["BTC_USDT"]);
    s.sim.generate("BTC-USDT", 1);
    s.sim.generate("ETH-USDT", 1);
    await c.waitFor(() => pushes(c, "trades_update").length === 1);
    await request(c, 2, "trades_subscribe", ["ETH_USDT"]); // replays ETH's one trade
    await c.waitFor(() => pushes(c, "trades_update").length === 2);
    s.sim.generate("BTC-USDT", 1);
    s.sim.generate("ETH-USDT", 1);
    await c.waitFor(() => pushes(c, "trades_update").length === 3);
    await Bun.sleep(50);
    expect(pushes(c, "trades_update").map((m: Json) => m.params[0])).toEqual([
      "BTC_USDT",
      "ETH_USDT",
      "ETH_USDT",
    ]);
    await request(c, 3, "trades_unsubscribe");
    s.sim.generate("ETH-USDT", 1);
    await Bun.sleep(50);
    expect(pushes(c, "trades_update")).toHaveLength(3);
    await request(c, 4, "trades_subscribe", []);
    await c.waitFor(() => pushes(c, "trades_update").length === 5, 2000, "the replay of both markets");
    c.close();
  });

  test("trades: live batches and the subscribe replay (≤ 100, newest first) parse to the ground truth", async () => {
    const m = "BTC-USDT";
    s.sim.generate(m, 130);
    const c = await connect(`${s.wsUrl}/ws`);
    await request(c, 1, "trades_subscribe", ["BTC_USDT"]);
    await c.waitFor(() => pushes(c, "trades_update").length === 1);
    const replay = pushes(c, "trades_update")[0].params[1];
    expect(replay).toHaveLength(100);
    expect(replay[0].id).toBeGreaterThan(replay[99].id);
    s.sim.generate(m, 5);
    await c.waitFor(() => pushes(c, "trades_update").length === 2);
    const p = parser();
    const trades = c.messages.flatMap((f) => {
      const r = p.parse(f);
      return r.kind === "data" ? r.messages : [];
    });
    const truth = s.sim.truth.recentTrades(m, 105);
    expect(trades.map((t) => t.type === "trade" && [t.id, t.price, t.amount, t.side, t.ts])).toEqual(
      truth.map((t) => [String(t.id), t.price, t.amount, t.side, t.ts]),
    );
    c.close();
  });

  test("bookTicker, market (24 h), lastprice and marketToday pushes", async () => {
    const c = await connect(`${s.wsUrl}/ws`);
    await request(c, 1, "bookTicker_subscribe", ["ETH_USDT"]);
    await request(c, 2, "market_subscribe", ["ETH_USDT"]);
    await request(c, 3, "lastprice_subscribe", ["ETH_USDT"]);
    await request(c, 4, "marketToday_subscribe", ["ETH_USDT"]);
    s.sim.generate("ETH-USDT", 3);
    await c.waitFor(
      () =>
        pushes(c, "bookTicker_update").length > 0 &&
        pushes(c, "market_update").length > 0 &&
        pushes(c, "lastprice_update").length > 0 &&
        pushes(c, "marketToday_update").length > 0,
      2500,
      "pushes",
    );
    const p = parser();
    const kinds = new Set(
      c.messages.map((f) => {
        const r = p.parse(f);
        return r.kind === "data" ? r.messages[0]!.type : r.kind === "ignored" ? r.reason : r.kind;
      }),
    );
    expect([...kinds].sort()).toEqual([
      "ack",
      "bbo",
      "ticker",
      "unsupported:lastprice_update",
      "unsupported:marketToday_update",
    ]);
    const last = c.messages
      .map((f) => p.parse(f))
      .filter((r) => r.kind === "data" && r.messages[0]!.type === "bbo")
      .at(-1);
    const bbo = s.sim.truth.bbo("ETH-USDT");
    expect(last?.kind === "data" && last.messages[0]).toMatchObject({
      bidPrice: bbo.bidPrice,
      bidAmount: bbo.bidAmount,
      askPrice: bbo.askPrice,
      askAmount: bbo.askAmount,
      seq: bbo.updateId,
    });
    const ticker = s.sim.truth.ticker("ETH-USDT");
    const t = pushes(c, "market_update").at(-1).params[1];
    expect([Number(t.last), Number(t.high), Number(t.low), t.period]).toEqual([
      ticker.last,
      ticker.high,
      ticker.low,
      86400,
    ]);
    c.close();
  });
});

describe("depth", () => {
  test("a snapshot, then deltas chained by past_update_id; the replayed book equals the exchange's top 20", async () => {
    const m = "ETH-USDT";
    const c = await connect(`${s.wsUrl}/ws`);
    await request(c, 1, "depth_subscribe", ["ETH_USDT", 20, "0", true]);
    for (let i = 0; i < 10; i++) {
      s.sim.generate(m, 5);
      await Bun.sleep(120);
    }
    await Bun.sleep(150);
    const p = parser();
    const books = c.messages.flatMap((f) => {
      const r = p.parse(f);
      return r.kind === "data" ? (r.messages as Book[]) : [];
    });
    expect(books[0]!.kind).toBe("snapshot");
    expect(books.length).toBeGreaterThan(5);
    const bids = new Map<number, number>();
    const asks = new Map<number, number>();
    let last = -1;
    for (const b of books) {
      if (b.kind === "snapshot") {
        bids.clear();
        asks.clear();
      } else expect(b.prevSeq).toBe(last);
      for (const [px, q] of b.bids) q === 0 ? bids.delete(px) : bids.set(px, q);
      for (const [px, q] of b.asks) q === 0 ? asks.delete(px) : asks.set(px, q);
      last = b.seq;
    }
    const truth = s.sim.generator.book(m).snapshot(20);
    expect(last).toBe(truth.lastUpdateId);
    expect([...bids].sort((a, b) => b[0] - a[0])).toEqual(truth.bids);
    expect([...asks].sort((a, b) => a[0] - b[0])).toEqual(truth.asks);
    c.close();
  });

  test("several depth subscriptions per connection (flag true); flag false replaces them; unsubscribe one market", async () => {
    const c = await connect(`${s.wsUrl}/ws`);
    await request(c, 1, "depth_subscribe", ["BTC_USDT", 5, "0", true]);
    await request(c, 2, "depth_subscribe", ["ETH_USDT", 5, "0", true]);
    await c.waitFor(() => pushes(c, "depth_update").length === 2);
    await request(c, 3, "depth_unsubscribe", ["BTC_USDT"]);
    s.sim.generate("BTC-USDT", 20);
    s.sim.generate("ETH-USDT", 20);
    await Bun.sleep(250);
    expect(
      new Set(
        pushes(c, "depth_update")
          .slice(2)
          .map((u: Json) => u.params[2]),
      ),
    ).toEqual(new Set(["ETH_USDT"]));
    await request(c, 4, "depth_subscribe", ["BTC_USDT", 5, "0", false]);
    const n = pushes(c, "depth_update").length;
    s.sim.generate("BTC-USDT", 20);
    s.sim.generate("ETH-USDT", 20);
    await Bun.sleep(250);
    expect(
      new Set(
        pushes(c, "depth_update")
          .slice(n)
          .map((u: Json) => u.params[2]),
      ),
    ).toEqual(new Set(["BTC_USDT"]));
    c.close();
  });

  test("skipBookUpdates leaves a hole the continuity rule sees", async () => {
    const c = await connect(`${s.wsUrl}/ws`);
    await request(c, 1, "depth_subscribe", ["BTC_USDT", 100, "0", true]);
    s.sim.generate("BTC-USDT", 3);
    await Bun.sleep(150);
    s.sim.skipBookUpdates("BTC-USDT", 1);
    s.sim.generate("BTC-USDT", 3);
    await Bun.sleep(150);
    s.sim.generate("BTC-USDT", 3);
    await Bun.sleep(150);
    const p = parser();
    const books = c.messages.flatMap((f) => {
      const r = p.parse(f);
      return r.kind === "data" ? (r.messages as Book[]) : [];
    });
    const breaks = books.slice(1).filter((b, i) => b.prevSeq !== books[i]!.seq);
    expect(breaks).toHaveLength(1);
    c.close();
  });

  test("after 10 s without a push the subscription gets a full snapshot again (update_id may jump)", () => {
    const g = new MarketGenerator({ seed: 1, markets: ["BTC-USDT"], bookDepth: 50 });
    const book = g.book("BTC-USDT");
    const { sub, push } = subscribeDepth("BTC-USDT", 5, book, 0);
    expect(push.kind).toBe("snapshot");
    expect(nextDepthPush(sub, book, 100)).toBeUndefined();
    g.generate("BTC-USDT", 3, 1);
    const delta = nextDepthPush(sub, book, 200);
    expect(delta?.kind === "delta" && [delta.pastUpdateId, delta.updateId]).toEqual([0, book.lastUpdateId]);
    expect(nextDepthPush(sub, book, 9_000)).toBeUndefined();
    const keepalive = nextDepthPush(sub, book, 10_200);
    expect(keepalive?.kind).toBe("snapshot");
    expect(keepalive?.kind === "snapshot" && keepalive.snapshot.bids).toHaveLength(5);
  });
});

describe("candles", () => {
  test("one stream per connection every 0.5 s; the adapter takes the period from the ack and closes candles on rollover", async () => {
    const c = await connect(`${s.wsUrl}/ws`);
    const frames = adapter.ws.subscribeFrames(
      [{ channel: "candle", market: "BTC-USDT", interval: "1s" }],
      () => 1,
    );
    c.send(frames[0]!);
    s.sim.generate("BTC-USDT", 2);
    await c.waitFor(() => pushes(c, "candles_update").length >= 4, 3000, "four candle pushes");
    const p = parser();
    const candles = c.messages.flatMap((f) => {
      const r = p.parse(f);
      return r.kind === "data" ? (r.messages as Candle[]) : [];
    });
    expect(candles.every((k) => k.interval === "1s" && k.closeTime === k.openTime + 999)).toBe(true);
    const closed = candles.filter((k) => k.closed);
    expect(closed.length).toBeGreaterThan(0);
    // provisional closes: stamped before the close time (the final candle comes from REST)
    expect(closed.every((k) => k.ts < k.closeTime && k.ts >= k.openTime)).toBe(true);
    // a second candles_subscribe replaces the first
    await request(c, 2, "candles_subscribe", ["ETH_USDT", 60]);
    const n = pushes(c, "candles_update").length;
    await c.waitFor(() => pushes(c, "candles_update").length >= n + 2, 2000);
    const later = pushes(c, "candles_update").slice(n + 1);
    expect(later.every((u: Json) => u.params[0][7] === "ETH_USDT")).toBe(true);
    const live = s.sim.truth.liveCandle("ETH-USDT", "1m");
    expect(later.at(-1).params[0][0]).toBe(live.openTime / 1000);
    c.close();
  });
});

describe("keepalive and request limit", () => {
  test("no server pings; a client that stays silent is closed after the inactivity deadline; pings keep it open", async () => {
    const q = await startSimulator({
      exchange: "whitebit",
      markets: ["BTC-USDT"],
      tradesPerSecond: 0,
      pongTimeoutMs: 300,
    });
    try {
      const silent = await connect(`${q.wsUrl}/ws`);
      const talker = await connect(`${q.wsUrl}/ws`);
      const t0 = Date.now();
      const timer = setInterval(
        () => talker.send(adapter.ws.keepalive.kind === "client-ping" ? adapter.ws.keepalive.message : ""),
        100,
      );
      const closed = await silent.closed;
      const elapsed = Date.now() - t0;
      expect(elapsed).toBeGreaterThanOrEqual(280);
      expect(elapsed).toBeLessThan(1500);
      expect(closed.code).toBe(1000);
      expect(silent.pings).toBe(0);
      await Bun.sleep(300);
      clearInterval(timer);
      expect(talker.isClosed()).toBe(false);
      expect(talker.json().every((m: Json) => m.result === "pong")).toBe(true);
      expect((q.sim.info() as Json).profile.idleClosed).toBe(1);
      talker.close();
    } finally {
      await q.stop();
    }
  });

  test("200 requests per minute per connection; the 201st is refused with error 7", async () => {
    const c = await connect(`${s.wsUrl}/ws`);
    for (let i = 1; i <= 201; i++) c.send({ id: i, method: "ping", params: [] });
    await c.waitFor(() => c.messages.length === 201, 3000, "201 replies");
    const last = c.json().at(-1);
    expect(last).toEqual({ id: 201, result: null, error: { code: 7, message: "too many requests" } });
    expect(c.json().filter((m: Json) => m.result === "pong")).toHaveLength(200);
    const p = parser();
    expect(p.parse(c.messages.at(-1)!)).toEqual({
      kind: "error",
      id: 201,
      message: "too many requests (code 7)",
    });
    c.close();
  });
});

describe("the adapter's plan against the simulator", () => {
  test("after a drop, reconnecting and resubscribing replays the latest trades: a short gap heals itself", async () => {
    const q = await startSimulator({ exchange: "whitebit", markets: ["BTC-USDT"], tradesPerSecond: 0 });
    try {
      const frames = adapter.ws.subscribeFrames([{ channel: "trade", market: "BTC-USDT" }], () => 1);
      const got = new Set<string>();
      const collect = (c: TestSocket) => {
        const p = parser();
        for (const f of c.messages) {
          const r = p.parse(f);
          if (r.kind === "data") for (const m of r.messages) if (m.type === "trade") got.add(m.id);
        }
      };
      const a = await connect(`${q.wsUrl}/ws`);
      for (const f of frames) a.send(f);
      await a.waitFor(() => a.messages.length === 1, 2000, "the ack");
      q.sim.generate("BTC-USDT", 10);
      await a.waitFor(() => a.messages.length === 2, 2000, "ten trades");
      expect(q.sim.dropConnections()).toBe(1);
      expect((await a.closed).code).toBe(1006);
      collect(a);
      q.sim.generate("BTC-USDT", 20); // while nobody listens
      const b = await connect(`${q.wsUrl}/ws`);
      for (const f of frames) b.send(f);
      await b.waitFor(() => b.messages.length === 2, 2000, "the ack and the replay");
      collect(b);
      expect([...got].sort((x, y) => +x - +y)).toEqual(
        q.sim.truth.trades("BTC-USDT").map((t) => String(t.id)),
      );
      b.close();
    } finally {
      await q.stop();
    }
  });

  test("300 markets × trade/bbo/ticker: 3 connections, 3 requests each, every market acknowledged; malformed frames are invalid", async () => {
    const markets = Array.from({ length: 300 }, (_, i) => `W${i}-USDT`);
    const q = await startSimulator({ exchange: "whitebit", markets, tradesPerSecond: 0 });
    try {
      const subs: Subscription[] = markets.flatMap((market) => [
        { channel: "trade", market },
        { channel: "bbo", market },
        { channel: "ticker", market },
      ]);
      const plans = adapter.ws.plan(subs, q.wsUrl);
      expect(plans).toHaveLength(3);
      const sockets: TestSocket[] = [];
      let id = 1;
      for (const plan of plans) {
        const c = await connect(plan.url);
        sockets.push(c);
        for (const f of adapter.ws.subscribeFrames(plan.subscriptions, () => id++)) c.send(f);
      }
      await Promise.all(sockets.map((c) => c.waitFor(() => c.messages.length >= 3, 3000, "three acks")));
      for (const c of sockets)
        expect(c.json().map((m: Json) => m.result)).toEqual(Array(3).fill({ status: "success" }));
      q.sim.generate("W250-USDT", 1);
      await sockets[2]!.waitFor(() => pushes(sockets[2]!, "trades_update").length === 1);
      await Bun.sleep(1100); // the 24 h statistics of every market
      const p = parser();
      const parsed = sockets.flatMap((c) => c.messages.map((f) => p.parse(f)));
      expect(parsed.filter((r) => r.kind === "invalid")).toEqual([]);
      const tickers = parsed
        .flatMap((r) => (r.kind === "data" ? r.messages : []))
        .filter((m: MarketMessage) => m.type === "ticker");
      expect(new Set(tickers.map((t) => t.market)).size).toBe(300);
      const sent = q.sim.sendMalformed(8);
      expect(sent.connections).toBe(3);
      await Promise.all(sockets.map((c) => c.waitFor(() => c.messages.length >= parsed.length / 3, 1000)));
      await Bun.sleep(100);
      const tail = sockets[0]!.messages.slice(-8).map((f) => p.parse(f));
      expect(tail.map((r) => r.kind)).toEqual(Array(8).fill("invalid"));
      for (const c of sockets) c.close();
    } finally {
      await q.stop();
    }
  }, 15_000);
});
