import { describe, expect, test } from "bun:test";
import {
  type ExchangeAdapter,
  type FrameResult,
  getAdapter,
  type MarketMessage,
  type ParseContext,
  type Subscription,
} from "@tickerplant/core";
import { type StartedSimulator, startSimulator } from "../src/index.ts";
import { connect, type TestSocket } from "./helpers/ws-client.ts";

const bybitSpot = getAdapter("bybit", "spot")!;
const bybitLinear = getAdapter("bybit", "perp")!;

/**
 * The Bybit profile speaks v5 public spot and linear as the adapter expects it: every frame the
 * simulator sends is parsed with the project's own Bybit adapters and compared with the ground truth.
 */

function parser(adapter: ExchangeAdapter, markets: Record<string, string>) {
  const ctx: ParseContext = { recvTs: 0, marketOf: (s) => markets[s], state: new Map() };
  return (frame: string): FrameResult => {
    ctx.recvTs = Date.now();
    return adapter.parseFrame(frame, ctx);
  };
}

function data(results: FrameResult[]): MarketMessage[] {
  return results.flatMap((r) => (r.kind === "data" ? r.messages : []));
}

async function withSim<T>(
  opts: Parameters<typeof startSimulator>[0],
  fn: (s: StartedSimulator) => Promise<T>,
) {
  const s = await startSimulator({ exchange: "bybit", tradesPerSecond: 0, ...opts });
  try {
    return await fn(s);
  } finally {
    await s.stop();
  }
}

const acks = (c: TestSocket) =>
  c.json().filter((m) => (m as { op?: string }).op === "subscribe") as Array<{
    success: boolean;
    ret_msg: string;
  }>;

