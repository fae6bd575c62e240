import { describe, expect, test } from "bun:test";
import {
  type Book,
  type Candle,
  type Deriv,
  type ExchangeAdapter,
  type FrameResult,
  getAdapter,
  type Liquidation,
  type MarketMessage,
  type ParseContext,
  type Subscription,
  type Trade,
} from "@tickerplant/core";
import { type StartedSimulator, startSimulator } from "../src/index.ts";
import { connect, type TestSocket } from "./helpers/ws-client.ts";

/**
 * The OKX profile speaks v5 as the adapters expect it: every frame the simulator sends is parsed
 * with the project's own OKX adapters and compared with the ground truth; acks, errors, keepalive,
 * limits and the REST endpoints behave as OKX's do.
 */

const okxSpot = getAdapter("okx", "spot")!;
const okxSwap = getAdapter("okx", "perp")!;
const SPOT = "BTC-USDT";
const PERP = "ETH-USDT-PERP";

function parser(adapter: ExchangeAdapter): { parse(frame: string): FrameResult; ctx: ParseContext } {
  const ctx: ParseContext = { recvTs: 0, marketOf: (s) => adapter.marketOfSymbol(s), state: new Map() };
  return {
    ctx,
    parse(frame) {
      ctx.recvTs = Date.now();
      return adapter.parseFrame(frame, ctx);
    },
  };
}

function messages(sock: TestSocket, adapter: ExchangeAdapter): MarketMessage[] {
  const p = parser(adapter);
  return sock.messages.flatMap((m) => {
    const r = p.parse(m);
    return r.kind === "data" ? r.messages : [];
  });
}

function results(sock: TestSocket, adapter: ExchangeAdapter): FrameResult[] {
  const p = parser(adapter);
  return sock.messages.map((m) => p.parse(m));
}

async function withSim(
  opts: Parameters<typeof startSimulator>[0],
  fn: (s: StartedSimulator) => Promise<void>,
): Promise<void> {
  const s = await startSimulator({ exchange: "okx", tradesPerSecond: 0, markets: [SPOT, PERP], ...opts });
  try {
    await fn(s);
  } finally {
    await s.stop();
  }
}

function subscribe(sock: TestSocket, adapter: ExchangeAdapter, subs: Subscription[]): void {
  for (const f of adapter.ws.subscribeFrames(subs, () => 1)) sock.send(f);
}

