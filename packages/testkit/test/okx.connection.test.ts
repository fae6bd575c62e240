import { describe, expect, test } from "bun:test";
import {
  type FrameResult,
  getAdapter,
  type ParseContext,
  type Subscription,
  type WsSpec,
} from "@tickerplant/core";
import { type ConnectionEvent, createLogger, ExchangeConnection, RateWindow } from "@tickerplant/runtime";
import { startSimulator } from "../src/index.ts";
import { waitFor } from "../src/until.ts";

/**
 * The runtime's exchange connection driven by the OKX adapter against the OKX simulator: the text
 * ping keeps a connection alive that OKX would otherwise cut, and a dropped connection comes back
 * and resubscribes. Timings are scaled down (ping 150 ms, idle cut 500 ms).
 */

const okxSpot = getAdapter("okx", "spot")!;
const log = createLogger({ service: "test", level: "error" });
const MARKET = "BTC-USDT";

function harness(spec: WsSpec, url: string, subscriptions: Subscription[]) {
  const ctx: ParseContext = { recvTs: 0, marketOf: (s) => okxSpot.marketOfSymbol(s), state: new Map() };
  const results: FrameResult[] = [];
  const events: ConnectionEvent[] = [];
  const conn = new ExchangeConnection({
    name: "okx-test",
    url,
    spec,
    subscriptions,
    attempts: new RateWindow(spec.limits.connectionAttempts.count, spec.limits.connectionAttempts.windowMs),
    onFrame: (data, recvTs) => {
      ctx.recvTs = recvTs;
      const r = okxSpot.parseFrame(data, ctx);
      results.push(r);
      return r.kind === "data";
    },
    onEvent: (e) => events.push(e),
    log,
    backoff: { baseMs: 50, maxMs: 200 },
  });
  const count = (pred: (r: FrameResult) => boolean) => results.filter(pred).length;
  const trades = () =>
    results.flatMap((r) => (r.kind === "data" ? r.messages.filter((m) => m.type === "trade") : []));
  return { conn, results, events, count, trades };
}

const POLL = { stepMs: 20 };

describe("okx adapter × runtime connection × simulator", () => {
  test("text pings keep a quiet connection open; without them OKX cuts it (4004)", async () => {
    const s = await startSimulator({
      exchange: "okx",
      markets: [MARKET],
      tradesPerSecond: 0,
      pongTimeoutMs: 500,
    });
    const subs: Subscription[] = [{ channel: "trade", market: MARKET }];
    const [plan] = okxSpot.ws.plan(subs, s.wsUrl);
    const pinging = harness(
      { ...okxSpot.ws, keepalive: { kind: "client-ping", intervalMs: 150, message: "ping" } },
      plan!.url,
      plan!.subscriptions,
    );
    const silent = harness(
      { ...okxSpot.ws, keepalive: { kind: "client-ping", intervalMs: 60_000, message: "ping" } },
      plan!.url,
      plan!.subscriptions,
    );
    try {
      pinging.conn.start();
      silent.conn.start();
      await waitFor("acks", () => pinging.count((r) => r.kind === "ack") === 1, { ...POLL, timeoutMs: 3000 });
      await waitFor(
        "the silent connection cut",
        () => silent.events.some((e) => e.event === "disconnected"),
        { ...POLL, timeoutMs: 3000 },
      );
      expect(silent.events.find((e) => e.event === "disconnected")).toMatchObject({
        detail: "close 4004 No data received in 30s.",
      });
      await Bun.sleep(800);
      expect(pinging.events.map((e) => e.event)).toEqual(["connected"]);
      expect(pinging.count((r) => r.kind === "control" && r.event === "pong")).toBeGreaterThanOrEqual(5);
      s.sim.generate(MARKET, 5);
      await waitFor("trades", () => pinging.trades().length === 5, { ...POLL, timeoutMs: 2000 });
    } finally {
      await pinging.conn.stop();
      await silent.conn.stop();
      await s.stop();
    }
  });

  test("after a drop the connection comes back, resubscribes, and trades flow again", async () => {
    const s = await startSimulator({ exchange: "okx", markets: [MARKET], tradesPerSecond: 0 });
    const subs: Subscription[] = [
      { channel: "trade", market: MARKET },
      { channel: "book", market: MARKET },
    ];
    const plans = okxSpot.ws.plan(subs, s.wsUrl);
    const h = plans.map((p) => harness(okxSpot.ws, p.url, p.subscriptions));
    try {
      for (const x of h) x.conn.start();
      await waitFor("acks", () => h.every((x) => x.count((r) => r.kind === "ack") === 1), {
        ...POLL,
        timeoutMs: 4000,
      });
      s.sim.generate(MARKET, 3);
      const business = h[plans.findIndex((p) => p.url.endsWith("/ws/v5/business"))]!;
      await waitFor("first trades", () => business.trades().length === 3, { ...POLL, timeoutMs: 2000 });
      expect(s.sim.dropConnections()).toBe(2);
      // 1 connection per second per adapter: the two reconnects take about a second
      await waitFor("resubscribed", () => h.every((x) => x.count((r) => r.kind === "ack") === 2), {
        ...POLL,
        timeoutMs: 5000,
      });
      for (const x of h) {
        const lifecycle = x.events.map((e) => e.event).filter((e) => e !== "recovered");
        expect(lifecycle).toEqual(["connected", "disconnected", "connected"]);
      }
      // the book starts over with a fresh snapshot on the new connection
      const pub = h.find((x) => x !== business)!;
      const books = pub.results.flatMap((r) => (r.kind === "data" ? r.messages : []));
      expect(books.filter((m) => m.type === "book" && m.kind === "snapshot")).toHaveLength(2);
      s.sim.generate(MARKET, 4);
      await waitFor("trades after the drop", () => business.trades().length === 7, {
        ...POLL,
        timeoutMs: 2000,
      });
      expect(business.trades().map((t) => (t.type === "trade" ? t.id : ""))).toEqual([
        "1",
        "2",
        "3",
        "4",
        "5",
        "6",
        "7",
      ]);
      // The first trade after the reconnect ends the gap: recovery is timed from its start.
      expect(business.events.filter((e) => e.event === "recovered")).toHaveLength(1);
    } finally {
      for (const x of h) await x.conn.stop();
      await s.stop();
    }
  });
});