describe("bybit simulator: spot", () => {
  test("trades, books, bbo, ticker and klines parse with the spot adapter and match the truth", async () => {
    await withSim({ markets: ["BTC-USDT", "ETH-USDT"] }, async (s) => {
      const c = await connect(`${s.wsUrl}/v5/public/spot`);
      const subs: Subscription[] = (["trade", "book", "bbo", "ticker"] as const).map((channel) => ({
        channel,
        market: "BTC-USDT",
      }));
      subs.push({ channel: "candle", market: "BTC-USDT", interval: "1m" });
      for (const f of bybitSpot.ws.subscribeFrames(subs, () => 7)) c.send(f);
      await c.waitFor(() => acks(c).length === 1, 2000, "the ack");
      expect(c.json()[0]).toEqual({
        success: true,
        ret_msg: "subscribe",
        conn_id: expect.any(String),
        req_id: "7",
        op: "subscribe",
      });
      for (let i = 0; i < 20; i++) {
        s.sim.generate("BTC-USDT", 5);
        s.sim.generate("ETH-USDT", 5);
        await Bun.sleep(15);
      }
      await Bun.sleep(1300); // book pushes every 200 ms, klines every second
      const parse = parser(bybitSpot, { BTCUSDT: "BTC-USDT", ETHUSDT: "ETH-USDT" });
      const results = c.messages.map(parse);
      expect(results.filter((r) => r.kind === "invalid" || r.kind === "error")).toEqual([]);
      const msgs = data(results);

      const trades = msgs.filter((m) => m.type === "trade");
      expect(trades.map((t) => t.id)).toEqual(s.sim.truth.trades("BTC-USDT").map((t) => String(t.id)));
      const truth = s.sim.truth.trades("BTC-USDT");
      expect(trades.map((t) => [t.price, t.amount, t.side, t.ts])).toEqual(
        truth.map((t) => [t.price, t.amount, t.side, t.ts]),
      );

      // the book: one snapshot, deltas with contiguous u, rebuilt equal to the simulated book
      const books = msgs.filter((m) => m.type === "book");
      expect(books[0]!.kind).toBe("snapshot");
      expect(books.slice(1).every((b) => b.kind === "delta")).toBe(true);
      for (let i = 1; i < books.length; i++) expect(books[i]!.prevSeq).toBe(books[i - 1]!.seq);
      const bids = new Map<number, number>();
      const asks = new Map<number, number>();
      for (const b of books) {
        for (const [p, q] of b.bids) q === 0 ? bids.delete(p) : bids.set(p, q);
        for (const [p, q] of b.asks) q === 0 ? asks.delete(p) : asks.set(p, q);
      }
      const snap = s.sim.generator.book("BTC-USDT").snapshot(1000);
      expect([...bids].sort((a, b) => b[0] - a[0])).toEqual(snap.bids);
      expect([...asks].sort((a, b) => a[0] - b[0])).toEqual(snap.asks);

      const bbo = msgs.filter((m) => m.type === "bbo").at(-1)!;
      const top = s.sim.truth.bbo("BTC-USDT");
      expect([bbo.bidPrice, bbo.bidAmount, bbo.askPrice, bbo.askAmount]).toEqual([
        top.bidPrice,
        top.bidAmount,
        top.askPrice,
        top.askAmount,
      ]);

      const ticker = msgs.filter((m) => m.type === "ticker").at(-1)!;
      const st = s.sim.truth.ticker("BTC-USDT");
      expect([ticker.last, ticker.open, ticker.high, ticker.low, ticker.bid, ticker.ask]).toEqual([
        st.last,
        st.open,
        st.high,
        st.low,
        null,
        null,
      ]);
      expect(ticker.volume).toBeCloseTo(st.volume, 8);
      expect(msgs.some((m) => m.type === "deriv")).toBe(false);

      const candle = msgs.filter((m) => m.type === "candle").at(-1)!;
      const live = s.sim.truth.liveCandle("BTC-USDT", "1m");
      expect([candle.interval, candle.openTime, candle.closeTime, candle.close]).toEqual([
        "1m",
        live.openTime,
        live.closeTime,
        live.close,
      ]);
      // nothing for the market we did not subscribe
      expect(msgs.every((m) => m.market === "BTC-USDT")).toBe(true);
      c.close();
    });
  });

  test("limits: ≤ 10 args per spot request, unknown symbols, duplicates; unsubscribe stops data", async () => {
    await withSim({ markets: ["BTC-USDT"] }, async (s) => {
      const c = await connect(`${s.wsUrl}/v5/public/spot`);
      const eleven = Array.from(
        { length: 11 },
        (_, i) => `kline.${["1", "3", "5", "15", "30", "60", "120", "240", "360", "720", "D"][i]}.BTCUSDT`,
      );
      c.send({ req_id: "a", op: "subscribe", args: eleven });
      c.send({ req_id: "b", op: "subscribe", args: ["orderbook.50.NOSUCHSYM"] });
      c.send({ req_id: "c", op: "subscribe", args: ["publicTrade.BTCUSDT"] });
      c.send({ req_id: "d", op: "subscribe", args: ["publicTrade.BTCUSDT"] });
      c.send({ req_id: "e", op: "subscribe", args: ["orderbook.7.BTCUSDT"] });
      await c.waitFor(() => acks(c).length === 5, 2000, "five replies");
      const parse = parser(bybitSpot, { BTCUSDT: "BTC-USDT" });
      expect(c.messages.map(parse)).toEqual([
        { kind: "error", id: null, message: "subscribe: args size >10" },
        { kind: "error", id: null, message: "subscribe: Invalid symbol :[orderbook.50.NOSUCHSYM]" },
        { kind: "ack", id: "c" },
        { kind: "error", id: null, message: "subscribe: error:already subscribed,topic:publicTrade.BTCUSDT" },
        { kind: "error", id: null, message: "subscribe: error:handler not found,topic:orderbook.7.BTCUSDT" },
      ]);
      s.sim.generate("BTC-USDT", 3);
      await c.waitFor(() => c.messages.length === 6, 2000, "a trade push");
      c.send({ req_id: "u", op: "unsubscribe", args: ["publicTrade.BTCUSDT"] });
      await c.waitFor(() => c.messages.length === 7, 2000, "the unsubscribe ack");
      expect(parse(c.messages[6]!)).toEqual({ kind: "ack", id: "u" });
      s.sim.generate("BTC-USDT", 3);
      await Bun.sleep(150);
      expect(c.messages).toHaveLength(7);
      c.close();
    });
  });
});