describe("okx simulator: WebSocket streams", () => {
  test("public: trades, books (snapshot + chained updates), bbo-tbt, tickers, deriv, liquidations = the truth", async () => {
    await withSim({}, async (s) => {
      const spotSubs: Subscription[] = (["trade", "book", "bbo", "ticker"] as const).map((channel) => ({
        channel,
        market: SPOT,
      }));
      const perpSubs: Subscription[] = (["book", "deriv", "liquidation"] as const).map((channel) => ({
        channel,
        market: PERP,
      }));
      // trades-all is on /business; books etc. on /public
      const [spotPublic, spotBusiness] = okxSpot.ws.plan(spotSubs, s.wsUrl);
      expect(spotPublic!.url).toBe(`${s.wsUrl}/ws/v5/public`);
      expect(spotBusiness!.url).toBe(`${s.wsUrl}/ws/v5/business`);
      const [perpPublic] = okxSwap.ws.plan(perpSubs, s.wsUrl);
      const a = await connect(spotPublic!.url);
      const b = await connect(spotBusiness!.url);
      const c = await connect(perpPublic!.url);
      subscribe(a, okxSpot, spotPublic!.subscriptions);
      subscribe(b, okxSpot, spotBusiness!.subscriptions);
      subscribe(c, okxSwap, perpPublic!.subscriptions);
      // acks: one per argument (books, bbo-tbt, tickers | trades-all | books, 4 deriv, liquidation-orders)
      const acks = (sock: TestSocket, adapter: ExchangeAdapter) =>
        results(sock, adapter).filter((r) => r.kind === "ack").length;
      await a.waitFor(() => acks(a, okxSpot) === 3, 2000, "spot public acks");
      await b.waitFor(() => acks(b, okxSpot) === 1, 2000, "spot business ack");
      await c.waitFor(() => acks(c, okxSwap) === 6, 2000, "perp acks");

      s.sim.generate(SPOT, 50);
      s.sim.generate(PERP, 1000);
      const truth = s.sim.truth.trades(SPOT);
      await b.waitFor(
        () => messages(b, okxSpot).filter((m) => m.type === "trade").length === 50,
        2000,
        "50 trades",
      );
      const trades = messages(b, okxSpot).filter((m): m is Trade => m.type === "trade");
      expect(trades.map((t) => [t.id, t.price, t.amount, t.side, t.ts])).toEqual(
        truth.map((t) => [String(t.id), t.price, t.amount, t.side, t.ts]),
      );
      expect(trades.every((t) => t.market === SPOT && t.symbol === "BTC-USDT")).toBe(true);

      // books: a snapshot, then updates whose prevSeq is the previous seq, up to the book's last id
      const lastId = s.sim.generator.book(SPOT).lastUpdateId;
      await a.waitFor(
        () => messages(a, okxSpot).some((m) => m.type === "book" && m.seq === lastId),
        2000,
        "book up to date",
      );
      const books = messages(a, okxSpot).filter((m): m is Book => m.type === "book");
      expect(books[0]).toMatchObject({ kind: "snapshot", prevSeq: null });
      for (let i = 1; i < books.length; i++) {
        expect(books[i]!.kind).toBe("delta");
        expect(books[i]!.prevSeq).toBe(books[i - 1]!.seq);
      }
      expect(books.every((bk) => bk.checksum === undefined)).toBe(true);
      // replayed, the book's top equals the simulator's
      const top = replayTop(books);
      const snap = s.sim.generator.book(SPOT).snapshot(1);
      expect(top).toEqual({ bid: snap.bids[0]!, ask: snap.asks[0]! });

      // bbo-tbt: one per trade, seq = the book update id
      const bbos = messages(a, okxSpot).filter((m) => m.type === "bbo");
      expect(bbos).toHaveLength(50);
      expect(bbos.at(-1)).toMatchObject({
        seq: lastId,
        bidPrice: snap.bids[0]![0],
        askPrice: snap.asks[0]![0],
      });
      await a.waitFor(
        () => messages(a, okxSpot).some((m) => m.type === "ticker" && m.last === truth.at(-1)!.price),
        2000,
        "ticker",
      );

      // deriv: first pushes right after the acks, then mark/index every second; merged, they
      // equal the generator's state
      const d = s.sim.generator.deriv(PERP);
      const lastDeriv = () =>
        messages(c, okxSwap)
          .filter((m): m is Deriv => m.type === "deriv")
          .at(-1);
      await c.waitFor(
        () =>
          lastDeriv()?.markPrice === d.markPrice && Math.abs(lastDeriv()!.indexPrice! - d.indexPrice) < 1e-9,
        3000,
        "mark and index",
      );
      const deriv = lastDeriv()!;
      expect(deriv.market).toBe(PERP);
      expect(deriv.openInterest).not.toBeNull();
      expect(deriv.fundingRate).not.toBeNull();
      expect(deriv.nextFundingTime).toBe(d.nextFundingTime);
      const liqs = messages(c, okxSwap).filter((m): m is Liquidation => m.type === "liquidation");
      const liqTruth = s.sim.truth.liquidations(PERP);
      expect(liqTruth.length).toBeGreaterThan(0);
      expect(liqs.map((l) => [l.price, l.amount, l.side, l.ts])).toEqual(
        liqTruth.map((l) => [l.price, l.amount, l.side, l.ts]),
      );
      for (const sock of [a, b, c]) sock.close();
    });
  });

  test("business: candles for every interval but 8h, closed when the interval ends", async () => {
    await withSim({}, async (s) => {
      const sock = await connect(`${s.wsUrl}/ws/v5/business`);
      const subs: Subscription[] = okxSpot.intervals.map((interval) => ({
        channel: "candle",
        market: SPOT,
        interval,
      }));
      subscribe(sock, okxSpot, subs);
      await sock.waitFor(
        () => results(sock, okxSpot).filter((r) => r.kind === "ack").length === 15,
        2000,
        "15 acks",
      );
      s.sim.generate(SPOT, 5);
      // every interval's open candle arrives right after its ack
      await sock.waitFor(
        () => new Set(messages(sock, okxSpot).map((m) => m.type === "candle" && m.interval)).size === 15,
        2000,
        "a candle per interval",
      );
      // 1s candles close within a second or two
      await sock.waitFor(
        () => messages(sock, okxSpot).some((m) => m.type === "candle" && m.interval === "1s" && m.closed),
        3000,
        "a closed 1s candle",
      );
      const closed = messages(sock, okxSpot).find((m): m is Candle => m.type === "candle" && m.closed)!;
      const [truth] = s.sim.truth.candles(SPOT, "1s", { from: closed.openTime, to: closed.openTime });
      expect(closed).toMatchObject({
        openTime: truth!.openTime,
        closeTime: truth!.closeTime,
        open: truth!.open,
        close: truth!.close,
        volume: truth!.volume,
      });
      expect(closed.quoteVolume).toBeCloseTo(truth!.quoteVolume, 6);
      sock.close();
    });
  });

  test("wrong endpoint or channel: 60018 per argument; bad requests: 60012", async () => {
    await withSim({}, async (s) => {
      const pub = await connect(`${s.wsUrl}/ws/v5/public`);
      pub.send({
        op: "subscribe",
        args: [
          { channel: "candle1m", instId: "BTC-USDT" },
          { channel: "trades-all", instId: "BTC-USDT" },
          { channel: "books", instId: "BTC-USDT" },
          { channel: "mark-price", instId: "BTC-USDT" },
          { channel: "books", instId: "NOPE-USDT" },
        ],
      });
      pub.send("not json");
      pub.send({ op: "subscribe", args: [] });
      pub.send({ op: "login", args: [{}] });
      await pub.waitFor(
        () => results(pub, okxSpot).filter((r) => r.kind === "error").length === 7,
        2000,
        "errors",
      );
      const errors = results(pub, okxSpot).filter((r) => r.kind === "error");
      expect(errors.map((e) => e.kind === "error" && e.message.match(/code "(\d+)"/)?.[1])).toEqual([
        "60018",
        "60018",
        "60018",
        "60018",
        "60012",
        "60012",
        "60012",
      ]);
      expect(results(pub, okxSpot).filter((r) => r.kind === "ack")).toEqual([
        { kind: "ack", id: "books:BTC-USDT" },
      ]);
      // unknown paths are not OKX WebSocket endpoints
      expect((await fetch(`${s.url}/ws/v5/private`)).status).toBe(404);
      pub.close();
    });
  });
});

