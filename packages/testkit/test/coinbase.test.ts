import { describe, expect, test } from "bun:test";
import {
  type Book,
  type FrameResult,
  getAdapter,
  type MarketMessage,
  type Subscription,
  type Trade,
} from "@tickerplant/core";
import { type StartedSimulator, startSimulator } from "../src/index.ts";
import { rawConnect } from "./helpers/raw-ws.ts";
import { connect, type TestSocket } from "./helpers/ws-client.ts";

/**
 * The Coinbase Advanced Trade profile, checked with the project's own Coinbase adapter: what the
 * simulator sends must parse, in sequence, to the ground truth.
 */

const coinbase = getAdapter("coinbase")!;

interface Envelope {
  channel?: string;
  type?: string;
  sequence_num?: number;
  events?: Array<Record<string, unknown>>;
  message?: string;
  reason?: string;
}

const sub = (channel: string, product_ids: string[]) => ({ type: "subscribe", product_ids, channel });

/** Parses every frame received so far with the adapter, in one per-connection state. */
function parseAll(c: TestSocket, markets: string[]): FrameResult[] {
  const ctx = {
    recvTs: Date.now(),
    marketOf: (s: string) => (markets.includes(s) ? s : undefined),
    state: new Map<string, unknown>(),
  };
  return c.messages.map((m) => coinbase.parseFrame(m, ctx));
}

function data(results: FrameResult[]): MarketMessage[] {
  return results.flatMap((r) => (r.kind === "data" ? r.messages : []));
}

function envelopes(c: TestSocket): Envelope[] {
  return c.json() as Envelope[];
}

async function withSim(
  options: Parameters<typeof startSimulator>[0],
  fn: (s: StartedSimulator) => Promise<void>,
): Promise<void> {
  const s = await startSimulator({ exchange: "coinbase", tradesPerSecond: 0, ...options });
  try {
    await fn(s);
  } finally {
    await s.stop();
  }
}

