import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import {
  type Book,
  type Candle,
  type FrameResult,
  getAdapter,
  type MarketMessage,
  type ParseContext,
  type Subscription,
  type Ticker,
  type Trade,
} from "@tickerplant/core";
// the book helper is Kraken's own (not part of the adapter contract)
import {
  applyKrakenBook,
  createKrakenBook,
  KRAKEN_BOOK_DEPTH,
  verifyKrakenBook,
} from "../../core/src/exchanges/kraken/index.ts";
import { type StartedSimulator, startSimulator } from "../src/index.ts";
import { MAX_REQUESTS_PER_SECOND } from "../src/simulator/profiles/kraken/index.ts";
import { waitFor } from "../src/until.ts";
import { connect, type TestSocket } from "./helpers/ws-client.ts";

/** The Kraken profile speaks WebSocket v2 and the public REST API; the kraken adapter reads both. */

const adapter = getAdapter("kraken")!;
const MARKETS = ["BTC-USDT", "ETH-USDT", "DOGE-USD"];

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

function js(c: TestSocket): Json[] {
  return c.json() as Json[];
}

// Our listeners' state is polled with waitFor: the socket helper checks its predicates before they run.
function counter(start = 1): () => number {
  let n = start;
  return () => n++;
}

async function subscribe(c: TestSocket, subs: Subscription[], acks: number): Promise<void> {
  for (const f of adapter.ws.subscribeFrames(subs, counter())) c.send(f);
  await c.waitFor(
    () => js(c).filter((m: Json) => m.method === "subscribe").length >= acks,
    3000,
    `${acks} acks`,
  );
}

let s: StartedSimulator;
beforeAll(async () => {
  s = await startSimulator({ exchange: "kraken", seed: 7, markets: MARKETS, tradesPerSecond: 0 });
});
afterAll(() => s.stop());