/** Applies book messages; returns the best bid and ask levels. */
function replayTop(books: Book[]): { bid: [number, number]; ask: [number, number] } {
  const bids = new Map<number, number>();
  const asks = new Map<number, number>();
  for (const b of books) {
    if (b.kind === "snapshot") {
      bids.clear();
      asks.clear();
    }
    for (const [p, a] of b.bids) a === 0 ? bids.delete(p) : bids.set(p, a);
    for (const [p, a] of b.asks) a === 0 ? asks.delete(p) : asks.set(p, a);
  }
  const bid = Math.max(...bids.keys());
  const ask = Math.min(...asks.keys());
  return { bid: [bid, bids.get(bid)!], ask: [ask, asks.get(ask)!] };
}

describe("okx simulator: keepalive, limits, gaps", () => {
  test("text ping → pong; a silent connection is closed (4004), a pinging one stays", async () => {
    await withSim({ pongTimeoutMs: 400 }, async (s) => {
      const quiet = await connect(`${s.wsUrl}/ws/v5/public`);
      const pinging = await connect(`${s.wsUrl}/ws/v5/public`);
      const timer = setInterval(() => pinging.send("ping"), 100);
      try {
        const t0 = Date.now();
        const closed = await quiet.closed;
        expect(closed.code).toBe(4004);
        expect(Date.now() - t0).toBeGreaterThanOrEqual(350);
        expect(Date.now() - t0).toBeLessThan(1500);
        expect(pinging.isClosed()).toBe(false);
        expect(pinging.messages.filter((m) => m === "pong").length).toBeGreaterThan(3);
        expect(parser(okxSpot).parse("pong")).toEqual({ kind: "control", event: "pong" });
      } finally {
        clearInterval(timer);
        pinging.close();
      }
    });
  });

  test("480 subscribe requests per hour per connection, then 60014; args over 64 KB: 60012", async () => {
    await withSim({}, async (s) => {
      const sock = await connect(`${s.wsUrl}/ws/v5/public`);
      for (let i = 0; i < 481; i++)
        sock.send({ op: "subscribe", args: [{ channel: "tickers", instId: SPOT }] });
      await sock.waitFor(() => results(sock, okxSpot).some((r) => r.kind === "error"), 3000, "60014");
      const r = results(sock, okxSpot);
      expect(r.filter((x) => x.kind === "ack")).toHaveLength(480);
      expect(r.find((x) => x.kind === "error")).toMatchObject({
        message: 'Requests too frequent. (code "60014")',
      });
      const other = await connect(`${s.wsUrl}/ws/v5/public`);
      const big = Array.from({ length: 2000 }, (_, i) => ({
        channel: "books",
        instId: `${"X".repeat(30)}${i}-USDT`,
      }));
      other.send({ op: "subscribe", args: big });
      await other.waitFor(() => results(other, okxSpot).some((x) => x.kind === "error"), 2000, "60012");
      expect(results(other, okxSpot)[0]).toMatchObject({ kind: "error" });
      expect((results(other, okxSpot)[0] as { message: string }).message).toContain('(code "60012")');
      sock.close();
      other.close();
    });
  });

  test("3 connection requests per second per IP: the 4th within a second is refused with 429", async () => {
    await withSim({}, async (s) => {
      const socks = await Promise.all([1, 2, 3].map(() => connect(`${s.wsUrl}/ws/v5/public`)));
      const res = await fetch(`${s.url}/ws/v5/public`, {
        headers: {
          Connection: "Upgrade",
          Upgrade: "websocket",
          "Sec-WebSocket-Version": "13",
          "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
        },
      });
      expect(res.status).toBe(429);
      expect(await res.json()).toEqual({ msg: "Too Many Requests", code: "50011" });
      await Bun.sleep(1050);
      const again = await connect(`${s.wsUrl}/ws/v5/public`);
      expect(again.isClosed()).toBe(false);
      for (const x of [...socks, again]) x.close();
    });
  });

  test("skipped book updates leave a prevSeqId that does not match: the gap is visible", async () => {
    await withSim({}, async (s) => {
      const sock = await connect(`${s.wsUrl}/ws/v5/public`);
      subscribe(sock, okxSpot, [{ channel: "book", market: SPOT }]);
      await sock.waitFor(() => messages(sock, okxSpot).length === 1, 2000, "snapshot");
      s.sim.skipBookUpdates(SPOT, 1);
      s.sim.generate(SPOT, 3);
      await Bun.sleep(250);
      s.sim.generate(SPOT, 3);
      await sock.waitFor(() => messages(sock, okxSpot).length === 2, 2000, "an update after the gap");
      const [snap, next] = messages(sock, okxSpot) as Book[];
      expect(next!.prevSeq).not.toBe(snap!.seq);
      expect(next!.prevSeq).toBeGreaterThan(snap!.seq);
      sock.close();
    });
  });

  test("hundreds of markets: the adapter's plan subscribes everything without an error", async () => {
    const markets = Array.from({ length: 150 }, (_, i) => `M${i}-USDT-PERP`);
    await withSim({ markets, maxStreamsPerConnection: 500 }, async (s) => {
      const subs: Subscription[] = markets.flatMap((market): Subscription[] => [
        { channel: "book", market },
        { channel: "ticker", market },
        { channel: "deriv", market },
        { channel: "liquidation", market },
        { channel: "trade", market },
      ]);
      const plans = okxSwap.ws.plan(subs, s.wsUrl);
      // 150 × 6 public arguments + liquidation-orders over ≤ 500 per connection; trades-all on /business
      expect(plans.map((p) => p.url.slice(s.wsUrl.length))).toEqual([
        "/ws/v5/public",
        "/ws/v5/public",
        "/ws/v5/business",
      ]);
      const socks: TestSocket[] = [];
      for (const p of plans) {
        const sock = await connect(p.url);
        subscribe(sock, okxSwap, p.subscriptions);
        socks.push(sock);
      }
      const expected = [499, 402, 150];
      for (const [i, sock] of socks.entries()) {
        await sock.waitFor(
          () => results(sock, okxSwap).filter((r) => r.kind === "ack").length === expected[i],
          3000,
          `acks on connection ${i}`,
        );
        expect(results(sock, okxSwap).filter((r) => r.kind === "error")).toEqual([]);
      }
      for (const sock of socks) sock.close();
    });
  });
});