describe("coinbase profile: subscribe protocol", () => {
  test("market_trades: snapshot, then the subscriptions answer, then updates; ids = ground truth", async () => {
    await withSim({ markets: ["BTC-USD", "ETH-USD"] }, async (s) => {
      s.sim.generate("BTC-USD", 3); // before the subscription: in the snapshot
      const c = await connect(`${s.wsUrl}/`);
      c.send(sub("market_trades", ["BTC-USD"]));
      await c.waitFor(() => c.messages.length >= 2, 2000, "snapshot and subscriptions");
      const [snap, ack] = envelopes(c);
      expect(snap!.channel).toBe("market_trades");
      expect(snap!.events![0]!.type).toBe("snapshot");
      expect(ack).toMatchObject({
        channel: "subscriptions",
        sequence_num: 1,
        events: [{ subscriptions: { market_trades: ["BTC-USD"] } }],
      });
      s.sim.generate("BTC-USD", 5);
      s.sim.generate("ETH-USD", 5); // not subscribed: not sent
      await c.waitFor(() => c.messages.length >= 3, 2000, "an update");
      const results = parseAll(c, ["BTC-USD"]);
      expect(results.map((r) => r.kind)).toEqual(["data", "ack", "data"]);
      expect(results.every((r) => r.gap === undefined)).toBe(true);
      const trades = data(results) as Trade[];
      const truth = s.sim.truth.trades("BTC-USD");
      expect(trades.map((t) => t.id)).toEqual(truth.map((t) => String(t.id)));
      expect(trades.map((t) => t.side)).toEqual(truth.map((t) => t.side));
      expect(trades.map((t) => t.price)).toEqual(truth.map((t) => t.price));
      expect(trades.map((t) => t.ts)).toEqual(truth.map((t) => t.ts));
      // on the wire: newest first, and the maker's side
      const update = envelopes(c)[2]!.events![0]!.trades as Array<{ trade_id: string; side: string }>;
      expect(update.map((t) => Number(t.trade_id))).toEqual([8, 7, 6, 5, 4]);
      expect(update[0]!.side).toBe(truth[7]!.side === "buy" ? "SELL" : "BUY");
      c.close();
    });
  });

  test("one channel per message; unknown channel, product, auth channels and bad JSON are error frames", async () => {
    await withSim({ markets: ["BTC-USD"] }, async (s) => {
      const c = await connect(`${s.wsUrl}/`);
      c.send({ type: "subscribe", product_ids: ["BTC-USD"], channels: ["level2", "heartbeats"] });
      c.send(sub("level3", ["BTC-USD"]));
      c.send(sub("level2", ["DOGE-USD"]));
      c.send(sub("user", ["BTC-USD"]));
      c.send("{nope");
      c.send(sub("level2", []));
      await c.waitFor(() => c.messages.length >= 6, 2000, "six errors");
      const frames = envelopes(c);
      expect(frames.map((f) => f.type)).toEqual(["error", "error", "error", "error", "error", "error"]);
      expect(frames[0]!.reason).toMatch(/one channel per message/);
      expect(frames[1]!.reason).toMatch(/unknown channel level3/);
      expect(frames[2]!.reason).toMatch(/ProductID is invalid/);
      expect(frames[3]!.reason).toMatch(/authentication/);
      const parsed = parseAll(c, ["BTC-USD"]);
      expect(parsed.every((r) => r.kind === "error")).toBe(true);
      c.close();
    });
  });

  test("level2: the snapshot plus updates rebuild the simulated book exactly", async () => {
    await withSim({ markets: ["BTC-USD"], bookDepth: 20 }, async (s) => {
      const c = await connect(`${s.wsUrl}/`);
      c.send(sub("heartbeats", ["BTC-USD"]));
      c.send(sub("level2", ["BTC-USD"]));
      await c.waitFor(() => envelopes(c).some((f) => f.channel === "l2_data"), 2000, "the snapshot");
      for (let i = 0; i < 10; i++) s.sim.generate("BTC-USD", 3);
      await Bun.sleep(250); // two book flushes
      const results = parseAll(c, ["BTC-USD"]);
      expect(results.every((r) => r.gap === undefined && r.kind !== "invalid")).toBe(true);
      const books = data(results) as Book[];
      expect(books[0]!.kind).toBe("snapshot");
      expect(books.length).toBeGreaterThan(1);
      const bids = new Map<number, number>();
      const asks = new Map<number, number>();
      for (const b of books) {
        if (b.kind === "snapshot") {
          bids.clear();
          asks.clear();
        }
        for (const [p, q] of b.bids) q === 0 ? bids.delete(p) : bids.set(p, q);
        for (const [p, q] of b.asks) q === 0 ? asks.delete(p) : asks.set(p, q);
      }
      const truth = s.sim.generator.book("BTC-USD").snapshot(1000);
      expect([...bids].sort((a, b) => b[0] - a[0])).toEqual(truth.bids);
      expect([...asks].sort((a, b) => a[0] - b[0])).toEqual(truth.asks);
      c.close();
    });
  });

  test("skipBookUpdates loses frames with their sequence numbers: the adapter reports the gap", async () => {
    await withSim({ markets: ["BTC-USD"] }, async (s) => {
      const c = await connect(`${s.wsUrl}/`);
      c.send(sub("level2", ["BTC-USD"]));
      await c.waitFor(() => c.messages.length >= 2, 2000, "snapshot and subscriptions");
      s.sim.skipBookUpdates("BTC-USD", 1);
      s.sim.generate("BTC-USD", 2);
      await Bun.sleep(150);
      s.sim.generate("BTC-USD", 2);
      await c.waitFor(() => c.messages.length >= 3, 2000, "the next update");
      const results = parseAll(c, ["BTC-USD"]);
      const gaps = results.filter((r) => r.gap !== undefined);
      expect(gaps).toHaveLength(1);
      expect(gaps[0]!.gap).toEqual({ fromSeq: 2, toSeq: 2 });
      const delta = (gaps[0] as { messages: Book[] }).messages[0]!;
      expect([delta.kind, delta.prevSeq]).toEqual(["delta", null]); // the book chain is cut
      c.close();
    });
  });

  test("ticker (with best bid/ask → bbo), ticker_batch, candles and status parse", async () => {
    await withSim({ markets: ["ETH-USD", "SOL-USD"] }, async (s) => {
      const c = await connect(`${s.wsUrl}/`);
      c.send(sub("ticker", ["ETH-USD"]));
      c.send(sub("ticker_batch", ["SOL-USD"]));
      c.send(sub("candles", ["ETH-USD"]));
      c.send(sub("status", []));
      await c.waitFor(() => c.messages.length >= 8, 2000, "snapshots and answers");
      s.sim.generate("ETH-USD", 2);
      await c.waitFor(
        () => envelopes(c).filter((f) => f.channel === "ticker").length >= 2,
        2000,
        "a ticker update",
      );
      await c.waitFor(
        () => envelopes(c).filter((f) => f.channel === "candles").length >= 2,
        2500,
        "a candle update",
      );
      const results = parseAll(c, ["ETH-USD", "SOL-USD"]);
      expect(results.filter((r) => r.kind === "invalid")).toEqual([]);
      const msgs = data(results);
      const bbo = msgs.filter((m) => m.type === "bbo").at(-1)!;
      const truth = s.sim.truth.bbo("ETH-USD");
      expect(bbo).toMatchObject({
        bidPrice: truth.bidPrice,
        bidAmount: truth.bidAmount,
        askPrice: truth.askPrice,
      });
      const ticker = msgs.filter((m) => m.type === "ticker" && m.market === "ETH-USD").at(-1)!;
      expect(ticker).toMatchObject({ last: s.sim.truth.ticker("ETH-USD").last });
      expect(msgs.find((m) => m.type === "ticker" && m.market === "SOL-USD")).toMatchObject({
        bid: null,
        ask: null,
      });
      const candle = msgs.filter((m) => m.type === "candle").at(-1)!;
      const live = s.sim.truth.liveCandle("ETH-USD", "5m");
      expect(candle).toMatchObject({
        interval: "5m",
        openTime: live.openTime,
        close: live.close,
        closed: false,
      });
      expect(
        results.filter((r) => r.kind === "ignored").map((r) => (r as { reason: string }).reason),
      ).toContain("unsupported:status");
      c.close();
    });
  });
});

