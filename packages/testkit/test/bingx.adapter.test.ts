import { afterEach, expect, test } from "bun:test";
import {
  type Book,
  type ExchangeAdapter,
  type FrameResult,
  getAdapter,
  type MarketMessage,
} from "@tickerplant/core";
import { type StartedSimulator, startSimulator, until } from "../src/index.ts";

/**
 * The BingX adapters against the BingX simulator profile, every channel: what the profile sends
 * the adapter reads (gzip frames, heartbeats answered by its replies), with trade ids equal to the
 * ground truth and book deltas chaining onto the stream's full depth.
 */

let stops: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const s of stops.reverse()) await s();
  stops = [];
});

async function run(adapter: ExchangeAdapter, s: StartedSimulator, market: string) {
  const subs = adapter.channels.map((channel) =>
    channel === "candle" ? { channel, market, interval: "1m" as const } : { channel, market },
  );
  const [plan] = adapter.ws.plan(subs, s.wsUrl);
  const ws = new WebSocket(plan!.url);
  ws.binaryType = "arraybuffer";
  const results: FrameResult[] = [];
  const ctx = {
    recvTs: 0,
    marketOf: (sym: string) => adapter.marketOfSymbol(sym),
    state: new Map<string, unknown>(),
  };
  ws.addEventListener("message", (e) => {
    ctx.recvTs = Date.now();
    const frame = typeof e.data === "string" ? e.data : new Uint8Array(e.data as ArrayBuffer);
    const r = adapter.parseFrame(frame, ctx);
    results.push(r);
    if (r.kind === "reply") ws.send(r.frame);
  });
  await new Promise((r) => ws.addEventListener("open", r));
  let id = 1;
  for (const f of adapter.ws.subscribeFrames(plan!.subscriptions, () => id++)) ws.send(f);
  stops.push(async () => ws.close());
  return { results, messages: () => results.flatMap((r) => (r.kind === "data" ? r.messages : [])) };
}

for (const marketType of ["spot", "perp"] as const) {
  test(`bingx ${marketType}: every channel from the simulator parses, ids and sequences hold`, async () => {
    const adapter = getAdapter("bingx", marketType)!;
    const market = marketType === "spot" ? "BTC-USDT" : "BTC-USDT-PERP";
    const s = await startSimulator({
      exchange: "bingx",
      markets: [market],
      tradesPerSecond: 0,
      pingIntervalMs: 200,
      pongTimeoutMs: 500,
    });
    stops.push(() => s.stop());
    const feed = await run(adapter, s, market);
    await Bun.sleep(300);
    const made: number[] = [];
    for (let i = 0; i < 12; i++) {
      made.push(...s.sim.generate(market, 3).map((t) => t.id));
      await Bun.sleep(150);
    }
    await Bun.sleep(1200);
    // Every made trade has arrived (the fixed wait alone failed once on a loaded CI machine).
    const tradesIn = () => feed.messages().filter((m) => m.type === "trade").length;
    expect(await until(() => tradesIn() >= made.length, 10_000)).toBe(true);
    const kinds = new Set(feed.results.map((r) => r.kind));
    expect(feed.results.filter((r) => r.kind === "invalid" || r.kind === "error")).toEqual([]);
    expect(kinds.has("reply")).toBe(true); // heartbeats answered
    expect((s.sim.stats() as { closedBy: { pongTimeout: number } }).closedBy.pongTimeout).toBe(0);
    expect(feed.results.filter((r) => r.kind === "ack")).toHaveLength(adapter.channels.length);

    const msgs: MarketMessage[] = feed.messages();
    const types = new Set(msgs.map((m) => m.type));
    expect([...types].sort()).toEqual([...adapter.channels].map((c) => c).sort());
    expect(msgs.filter((m) => m.type === "trade").map((m) => (m.type === "trade" ? m.id : ""))).toEqual(
      made.map(String),
    );
    expect(msgs.every((m) => m.market === market && m.symbol === "BTC-USDT")).toBe(true);

    const books = msgs.filter((m): m is Book => m.type === "book");
    expect(books[0]!.kind).toBe("snapshot");
    expect(books.length).toBeGreaterThan(1);
    for (let i = 1; i < books.length; i++) expect(books[i]!.prevSeq).toBe(books[i - 1]!.seq);
    const last = msgs.filter((m) => m.type === "trade").at(-1)!;
    const truth = s.sim.truth.trade(market, made.at(-1)!)!;
    expect(last.type === "trade" && [last.price, last.amount, last.side]).toEqual([
      truth.price,
      truth.amount,
      truth.side,
    ]);
  }, 10_000);
}