describe("bybit simulator: linear", () => {
  test("tickers snapshot + deltas merge into ticker and deriv equal to the truth; liquidations", async () => {
    await withSim({ markets: ["BTC-USDT-PERP", "BTC-USDT"] }, async (s) => {
      const m = "BTC-USDT-PERP";
      const c = await connect(`${s.wsUrl}/v5/public/linear`);
      const subs: Subscription[] = (["trade", "ticker", "deriv", "liquidation", "bbo"] as const).map(
        (channel) => ({
          channel,
          market: m,
        }),
      );
      for (const f of bybitLinear.ws.subscribeFrames(subs, () => 1)) c.send(f);
      await c.waitFor(() => acks(c).length === 1, 2000, "the ack");
      expect(c.json()[0]).toMatchObject({ success: true, ret_msg: "", req_id: "1", op: "subscribe" });
      for (let i = 0; i < 30; i++) {
        s.sim.generate(m, 20);
        await Bun.sleep(20);
      }
      await Bun.sleep(700); // tickers every 100 ms, liquidations every 500 ms
      const parse = parser(bybitLinear, { BTCUSDT: m });
      const results = c.messages.map(parse);
      expect(results.filter((r) => r.kind === "invalid" || r.kind === "error")).toEqual([]);
      const raw = c.json() as Array<{ topic?: string; type?: string }>;
      const tickerPushes = raw.filter((r) => r.topic === "tickers.BTCUSDT");
      expect(tickerPushes[0]!.type).toBe("snapshot");
      expect(tickerPushes.length).toBeGreaterThan(3);
      expect(tickerPushes.slice(1).every((r) => r.type === "delta")).toBe(true);

      const msgs = data(results);
      expect(msgs.filter((x) => x.type === "trade").map((t) => t.id)).toEqual(
        s.sim.truth.trades(m).map((t) => String(t.id)),
      );
      const deriv = msgs.filter((x) => x.type === "deriv").at(-1)!;
      const d = s.sim.truth.deriv(m);
      expect([deriv.markPrice, deriv.fundingRate, deriv.nextFundingTime, deriv.openInterest]).toEqual([
        d.markPrice,
        d.fundingRate,
        d.nextFundingTime,
        d.openInterest,
      ]);
      expect(deriv.indexPrice).toBeCloseTo(d.indexPrice, 6);
      const ticker = msgs.filter((x) => x.type === "ticker").at(-1)!;
      const top = s.sim.truth.bbo(m);
      expect([ticker.last, ticker.bid, ticker.ask]).toEqual([
        s.sim.truth.ticker(m).last,
        top.bidPrice,
        top.askPrice,
      ]);

      const liqs = msgs.filter((x) => x.type === "liquidation");
      const truthLiqs = s.sim.truth.liquidations(m);
      expect(truthLiqs.length).toBeGreaterThan(0);
      expect(liqs.map((l) => [l.price, l.amount, l.side, l.ts])).toEqual(
        truthLiqs.map((l) => [l.price, l.amount, l.side, l.ts]),
      );
      c.close();
    });
  });

  test("hundreds of markets: the adapter's plan and frames stay within the 21 000-character budget", async () => {
    const markets = Array.from({ length: 300 }, (_, i) => `M${i}X-USDT-PERP`);
    await withSim({ markets }, async (s) => {
      const subs: Subscription[] = markets.flatMap((market) =>
        (["trade", "bbo", "book", "ticker", "deriv", "liquidation"] as const).map((channel) => ({
          channel,
          market,
        })),
      );
      const plans = bybitLinear.ws.plan(subs, s.wsUrl);
      expect(plans.length).toBeGreaterThan(1);
      const sockets = await Promise.all(plans.map((p) => connect(p.url)));
      try {
        let id = 1;
        plans.forEach((p, i) => {
          for (const f of bybitLinear.ws.subscribeFrames(p.subscriptions, () => id++)) sockets[i]!.send(f);
        });
        await Promise.all(
          plans.map((p, i) => {
            const frames = bybitLinear.ws.subscribeFrames(p.subscriptions, () => 0).length;
            return sockets[i]!.waitFor(() => acks(sockets[i]!).length === frames, 5000, "acks");
          }),
        );
        for (const sock of sockets) expect(acks(sock).every((a) => a.success)).toBe(true);

        // one connection with everything: refused past the budget
        const all = await connect(`${s.wsUrl}/v5/public/linear`);
        const args = bybitLinear.ws
          .subscribeFrames(subs, () => 0)
          .flatMap((f) => (JSON.parse(f) as { args: string[] }).args);
        expect(args).toHaveLength(1500);
        all.send({ op: "subscribe", args });
        await all.waitFor(() => acks(all).length === 1, 5000, "a reply");
        expect(acks(all)[0]).toMatchObject({
          success: false,
          ret_msg: expect.stringContaining("21000-character"),
        });
        all.close();
      } finally {
        for (const sock of sockets) sock.close();
      }
    });
  });

  test("skipped book pushes leave a gap in u; a new subscription starts with a snapshot", async () => {
    await withSim({ markets: ["ETH-USDT-PERP"] }, async (s) => {
      const c = await connect(`${s.wsUrl}/v5/public/linear`);
      c.send({ op: "subscribe", args: ["orderbook.50.ETHUSDT"] });
      await c.waitFor(() => c.messages.length >= 2, 2000, "ack and snapshot");
      const pump = async () => {
        for (let i = 0; i < 8; i++) {
          s.sim.generate("ETH-USDT-PERP", 3);
          await Bun.sleep(40);
        }
      };
      await pump();
      s.sim.skipBookUpdates("ETH-USDT-PERP", 2);
      await pump();
      const parse = parser(bybitLinear, { ETHUSDT: "ETH-USDT-PERP" });
      const books = data(c.messages.map(parse)).filter((m) => m.type === "book");
      expect(books[0]!.kind).toBe("snapshot");
      const gaps = books.slice(1).filter((b, i) => b.prevSeq !== books[i]!.seq);
      expect(gaps).toHaveLength(1);
      expect(gaps[0]!.prevSeq! - books[books.indexOf(gaps[0]!) - 1]!.seq).toBe(2);
      c.close();
    });
  });
});