describe("coinbase profile: keepalive rules", () => {
  test("no subscribe within 5 s: disconnected", async () => {
    await withSim({ markets: ["BTC-USD"] }, async (s) => {
      const raw = await rawConnect("127.0.0.1", s.port, "/");
      const t0 = Date.now();
      await raw.closed;
      const elapsed = Date.now() - t0;
      expect(elapsed).toBeGreaterThanOrEqual(4900);
      expect(elapsed).toBeLessThan(6500);
    });
  }, 9000);

  test("without heartbeats an idle channel closes (and then the connection); heartbeats keep it open", async () => {
    await withSim({ markets: ["BTC-USD"], pongTimeoutMs: 400 }, async (s) => {
      const idle = await connect(`${s.wsUrl}/`);
      idle.send(sub("market_trades", ["BTC-USD"]));
      const kept = await connect(`${s.wsUrl}/`);
      kept.send(sub("heartbeats", ["BTC-USD"]));
      kept.send(sub("market_trades", ["BTC-USD"]));
      const closed = await idle.closed;
      expect(closed.reason).toBe("idle");
      await kept.waitFor(
        () => envelopes(kept).filter((f) => f.channel === "heartbeats").length >= 2,
        3000,
        "heartbeats",
      );
      expect(kept.isClosed()).toBe(false);
      s.sim.generate("BTC-USD", 1);
      await kept.waitFor(
        () => envelopes(kept).filter((f) => f.channel === "market_trades").length >= 2,
        2000,
        "trades",
      );
      const results = parseAll(kept, ["BTC-USD"]);
      expect(results.filter((r) => r.kind === "control")).not.toHaveLength(0);
      expect(results.every((r) => r.gap === undefined && r.kind !== "invalid")).toBe(true);
      kept.close();
    });
  });

  test("malformed frames are invalid to the adapter and leave its sequence check alone", async () => {
    await withSim({ markets: ["BTC-USD"] }, async (s) => {
      const c = await connect(`${s.wsUrl}/`);
      c.send(sub("market_trades", ["BTC-USD"]));
      await c.waitFor(() => c.messages.length >= 2, 2000, "subscribed");
      s.sim.sendMalformed(8);
      s.sim.generate("BTC-USD", 1);
      await c.waitFor(() => c.messages.length >= 11, 2000, "malformed frames and a trade");
      const results = parseAll(c, ["BTC-USD"]);
      expect(results.filter((r) => r.kind === "invalid")).toHaveLength(8);
      expect(results.every((r) => r.gap === undefined)).toBe(true);
      c.close();
    });
  });
});

describe("coinbase profile: hundreds of markets with the adapter's plan", () => {
  test("300 markets × trade + book: connections within the limits, every product subscribed, resubscribe after a drop", async () => {
    const markets = Array.from({ length: 300 }, (_, i) => `M${i}-USD`);
    await withSim(
      { markets, maxStreamsPerConnection: coinbase.ws.limits.streamsPerConnection },
      async (s) => {
        const subs: Subscription[] = markets.flatMap((market) => [
          { channel: "trade", market },
          { channel: "book", market },
        ]);
        const plans = coinbase.ws.plan(subs, s.wsUrl);
        expect(plans).toHaveLength(6);
        const open = async () => {
          const conns: TestSocket[] = [];
          for (const p of plans) {
            const c = await connect(p.url === s.wsUrl ? `${p.url}/` : p.url);
            const frames = coinbase.ws.subscribeFrames(p.subscriptions, () => 0);
            // paced (faster than the runtime does; the simulator allows 8 messages/s per connection)
            for (const [i, f] of frames.entries()) {
              if (i > 0) await Bun.sleep(Math.ceil(1000 / (coinbase.ws.limits.messagesPerSecond - 1)) / 10);
              c.send(f);
            }
            conns.push(c);
          }
          for (const [i, c] of conns.entries()) {
            const n = plans[i]!.subscriptions.length / 2;
            // heartbeats, level2 and market_trades answers, each after its snapshots
            await c.waitFor(
              () => envelopes(c).filter((f) => f.channel === "subscriptions").length === 3,
              5000,
              "three subscriptions answers",
            );
            const last = envelopes(c)
              .filter((f) => f.channel === "subscriptions")
              .at(-1)!;
            const subscribed = last.events![0]!.subscriptions as Record<string, string[]>;
            expect(subscribed.level2).toHaveLength(n);
            expect(subscribed.market_trades).toHaveLength(n);
            expect(envelopes(c).some((f) => f.type === "error")).toBe(false);
          }
          return conns;
        };
        const first = await open();
        expect(s.sim.stats()).toMatchObject({ connections: 6 });
        s.sim.dropConnections();
        await Promise.all(first.map((c) => c.closed));
        const second = await open();
        for (const c of second) {
          const results = parseAll(c, markets);
          expect(results.filter((r) => r.kind === "invalid")).toEqual([]);
          expect(results.filter((r) => r.gap !== undefined)).toEqual([]); // a new connection counts from 0 again
          c.close();
        }
      },
    );
  }, 20_000);
});

