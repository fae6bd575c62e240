/**
 * The runtime's exchange connection driven by each exchange adapter against that exchange's
 * simulator profile: limits respected with hundreds of markets, keepalive answered, reconnect and
 * resubscribe after a drop, planned reconnects staggered and lossless.
 */
import { afterEach, describe, expect, test } from "bun:test";
import {
  type ExchangeAdapter,
  type FrameResult,
  getExchange,
  type Subscription,
  type WsSpec,
} from "@tickerplant/core";
import { createLogger, ExchangeConnection, RateWindow } from "@tickerplant/runtime";
import {
  PROFILES,
  type SimulatorOptions,
  type StartedSimulator,
  startSimulator,
  waitFor,
} from "@tickerplant/testkit";

const log = createLogger({ service: "connection-test", level: "error" });
let cleanup: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

interface Feed {
  sim: StartedSimulator;
  conns: ExchangeConnection[];
  trades: Map<string, string[]>;
  results: Map<FrameResult["kind"], number>;
  events: Array<{ conn: number; event: string; at: number }>;
}

function marketsFor(adapter: ExchangeAdapter, n: number, tag: string): string[] {
  return Array.from(
    { length: n },
    (_, i) => `${tag}${i}-USDT${adapter.marketType === "perp" ? "-PERP" : ""}`,
  );
}

/** Connects every planned connection of `subs` to a fresh simulator and records what arrives. */
async function feed(
  adapter: ExchangeAdapter,
  subs: Subscription[],
  opts: SimulatorOptions,
  spec: WsSpec = adapter.ws,
  maxAgeMs?: number,
  onePerSubscription = false,
): Promise<Feed> {
  const markets = [...new Set(subs.map((s) => s.market))];
  const sim = await startSimulator({ exchange: adapter.id, markets, tradesPerSecond: 0, ...opts });
  const f: Feed = { sim, conns: [], trades: new Map(), results: new Map(), events: [] };
  const bySymbol = new Map(markets.map((m) => [adapter.symbolOf(m), m]));
  const plans = onePerSubscription
    ? subs.flatMap((s) => spec.plan([s], sim.wsUrl))
    : spec.plan(subs, sim.wsUrl);
  const attempts = new RateWindow(
    spec.limits.connectionAttempts.count,
    spec.limits.connectionAttempts.windowMs,
  );
  plans.forEach((plan, i) => {
    const state = new Map<string, unknown>();
    const conn: ExchangeConnection = new ExchangeConnection({
      name: `${adapter.id}#${i}`,
      url: plan.url,
      spec,
      subscriptions: plan.subscriptions,
      attempts,
      log,
      maxAgeMs,
      backoff: { baseMs: 50, maxMs: 500 },
      onFrame: (data, recvTs) => {
        const r = adapter.parseFrame(data, { recvTs, marketOf: (s) => bySymbol.get(s), state });
        f.results.set(r.kind, (f.results.get(r.kind) ?? 0) + 1);
        if (r.kind === "reply") conn.send(r.frame);
        if (r.kind !== "data") return;
        for (const m of r.messages) {
          if (m.type !== "trade") continue;
          const list = f.trades.get(m.market) ?? [];
          list.push(m.id);
          f.trades.set(m.market, list);
        }
      },
      onEvent: (e) => {
        if (e.event === "connected" || e.event === "rotated") state.clear();
        f.events.push({ conn: i, event: e.event, at: e.at });
      },
    });
    f.conns.push(conn);
  });
  for (const c of f.conns) c.start();
  cleanup.push(
    () => sim.stop(),
    () => Promise.all(f.conns.map((c) => c.stop())),
  );
  return f;
}

/** Every market gets a trade until each has one through the connection. */
async function allMarketsFlow(f: Feed, markets: string[], timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const missing = markets.filter((m) => !f.trades.get(m)?.length);
    if (missing.length === 0) return;
    if (Date.now() > deadline)
      throw new Error(
        `no trades for ${missing.length} markets, e.g. ${missing[0]}: ${JSON.stringify(f.sim.sim.stats())}`,
      );
    for (const m of missing) f.sim.sim.generate(m, 1);
    await Bun.sleep(250);
  }
}