describe("bybit simulator: keepalive, REST, malformed frames", () => {
  test("pings are answered; a connection without pings or data is cut at the idle timeout", async () => {
    await withSim({ markets: ["BTC-USDT"], pongTimeoutMs: 400 }, async (s) => {
      const quiet = await connect(`${s.wsUrl}/v5/public/spot`);
      const pinging = await connect(`${s.wsUrl}/v5/public/spot`);
      const ka = bybitSpot.ws.keepalive;
      if (ka.kind !== "client-ping") throw new Error("bybit keeps alive by client pings");
      const timer = setInterval(() => pinging.send(ka.message), 100);
      try {
        const t0 = Date.now();
        const closed = await quiet.closed;
        expect(Date.now() - t0).toBeGreaterThanOrEqual(350);
        expect(Date.now() - t0).toBeLessThan(2000);
        expect(closed.reason).toMatch(/idle/);
        await Bun.sleep(300);
        expect(pinging.isClosed()).toBe(false);
        const pong = pinging.json()[0];
        expect(pong).toEqual({
          success: true,
          ret_msg: "pong",
          conn_id: expect.any(String),
          req_id: "ping",
          op: "ping",
        });
        expect(
          bybitSpot.parseFrame(JSON.stringify(pong), {
            recvTs: 0,
            marketOf: () => undefined,
            state: new Map(),
          }),
        ).toEqual({
          kind: "control",
          event: "pong",
        });
      } finally {
        clearInterval(timer);
        pinging.close();
      }
    });
  });

  test("REST: instruments, klines, recent trades and the orderbook parse with the adapters", async () => {
    await withSim({ markets: ["BTC-USDT", "SOL-USDC-PERP"] }, async (s) => {
      s.sim.generate("BTC-USDT", 70);
      s.sim.generate("SOL-USDC-PERP", 30);
      const get = async (
        adapter: ExchangeAdapter,
        req: { path: string; query: Record<string, string | number> },
      ) => {
        const u = new URL(req.path, s.url);
        for (const [k, v] of Object.entries(req.query)) u.searchParams.set(k, String(v));
        const r = await fetch(u);
        expect(r.status).toBe(200);
        expect(adapter).toBeDefined();
        return r.json();
      };
      const spotMarkets = bybitSpot.rest.parseMarkets(await get(bybitSpot, bybitSpot.rest.marketsRequest()));
      expect(spotMarkets.map((x) => [x.market, x.symbol, x.type])).toEqual([["BTC-USDT", "BTCUSDT", "spot"]]);
      const perps = bybitLinear.rest.parseMarkets(await get(bybitLinear, bybitLinear.rest.marketsRequest()));
      expect(perps.map((x) => [x.market, x.symbol, x.type])).toEqual([["SOL-USDC-PERP", "SOLPERP", "perp"]]);
      expect(perps[0]!.tickSize).toBe(s.sim.generator.spec("SOL-USDC-PERP").tickSize);

      const trades = bybitSpot.rest.parseTrades(
        await get(bybitSpot, bybitSpot.rest.tradesRequest({ market: "BTC-USDT" })),
        { recvTs: Date.now(), market: "BTC-USDT" },
      );
      expect(trades.map((t) => t.id)).toEqual(
        s.sim.truth
          .trades("BTC-USDT")
          .slice(-60)
          .map((t) => String(t.id)),
      );

      const recvTs = Date.now();
      const candles = bybitSpot.rest.parseKlines(
        await get(bybitSpot, bybitSpot.rest.klinesRequest({ market: "BTC-USDT", interval: "1m", limit: 3 })),
        { recvTs, market: "BTC-USDT", interval: "1m" },
      );
      const truthCandles = s.sim.truth.candles("BTC-USDT", "1m").slice(-3);
      expect(candles.map((c) => [c.openTime, c.open, c.close])).toEqual(
        truthCandles.map((c) => [c.openTime, c.open, c.close]),
      );

      const book = bybitLinear.rest.parseDepth(
        await get(bybitLinear, bybitLinear.rest.depthRequest("SOL-USDC-PERP", 5)),
        { recvTs, market: "SOL-USDC-PERP" },
      );
      const snap = s.sim.generator.book("SOL-USDC-PERP").snapshot(5);
      expect([book.bids, book.asks]).toEqual([snap.bids, snap.asks]);

      // the REST book's u is the orderbook.1000 topic's u
      const c = await connect(`${s.wsUrl}/v5/public/linear`);
      c.send({ op: "subscribe", args: ["orderbook.1000.SOLPERP"] });
      await c.waitFor(() => c.messages.length >= 2, 2000, "the snapshot");
      const wsSnap = data([parser(bybitLinear, { SOLPERP: "SOL-USDC-PERP" })(c.messages[1]!)])[0]!;
      expect(wsSnap).toMatchObject({ kind: "snapshot", seq: book.seq });
      c.close();

      const bad = await (await fetch(`${s.url}/v5/market/kline?category=spot&symbol=NOPE&interval=1`)).json();
      expect(bad).toMatchObject({ retCode: 10001, retMsg: "Not supported symbols" });
      expect(() => bybitSpot.rest.parseKlines(bad, { recvTs, market: "BTC-USDT", interval: "1m" })).toThrow(
        /10001/,
      );
    });
  });

  test("over the IP budget: 403 access too frequent", async () => {
    await withSim({ markets: ["BTC-USDT"], restWeightLimit: 2 }, async (s) => {
      const url = `${s.url}/v5/market/time`;
      expect((await fetch(url)).status).toBe(200);
      expect((await fetch(url)).status).toBe(200);
      const r = await fetch(url);
      expect(r.status).toBe(403);
      expect(await r.text()).toBe("access too frequent");
      expect(Number(r.headers.get("retry-after"))).toBeGreaterThan(0);
    });
  });

  test("malformed frames are all rejected by the adapter", async () => {
    await withSim({ markets: ["BTC-USDT"] }, async (s) => {
      const c = await connect(`${s.wsUrl}/v5/public/spot`);
      c.send({ op: "subscribe", args: ["publicTrade.BTCUSDT"] });
      await c.waitFor(() => c.messages.length === 1, 2000, "the ack");
      expect(s.sim.sendMalformed(14)).toEqual({ connections: 1, frames: 14 });
      await c.waitFor(() => c.messages.length === 15, 2000, "14 frames");
      const parse = parser(bybitSpot, { BTCUSDT: "BTC-USDT" });
      expect(c.messages.slice(1).map((m) => parse(m).kind)).toEqual(Array(14).fill("invalid"));
      c.close();
    });
  });
});