describe("coinbase profile: REST", () => {
  test("products, candles (newest first, ≤ 350), market trades, product_book, time", async () => {
    await withSim({ markets: ["BTC-USD", "ETH-USD"] }, async (s) => {
      s.sim.generate("BTC-USD", 30);
      const get = async (path: string) => {
        const r = await fetch(`${s.restUrl}${path}`);
        return { status: r.status, body: (await r.json()) as Record<string, unknown> };
      };
      const products = await get("/api/v3/brokerage/market/products?product_type=SPOT");
      const markets = coinbase.rest.parseMarkets(products.body);
      expect(markets.map((m) => [m.market, m.status])).toEqual([
        ["BTC-USD", "trading"],
        ["ETH-USD", "trading"],
      ]);
      const now = Date.now();
      const req = coinbase.rest.klinesRequest({ market: "BTC-USD", interval: "1m", endTime: now, limit: 5 });
      const qs = new URLSearchParams(
        Object.entries(req.query).map(([k, v]): [string, string] => [k, String(v)]),
      );
      const candles = await get(`${req.path}?${qs}`);
      expect(candles.status).toBe(200);
      const parsed = coinbase.rest.parseKlines(candles.body, {
        recvTs: Date.now(),
        market: "BTC-USD",
        interval: "1m",
      });
      const truth = s.sim.truth.candles("BTC-USD", "1m").filter((c) => c.trades > 0);
      expect(parsed.map((c) => [c.openTime, c.close, c.volume])).toEqual(
        truth.map((c) => [c.openTime, c.close, c.volume]),
      );
      const tooWide = await get(
        `/api/v3/brokerage/market/products/BTC-USD/candles?start=0&end=${351 * 60}&granularity=ONE_MINUTE`,
      );
      expect(tooWide.status).toBe(400);
      expect(tooWide.body.error).toBe("INVALID_ARGUMENT");

      const tr = coinbase.rest.tradesRequest({ market: "BTC-USD", limit: 10 });
      const trades = await get(`${tr.path}?limit=10`);
      const t = coinbase.rest.parseTrades(trades.body, { recvTs: Date.now(), market: "BTC-USD" });
      const tt = s.sim.truth.trades("BTC-USD").slice(-10);
      expect(t.map((x) => [x.id, x.side, x.price])).toEqual(tt.map((x) => [String(x.id), x.side, x.price]));

      const book = await get("/api/v3/brokerage/market/product_book?product_id=BTC-USD&limit=5");
      const b = coinbase.rest.parseDepth(book.body, { recvTs: Date.now(), market: "BTC-USD" });
      const snap = s.sim.generator.book("BTC-USD").snapshot(5);
      expect([b.bids, b.asks]).toEqual([snap.bids, snap.asks]);

      expect((await get("/api/v3/brokerage/market/products/DOGE-USD/ticker?limit=1")).status).toBe(404);
      expect((await get("/api/v3/brokerage/time")).body.epochMillis).toEqual(expect.any(String));
    });
  });

  test("10 requests per second, then 429", async () => {
    await withSim({ markets: ["BTC-USD"] }, async (s) => {
      const statuses: number[] = [];
      for (let i = 0; i < 12; i++) {
        statuses.push((await fetch(`${s.restUrl}/api/v3/brokerage/market/products/BTC-USD`)).status);
      }
      expect(statuses.slice(0, 10)).toEqual(Array(10).fill(200));
      expect(statuses.slice(10)).toEqual([429, 429]);
      const r = await fetch(`${s.restUrl}/api/v3/brokerage/market/products/BTC-USD`);
      expect(r.status).toBe(429);
      expect(((await r.json()) as { error: string }).error).toBe("RATE_LIMIT_EXCEEDED");
      expect(Number(r.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    });
  });
});