for (const id of Object.keys(PROFILES)) {
  for (const adapter of getExchange(id)?.adapters ?? []) {
    const name = `${id} ${adapter.marketType}`;
    const trade = (markets: string[]): Subscription[] =>
      markets.map((market) => ({ channel: "trade", market }));

    describe(`${name} connection behaviour`, () => {
      test("hundreds of markets: split and paced within the exchange's limits, every market flows", async () => {
        const markets = marketsFor(adapter, 600, "L");
        const subs: Subscription[] = [
          ...trade(markets),
          ...markets.map((market) => ({ channel: "ticker" as const, market })),
        ].filter((s) => adapter.channels.includes(s.channel));
        const f = await feed(adapter, subs, {});
        for (const plan of adapter.ws.plan(subs, f.sim.wsUrl)) {
          expect(plan.subscriptions.length).toBeLessThanOrEqual(adapter.ws.limits.streamsPerConnection);
        }
        await allMarketsFlow(f, markets, 45_000);
        const stats = f.sim.sim.stats() as { closedBy: Record<string, number> };
        expect(stats.closedBy.rateLimit ?? 0).toBe(0);
        expect(f.results.get("error") ?? 0).toBe(0);
        expect(f.results.get("invalid") ?? 0).toBe(0);
      }, 60_000);

      test("keepalive is answered: the connection outlives the exchange's idle/pong timeout", async () => {
        const markets = marketsFor(adapter, 2, "K");
        const ka = adapter.ws.keepalive;
        // Shrink the exchange's timers so the test sees several rounds in two seconds.
        const spec: WsSpec =
          ka.kind === "client-ping" ? { ...adapter.ws, keepalive: { ...ka, intervalMs: 150 } } : adapter.ws;
        const f = await feed(
          adapter,
          trade(markets),
          { pingIntervalMs: 200, pongTimeoutMs: 600, maxIncomingPerSecond: 0 },
          spec,
        );
        await allMarketsFlow(f, markets);
        await Bun.sleep(2000);
        const stats = f.sim.sim.stats() as { connectionsClosed: number };
        expect(stats.connectionsClosed).toBe(0);
        expect(f.events.filter((e) => e.event === "disconnected")).toHaveLength(0);
      }, 30_000);

      test("a dropped connection reconnects and resubscribes", async () => {
        const markets = marketsFor(adapter, 3, "D");
        const f = await feed(adapter, trade(markets), {});
        await allMarketsFlow(f, markets);
        f.sim.sim.dropConnections();
        await waitFor("reconnected", () => f.events.filter((e) => e.event === "connected").length >= 2, {
          timeoutMs: 10_000,
          stepMs: 25,
          context: () => JSON.stringify(f.sim.sim.stats()),
        });
        for (const m of markets) f.trades.set(m, []);
        await allMarketsFlow(f, markets);
      }, 30_000);

      test("planned reconnects are staggered and lose nothing", async () => {
        const markets = marketsFor(adapter, 2, "R");
        const f = await feed(adapter, trade(markets), {}, adapter.ws, 1500);
        await allMarketsFlow(f, markets);
        const [m0] = markets as [string];
        const before = f.trades.get(m0)!.length;
        const sent: string[] = [];
        const t0 = Date.now();
        while (Date.now() - t0 < 3500) {
          sent.push(...f.sim.sim.generate(m0, 1).map((t) => String(t.id)));
          await Bun.sleep(20);
        }
        await Bun.sleep(500);
        const rotations = f.events.filter((e) => e.event === "rotated");
        expect(rotations.length).toBeGreaterThanOrEqual(1);
        expect(f.events.filter((e) => e.event === "disconnected")).toHaveLength(0);
        const got = new Set(f.trades.get(m0)!.slice(before));
        expect(sent.filter((id) => !got.has(id))).toEqual([]);
      }, 30_000);
    });
  }
}

test("planned reconnects of several connections are spread out, not synchronized", async () => {
  const adapter = getExchange("binance")!.adapters[0]!;
  const markets = marketsFor(adapter, 4, "S");
  const subs: Subscription[] = markets.map((market) => ({ channel: "trade", market }));
  const f = await feed(adapter, subs, {}, adapter.ws, 2000, true);
  await waitFor(
    "rotations",
    () => new Set(f.events.filter((e) => e.event === "rotated").map((e) => e.conn)).size === 4,
    { timeoutMs: 10_000, stepMs: 25, context: () => JSON.stringify(f.sim.sim.stats()) },
  );
  const firstRotation = [...new Set(f.events.filter((e) => e.event === "rotated").map((e) => e.conn))].map(
    (c) => f.events.find((e) => e.conn === c && e.event === "rotated")!.at,
  );
  expect(Math.max(...firstRotation) - Math.min(...firstRotation)).toBeGreaterThan(10);
}, 30_000);