describe("okx simulator: REST", () => {
  async function call(s: StartedSimulator, req: { path: string; query: Record<string, string | number> }) {
    const u = new URL(req.path, s.url);
    for (const [k, v] of Object.entries(req.query)) u.searchParams.set(k, String(v));
    const res = await fetch(u);
    return { status: res.status, headers: res.headers, body: (await res.json()) as unknown };
  }

  test("instruments by instType parse with the adapters", async () => {
    await withSim({}, async (s) => {
      const spot = okxSpot.rest.parseMarkets((await call(s, okxSpot.rest.marketsRequest())).body);
      expect(spot).toEqual([
        expect.objectContaining({
          exchange: "okx",
          market: SPOT,
          symbol: "BTC-USDT",
          type: "spot",
          status: "trading",
        }),
      ]);
      const perp = okxSwap.rest.parseMarkets((await call(s, okxSwap.rest.marketsRequest())).body);
      expect(perp).toEqual([
        expect.objectContaining({ market: PERP, symbol: "ETH-USDT-SWAP", type: "perp" }),
      ]);
      expect(perp[0]!.tickSize).toBe(s.sim.generator.spec(PERP).tickSize);
      const missing = await call(s, { path: "/api/v5/public/instruments", query: {} });
      expect(missing).toMatchObject({ status: 400, body: { code: "50014" } });
    });
  });

  test("trades: recent, and history paged backwards by trade id and by time", async () => {
    await withSim({}, async (s) => {
      s.sim.generate(SPOT, 250);
      const truth = s.sim.truth.trades(SPOT).map((t) => String(t.id));
      const recent = await call(s, okxSpot.rest.tradesRequest({ market: SPOT, limit: 10 }));
      expect(okxSpot.rest.parseTrades(recent.body, { market: SPOT, recvTs: 1 }).map((t) => t.id)).toEqual(
        truth.slice(-10),
      );
      // fromId alone: the newest page above it (OKX's `before` rule) — a caller walks back from there
      const byId = okxSpot.rest.parseTrades(
        (await call(s, okxSpot.rest.tradesRequest({ market: SPOT, fromId: "100" }))).body,
        { market: SPOT, recvTs: 1 },
      );
      expect(byId.map((t) => t.id)).toEqual(truth.slice(150, 250));
      const endTime = s.sim.truth.trades(SPOT)[49]!.ts;
      const byTime = okxSpot.rest.parseTrades(
        (await call(s, okxSpot.rest.tradesRequest({ market: SPOT, startTime: 0, endTime, limit: 20 }))).body,
        { market: SPOT, recvTs: 1 },
      );
      expect(byTime.every((t) => t.ts <= endTime)).toBe(true);
      expect(byTime).toHaveLength(20);
      expect(byTime.at(-1)!.id).toBe(
        truth[truth.findLastIndex((_, i) => s.sim.truth.trades(SPOT)[i]!.ts <= endTime)]!,
      );
    });
  });

  test("candles: recent and history, newest first on the wire, oldest first parsed, equal to the truth", async () => {
    await withSim({}, async (s) => {
      s.sim.generate(SPOT, 30);
      await Bun.sleep(1100);
      s.sim.generate(SPOT, 30);
      const now = Date.now();
      const recent = okxSpot.rest.parseKlines(
        (await call(s, okxSpot.rest.klinesRequest({ market: SPOT, interval: "1m" }))).body,
        { market: SPOT, interval: "1m", recvTs: now },
      );
      const truth = s.sim.truth.candles(SPOT, "1m", {}, now);
      // volumes travel as 8-decimal strings
      expect(recent.map((c) => [c.openTime, c.close, c.volume.toFixed(8), c.closed])).toEqual(
        truth.map((c) => [c.openTime, c.close, c.volume.toFixed(8), c.closed]),
      );
      const req = okxSpot.rest.klinesRequest({ market: SPOT, interval: "1s", startTime: 0, endTime: now });
      expect(req.path).toBe("/api/v5/market/history-candles");
      const hist = await call(s, req);
      const rows = (hist.body as { data: string[][] }).data;
      expect(rows.length).toBeGreaterThanOrEqual(2);
      expect(Number(rows[0]![0])).toBeGreaterThan(Number(rows.at(-1)![0]));
      const parsed = okxSpot.rest.parseKlines(hist.body, { market: SPOT, interval: "1s", recvTs: now });
      const truth1s = s.sim.truth.candles(SPOT, "1s", {}, now);
      expect(parsed.map((c) => [c.openTime, c.open, c.close, c.volume.toFixed(8)])).toEqual(
        truth1s.map((c) => [c.openTime, c.open, c.close, c.volume.toFixed(8)]),
      );
    });
  });

  test("books snapshot, and the 40-per-2s budget answered with 429 code 50011 and no Retry-After", async () => {
    await withSim({ restWeightLimit: 4 }, async (s) => {
      const book = okxSpot.rest.parseDepth((await call(s, okxSpot.rest.depthRequest(SPOT, 5))).body, {
        market: SPOT,
        recvTs: 1,
      });
      expect(book.bids).toHaveLength(5);
      expect(book.bids[0]).toEqual(s.sim.generator.book(SPOT).snapshot(1).bids[0]);
      await call(s, okxSpot.rest.marketsRequest()); // weight 2 → 3 of 4
      const refused = await call(s, okxSpot.rest.marketsRequest());
      expect(refused.status).toBe(429);
      expect(refused.body).toEqual({ msg: "Too Many Requests", code: "50011", data: [] });
      expect(refused.headers.get("retry-after")).toBeNull();
    });
  });
});