describe("Kraken WebSocket v2", () => {
  test("/v2 only; the status frame comes first; subscribe acks per symbol parse as acks", async () => {
    const c = await connect(`${s.wsUrl}/v2`);
    try {
      await c.waitFor(() => c.messages.length >= 1, 2000, "status");
      expect(JSON.parse(c.messages[0]!)).toMatchObject({
        channel: "status",
        type: "update",
        data: [{ api_version: "v2", system: "online" }],
      });
      const p = parser();
      expect(p.parse(c.messages[0]!)).toEqual({ kind: "ignored", reason: "status" });
      await subscribe(
        c,
        MARKETS.map((market) => ({ channel: "trade", market })),
        3,
      );
      const acks = js(c).filter((m: Json) => m.method === "subscribe");
      expect(acks.map((a: Json) => a.result.symbol)).toEqual(["BTC/USDT", "ETH/USDT", "DOGE/USD"]);
      expect(acks[0]).toMatchObject({
        success: true,
        req_id: 1,
        result: { channel: "trade", snapshot: true },
      });
      for (const a of acks) expect(p.parse(JSON.stringify(a))).toEqual({ kind: "ack", id: 1 });
    } finally {
      c.close();
    }
    expect((await fetch(`${s.url}/ws`)).status).toBe(404);
  });

  test("trades: trade_id is the simulated id; the snapshot holds recent trades", async () => {
    const before = s.sim.generate("ETH-USDT", 3).map((t) => String(t.id));
    const c = await connect(`${s.wsUrl}/v2`);
    const p = parser();
    const trades: Trade[] = [];
    c.ws.addEventListener("message", (e) => {
      const r = p.parse(String(e.data));
      if (r.kind === "data") for (const m of r.messages) if (m.type === "trade") trades.push(m);
    });
    try {
      await subscribe(c, [{ channel: "trade", market: "ETH-USDT" }], 1);
      await waitFor("snapshot trades", () => trades.length >= 3, { timeoutMs: 2000, stepMs: 10 });
      expect(trades.slice(0, 3).map((t) => t.id)).toEqual(before.slice(-3));
      const sent = s.sim.generate("ETH-USDT", 5);
      await waitFor("live trades", () => trades.length >= 8, { timeoutMs: 2000, stepMs: 10 });
      expect(trades.slice(3).map((t) => t.id)).toEqual(sent.map((t) => String(t.id)));
      const truth = sent[0]!;
      expect(trades[3]).toMatchObject({
        exchange: "kraken",
        market: "ETH-USDT",
        symbol: "ETH/USDT",
        ts: truth.ts,
        price: truth.price,
        amount: truth.amount,
        side: truth.side,
      });
    } finally {
      c.close();
    }
  });

  test("book: every update's checksum passes on the adapter's book; a withheld update breaks it", async () => {
    const c = await connect(`${s.wsUrl}/v2`);
    const p = parser();
    const book = createKrakenBook(KRAKEN_BOOK_DEPTH);
    const verdicts: Array<boolean | undefined> = [];
    let snapshots = 0;
    let snapshot: Book | undefined;
    c.ws.addEventListener("message", (e) => {
      const r = p.parse(String(e.data));
      if (r.kind !== "data") return;
      for (const m of r.messages) {
        if (m.type !== "book") continue;
        if (m.kind === "snapshot") {
          snapshots++;
          snapshot = m;
        }
        applyKrakenBook(book, m);
        verdicts.push(verifyKrakenBook(book, m));
      }
    });
    try {
      await subscribe(c, [{ channel: "book", market: "BTC-USDT" }], 1);
      const ack = js(c).find((m: Json) => m.method === "subscribe");
      expect(ack.result).toEqual({
        channel: "book",
        depth: KRAKEN_BOOK_DEPTH,
        snapshot: true,
        symbol: "BTC/USDT",
      });
      await waitFor("book snapshot", () => snapshots === 1, { timeoutMs: 2000, stepMs: 10 });
      expect(book.bids.length).toBeGreaterThan(10);
      for (let i = 0; i < 20; i++) {
        s.sim.generate("BTC-USDT", 5);
        await Bun.sleep(30);
      }
      await waitFor("book updates", () => verdicts.length >= 6, { timeoutMs: 3000, stepMs: 10 });
      await Bun.sleep(250);
      expect(verdicts.every((v) => v === true)).toBe(true);
      // exact strings: the pair's precision survives JSON
      const snap = snapshot!;
      const [p0, q0] = snap.exact!.bids[0]!;
      const text = c.messages.find((m) => m.includes('"type":"snapshot"') && m.includes('"channel":"book"'))!;
      expect(text).toContain(`{"price":${p0},"qty":${q0}}`);
      expect(q0.split(".")[1]).toHaveLength(s.sim.generator.spec("BTC-USDT").qtyDecimals);
      expect(snap.checksum).toBeGreaterThan(0);

      const n = verdicts.length;
      s.sim.skipBookUpdates("BTC-USDT", 1);
      s.sim.generate("BTC-USDT", 5);
      await Bun.sleep(250);
      for (let i = 0; i < 5 && verdicts.length === n; i++) {
        s.sim.generate("BTC-USDT", 5);
        await Bun.sleep(150);
      }
      expect(verdicts.length).toBeGreaterThan(n);
      expect(verdicts.slice(n)).toContain(false);
    } finally {
      c.close();
    }
  });

  test("ticker with event_trigger bbo → ticker + bbo; ohlc → candles; snapshots on subscribe", async () => {
    s.sim.generate("DOGE-USD", 4);
    const c = await connect(`${s.wsUrl}/v2`);
    const p = parser();
    const got: MarketMessage[] = [];
    c.ws.addEventListener("message", (e) => {
      const r = p.parse(String(e.data));
      if (r.kind === "data") got.push(...r.messages);
    });
    try {
      await subscribe(
        c,
        [
          { channel: "bbo", market: "DOGE-USD" },
          { channel: "ticker", market: "DOGE-USD" },
          { channel: "candle", market: "DOGE-USD", interval: "1m" },
          { channel: "candle", market: "DOGE-USD", interval: "1h" },
        ],
        3,
      );
      const acks = js(c).filter((m: Json) => m.method === "subscribe");
      expect(acks.map((a: Json) => a.result)).toEqual([
        { channel: "ticker", event_trigger: "bbo", snapshot: true, symbol: "DOGE/USD" },
        { channel: "ohlc", interval: 1, snapshot: true, symbol: "DOGE/USD" },
        { channel: "ohlc", interval: 60, snapshot: true, symbol: "DOGE/USD" },
      ]);
      await waitFor("snapshots", () => got.length >= 4, { timeoutMs: 2000, stepMs: 10 });
      s.sim.generate("DOGE-USD", 3);
      await waitFor("candle updates", () => got.filter((m) => m.type === "candle").length >= 4, {
        timeoutMs: 2000,
        stepMs: 10,
      });
      const truthTicker = s.sim.truth.ticker("DOGE-USD");
      const tickers = got.filter((m): m is Ticker => m.type === "ticker");
      expect(tickers.length).toBeGreaterThanOrEqual(1);
      expect(tickers.at(-1)!.last).toBe(truthTicker.last);
      expect(got.some((m) => m.type === "bbo")).toBe(true);
      const live = s.sim.truth.liveCandle("DOGE-USD", "1m");
      const last1m = got.filter((m): m is Candle => m.type === "candle" && m.interval === "1m").at(-1)!;
      expect([last1m.openTime, last1m.trades, last1m.closed, last1m.close]).toEqual([
        live.openTime,
        live.trades,
        false,
        live.close,
      ]);
    } finally {
      c.close();
    }
  });

  test("errors: unknown pair, duplicate, bad depth, unknown method/channel, malformed; ping → pong", async () => {
    const c = await connect(`${s.wsUrl}/v2`);
    const p = parser();
    try {
      c.send({ method: "subscribe", params: { channel: "trade", symbol: ["NOPE/USD"] }, req_id: 3 });
      c.send({ method: "subscribe", params: { channel: "trade", symbol: ["BTC/USDT"] }, req_id: 4 });
      c.send({ method: "subscribe", params: { channel: "trade", symbol: ["BTC/USDT"] }, req_id: 5 });
      c.send({ method: "subscribe", params: { channel: "book", symbol: ["BTC/USDT"], depth: 7 }, req_id: 6 });
      c.send({ method: "subscribe", params: { channel: "spread", symbol: ["BTC/USDT"] }, req_id: 7 });
      c.send({ method: "fly", req_id: 8 });
      c.send("not json");
      c.send({ method: "ping", req_id: 9 });
      c.send({ method: "unsubscribe", params: { channel: "trade", symbol: ["ETH/USDT"] }, req_id: 10 });
      c.send({ method: "subscribe", params: { channel: "trade", symbol: ["XBT/USDT"] }, req_id: 11 });
      await c.waitFor(() => js(c).filter((m: Json) => m.time_in !== undefined).length >= 10, 2000, "replies");
      const replies = js(c).filter((m: Json) => m.time_in !== undefined);
      const results = replies.map((m: Json) => p.parse(JSON.stringify(m)));
      expect(results).toEqual([
        { kind: "error", id: 3, message: "subscribe: Currency pair not supported (symbol NOPE/USD)" },
        { kind: "ack", id: 4 },
        { kind: "error", id: 5, message: "subscribe: Already subscribed (symbol BTC/USDT)" },
        { kind: "error", id: 6, message: "subscribe: EGeneral:Invalid arguments:depth" },
        { kind: "error", id: 7, message: "subscribe: Channel not found: spread" },
        { kind: "error", id: 8, message: "fly: Method not found: fly" },
        { kind: "error", id: null, message: "Malformed request" },
        { kind: "control", event: "pong" },
        { kind: "error", id: 10, message: "unsubscribe: Subscription Not Found (symbol ETH/USDT)" },
        // v2 takes ISO names only
        { kind: "error", id: 11, message: "subscribe: Currency pair not supported (symbol XBT/USDT)" },
      ]);
      expect(replies[7]).toMatchObject({ method: "pong", req_id: 9 });
      c.send({ method: "unsubscribe", params: { channel: "trade", symbol: ["BTC/USDT"] }, req_id: 12 });
      await c.waitFor(
        () => js(c).some((m: Json) => m.method === "unsubscribe" && m.success),
        2000,
        "unsub ack",
      );
      expect(js(c).find((m: Json) => m.method === "unsubscribe" && m.success).result).toEqual({
        channel: "trade",
        symbol: "BTC/USDT",
      });
    } finally {
      c.close();
    }
  });

  test("request rate: beyond the limit Kraken answers 'Exceeded msg rate' and keeps the connection", async () => {
    const c = await connect(`${s.wsUrl}/v2`);
    try {
      for (let i = 0; i < MAX_REQUESTS_PER_SECOND + 3; i++) c.send({ method: "ping", req_id: i });
      await c.waitFor(() => js(c).filter((m: Json) => m.time_in).length >= MAX_REQUESTS_PER_SECOND + 3, 2000);
      const replies = js(c).filter((m: Json) => m.time_in);
      expect(replies.filter((m: Json) => m.method === "pong")).toHaveLength(MAX_REQUESTS_PER_SECOND);
      expect(replies.filter((m: Json) => m.error === "Exceeded msg rate")).toHaveLength(3);
      expect(parser().parse(JSON.stringify(replies.at(-1)))).toEqual({
        kind: "error",
        id: null,
        message: "Exceeded msg rate",
      });
      await Bun.sleep(1100);
      c.send({ method: "ping", req_id: 99 });
      await c.waitFor(() => js(c).some((m: Json) => m.req_id === 99), 2000, "pong after the window");
      expect(c.isClosed()).toBe(false);
    } finally {
      c.close();
    }
  });

  test("heartbeat ~1/s on a quiet subscribed connection only; it continues through a stall, not a silent one", async () => {
    const quiet = await connect(`${s.wsUrl}/v2`);
    const bare = await connect(`${s.wsUrl}/v2`);
    const p = parser();
    const beats = (c: TestSocket) => c.messages.filter((m) => m === '{"channel":"heartbeat"}').length;
    try {
      await subscribe(quiet, [{ channel: "trade", market: "BTC-USDT" }], 1);
      await quiet.waitFor(() => beats(quiet) >= 2, 3500, "two heartbeats");
      expect(p.parse('{"channel":"heartbeat"}')).toEqual({ kind: "control", event: "heartbeat" });
      expect(beats(bare)).toBe(0);
      s.sim.stall(2500);
      const before = beats(quiet);
      await quiet.waitFor(() => beats(quiet) > before, 2000, "a heartbeat during the stall");
      s.sim.stall(1500, { silent: true });
      const n = beats(quiet);
      await Bun.sleep(1300);
      expect(beats(quiet)).toBe(n);
      await quiet.waitFor(() => beats(quiet) > n, 3000, "heartbeats after the silent stall");
      expect(quiet.isClosed()).toBe(false);
      expect(bare.isClosed()).toBe(false);
    } finally {
      quiet.close();
      bare.close();
    }
  }, 15_000);

  test("a connection takes at most maxStreamsPerConnection subscriptions", async () => {
    const small = await startSimulator({
      exchange: "kraken",
      markets: ["A1-USD", "A2-USD", "A3-USD"],
      tradesPerSecond: 0,
      maxStreamsPerConnection: 2,
    });
    const c = await connect(`${small.wsUrl}/v2`);
    try {
      c.send({
        method: "subscribe",
        params: { channel: "trade", symbol: ["A1/USD", "A2/USD", "A3/USD"] },
        req_id: 1,
      });
      await c.waitFor(() => js(c).filter((m: Json) => m.method === "subscribe").length >= 3, 2000);
      const r = js(c).filter((m: Json) => m.method === "subscribe");
      expect(r.map((m: Json) => m.success)).toEqual([true, true, false]);
      expect(r[2].error).toMatch(/Subscription limit/);
    } finally {
      c.close();
      await small.stop();
    }
  });

  test("malformed frames (sendMalformed) are all rejected by the adapter as invalid", async () => {
    const c = await connect(`${s.wsUrl}/v2`);
    const p = parser();
    try {
      await subscribe(c, [{ channel: "trade", market: "ETH-USDT" }], 1);
      await Bun.sleep(100);
      const from = c.messages.length;
      expect(s.sim.sendMalformed(8).frames).toBe(8);
      await c.waitFor(() => c.messages.length >= from + 8, 2000, "malformed frames");
      const kinds = c.messages.slice(from, from + 8).map((f) => p.parse(f).kind);
      expect(kinds).toEqual(Array(8).fill("invalid"));
    } finally {
      c.close();
    }
  });
});

describe("Kraken REST", () => {
  const get = async (path: string) => {
    const r = await fetch(`${s.url}${path}`);
    return { status: r.status, headers: r.headers, body: (await r.json()) as Json };
  };

  test("AssetPairs → the adapter's markets (XBT wsname → BTC market, v2 symbol)", async () => {
    const r = await get("/0/public/AssetPairs");
    expect(r.status).toBe(200);
    expect(r.headers.get("x-tickerplant-simulated")).toBe("1");
    expect(Object.keys(r.body.result)).toEqual(["XBTUSDT", "ETHUSDT", "XDGUSD"]);
    expect(r.body.result.XBTUSDT.wsname).toBe("XBT/USDT");
    const markets = adapter.rest.parseMarkets(r.body);
    expect(markets.map((m) => [m.market, m.symbol, m.status])).toEqual([
      ["BTC-USDT", "BTC/USDT", "trading"],
      ["ETH-USDT", "ETH/USDT", "trading"],
      ["DOGE-USD", "DOGE/USD", "trading"],
    ]);
    const spec = s.sim.generator.spec("BTC-USDT");
    expect([markets[0]!.tickSize, markets[0]!.lotSize]).toEqual([spec.tickSize, spec.stepSize]);
    expect((await get("/0/public/AssetPairs?pair=NOPE")).body).toEqual({
      error: ["EQuery:Unknown asset pair"],
    });
  });

  test("Trades by since (ns) and Depth through the adapter's requests and parsers", async () => {
    const sent = s.sim.generate("BTC-USDT", 30);
    const url = (req: { path: string; query: Record<string, string | number> }) =>
      `${req.path}?${new URLSearchParams(Object.entries(req.query).map(([k, v]): [string, string] => [k, String(v)]))}`;
    const req = adapter.rest.tradesRequest({ market: "BTC-USDT", startTime: sent[0]!.ts, limit: 1000 });
    const trades = adapter.rest.parseTrades((await get(url(req))).body, { recvTs: 1, market: "BTC-USDT" });
    const truth = s.sim.truth.trades("BTC-USDT", { from: sent[0]!.ts });
    expect(trades.map((t) => t.id)).toEqual(truth.map((t) => String(t.id)));
    expect(trades.at(-1)).toMatchObject({
      ts: sent.at(-1)!.ts,
      price: sent.at(-1)!.price,
      side: sent.at(-1)!.side,
    });
    const recent = adapter.rest.parseTrades(
      (await get(url(adapter.rest.tradesRequest({ market: "BTC-USDT", limit: 5 })))).body,
      { recvTs: 1, market: "BTC-USDT" },
    );
    expect(recent.map((t) => t.id)).toEqual(sent.slice(-5).map((t) => String(t.id)));
    const depth = adapter.rest.parseDepth((await get(url(adapter.rest.depthRequest("BTC-USDT", 10)))).body, {
      recvTs: 1,
      market: "BTC-USDT",
    });
    expect(depth.bids).toHaveLength(10);
    expect(depth.asks[0]![0]).toBe(s.sim.truth.bbo("BTC-USDT").askPrice);
    expect(depth.exact!.asks[0]![0]).toMatch(/^\d+\.\d+$/);
  });

  test("OHLC: Kraken's rows → candles equal to the ground truth; the last still open", async () => {
    const r = await get("/0/public/OHLC?pair=XBTUSDT&interval=1");
    const candles = adapter.rest.parseKlines(r.body, {
      recvTs: Date.now(),
      market: "BTC-USDT",
      interval: "1m",
    });
    const truth = s.sim.truth.candles("BTC-USDT", "1m");
    expect(candles.map((c) => [c.openTime, c.trades, c.close])).toEqual(
      truth.map((c) => [c.openTime, c.trades, c.close]),
    );
    expect(candles.at(-1)!.closed).toBe(false);
    expect(typeof r.body.result.last).toBe("number");
    expect((await get("/0/public/OHLC?pair=XBTUSDT&interval=2")).body).toEqual({
      error: ["EGeneral:Invalid arguments:interval"],
    });
  });

  test("rate limit: 20 calls per 10 s, then 429 with Kraken's error and Retry-After", async () => {
    const t = await startSimulator({ exchange: "kraken", markets: ["BTC-USD"], tradesPerSecond: 0 });
    try {
      const statuses: number[] = [];
      let last: Response | undefined;
      for (let i = 0; i < 21; i++) {
        last = await fetch(`${t.url}/0/public/Time`);
        statuses.push(last.status);
        if (last.status === 200) await last.arrayBuffer();
      }
      expect(statuses.slice(0, 20).every((x) => x === 200)).toBe(true);
      expect(statuses[20]).toBe(429);
      expect(Number(last!.headers.get("retry-after"))).toBeGreaterThan(0);
      expect(await last!.json()).toEqual({ error: ["EGeneral:Too many requests"] });
    } finally {
      await t.stop();
    }
  });
});
