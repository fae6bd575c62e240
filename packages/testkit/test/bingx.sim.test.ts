import { afterEach, describe, expect, test } from "bun:test";
import { type StartedSimulator, startSimulator } from "../src/index.ts";
import { rawConnect } from "./helpers/raw-ws.ts";

/**
 * The BingX profile: spot `/market` and swap `/swap-market` on one port, every server frame gzip,
 * BingX's subscribe/ack/error forms, application-level heartbeats, `@incrDepth` sequencing, REST.
 */

let stops: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const s of stops.reverse()) await s();
  stops = [];
});

async function sim(opts: Parameters<typeof startSimulator>[0] = {}): Promise<StartedSimulator> {
  const s = await startSimulator({
    exchange: "bingx",
    markets: ["BTC-USDT", "BTC-USDT-PERP", "ETH-USDT-PERP"],
    tradesPerSecond: 0,
    ...opts,
  });
  stops.push(() => s.stop());
  return s;
}

interface GzClient {
  /** Decoded frames in order; `binary` tells whether each came gzip-compressed in a binary frame. */
  frames: Array<{ text: string; binary: boolean }>;
  json(): Array<Record<string, unknown>>;
  send(v: unknown): void;
  waitFor(pred: () => boolean, ms?: number, what?: string): Promise<void>;
  closed: Promise<{ code: number }>;
  ws: WebSocket;
}

async function connect(url: string, opts: { answerPings?: boolean } = {}): Promise<GzClient> {
  const ws = new WebSocket(url);
  ws.binaryType = "arraybuffer";
  const frames: GzClient["frames"] = [];
  ws.addEventListener("message", (e) => {
    const binary = typeof e.data !== "string";
    const text = binary
      ? new TextDecoder().decode(Bun.gunzipSync(new Uint8Array(e.data as ArrayBuffer)))
      : (e.data as string);
    frames.push({ text, binary });
    if (opts.answerPings === false) return;
    if (text === "Ping") ws.send("Pong");
    else if (text.startsWith('{"ping"')) {
      const p = JSON.parse(text);
      ws.send(JSON.stringify({ pong: p.ping, time: p.time }));
    }
  });
  const closed = new Promise<{ code: number }>((r) =>
    ws.addEventListener("close", (e) => r({ code: e.code })),
  );
  await new Promise<void>((resolve, reject) => {
    ws.addEventListener("open", () => resolve());
    ws.addEventListener("error", () => reject(new Error(`cannot connect ${url}`)));
  });
  return {
    frames,
    ws,
    closed,
    json: () =>
      frames.flatMap((f) => {
        try {
          const v = JSON.parse(f.text);
          return typeof v === "object" && v !== null ? [v] : [];
        } catch {
          return [];
        }
      }),
    send: (v) => ws.send(typeof v === "string" ? v : JSON.stringify(v)),
    async waitFor(pred, ms = 3000, what = "condition") {
      const deadline = Date.now() + ms;
      while (!pred()) {
        if (Date.now() > deadline)
          throw new Error(`timed out waiting for ${what}: ${JSON.stringify(frames.slice(-3))}`);
        await Bun.sleep(10);
      }
    },
  };
}

const sub = (id: string, dataType: string, reqType = "sub") => ({ id, reqType, dataType });

describe("websocket venues", () => {
  test("spot on /market: ack form, gzip trades with ids, unknown paths refused", async () => {
    const s = await sim();
    const c = await connect(`${s.wsUrl}/market`);
    c.send(sub("a1", "BTC-USDT@trade"));
    await c.waitFor(() => c.frames.length >= 1, 2000, "ack");
    expect(c.json()[0]).toEqual({ code: 0, id: "a1", msg: "SUCCESS", timestamp: expect.any(Number) });
    const trades = s.sim.generate("BTC-USDT", 3);
    await c.waitFor(() => c.frames.length >= 4, 2000, "trades");
    expect(c.frames.every((f) => f.binary)).toBe(true);
    const pushed = c.json().slice(1);
    expect(pushed.map((m) => (m.data as { t: string }).t)).toEqual(trades.map((t) => String(t.id)));
    expect(pushed[0]).toMatchObject({ code: 0, dataType: "BTC-USDT@trade", success: true });
    expect(pushed[0]!.data).toMatchObject({
      e: "trade",
      s: "BTC-USDT",
      T: trades[0]!.ts,
      m: trades[0]!.side === "sell",
    });
    const r = await fetch(`${s.url}/ws`);
    expect(r.status).toBe(404);
  });

  test("swap on /swap-market: ack form, trades as one array per batch, newest first", async () => {
    const s = await sim();
    const c = await connect(`${s.wsUrl}/swap-market`);
    c.send(sub("b1", "BTC-USDT@trade"));
    await c.waitFor(() => c.frames.length >= 1, 2000, "ack");
    expect(c.json()[0]).toEqual({ id: "b1", code: 0, msg: "", dataType: "", data: null });
    const trades = s.sim.generate("BTC-USDT-PERP", 4);
    s.sim.generate("BTC-USDT", 2); // the spot market of the same symbol goes to spot sockets only
    await c.waitFor(() => c.frames.length >= 2, 2000, "trades");
    await Bun.sleep(50);
    expect(c.frames).toHaveLength(2);
    const frame = c.json()[1]!;
    expect(frame.dataType).toBe("BTC-USDT@trade");
    const rows = frame.data as Array<{ t: string; T: number; s: string }>;
    expect(rows.map((r) => r.t)).toEqual(trades.map((t) => String(t.id)).reverse());
    expect(rows.every((r) => r.s === "BTC-USDT")).toBe(true);
  });

  test("errors: unknown dataType 80015, bad request 80014, > topic limit 80403; unsubscribe", async () => {
    const s = await sim({ maxStreamsPerConnection: 2 });
    const c = await connect(`${s.wsUrl}/swap-market`);
    c.send(sub("1", "NOPE-USDT@trade"));
    c.send(sub("2", "BTC-USDT@nosuch"));
    c.send({ id: "3", dataType: "BTC-USDT@trade" }); // swap needs reqType
    c.send("{");
    c.send(sub("4", "BTC-USDT@trade"));
    c.send(sub("5", "ETH-USDT@markPrice"));
    c.send(sub("6", "BTC-USDT@ticker"));
    c.send(sub("7", "BTC-USDT@trade", "unsub"));
    await c.waitFor(() => c.frames.length >= 8, 2000, "replies");
    const codes = c.json().map((m) => [m.id ?? null, m.code]);
    expect(codes).toEqual([
      ["1", 80015],
      ["2", 80015],
      ["3", 80014],
      [null, 80014],
      ["4", 0],
      ["5", 0],
      ["6", 80403],
      ["7", 0],
    ]);
    s.sim.generate("BTC-USDT-PERP", 1);
    await Bun.sleep(100);
    expect(c.frames).toHaveLength(8); // unsubscribed
  });

  test("heartbeats: swap `Ping`, spot {ping,time}; answered sockets live, silent ones are closed", async () => {
    const s = await sim({ pingIntervalMs: 100, pongTimeoutMs: 400 });
    const swap = await connect(`${s.wsUrl}/swap-market`);
    const spot = await connect(`${s.wsUrl}/market`);
    const silent = await connect(`${s.wsUrl}/market`, { answerPings: false });
    await swap.waitFor(() => swap.frames.length >= 3, 2000, "pings");
    expect(swap.frames.slice(0, 3).map((f) => [f.text, f.binary])).toEqual(Array(3).fill(["Ping", true]));
    const ping = spot.json()[0]!;
    expect(ping).toEqual({
      ping: expect.stringMatching(/^[0-9a-f]{32}$/),
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0800$/),
    });
    const closed = await Promise.race([silent.closed, Bun.sleep(2000).then(() => null)]);
    expect(closed).not.toBeNull();
    await Bun.sleep(300);
    expect(swap.ws.readyState).toBe(WebSocket.OPEN);
    expect(spot.ws.readyState).toBe(WebSocket.OPEN);
    const stats = s.sim.stats() as { closedBy: { pongTimeout: number }; pongsReceived: number };
    expect(stats.closedBy.pongTimeout).toBe(1);
    expect(stats.pongsReceived).toBeGreaterThanOrEqual(6);
  });

  test("a raw client sees binary frames only (opcode 0x2), never WebSocket pings", async () => {
    const s = await sim({ pingIntervalMs: 100, pongTimeoutMs: 250 });
    const raw = await rawConnect("127.0.0.1", s.port, "/swap-market");
    await raw.closed;
    expect(raw.status).toBe(101);
    expect(raw.headers["x-tickerplant-simulated"]).toBe("1");
    expect(raw.opcodes).toContain(0x2);
    expect(raw.opcodes).not.toContain(0x9);
    expect(raw.opcodes.filter((o) => o !== 0x2 && o !== 0x8)).toEqual([]);
  });
});

describe("@incrDepth", () => {
  test("full depth first (lastUpdateId N), then updates N+1, N+2, …; a skip leaves a gap", async () => {
    const s = await sim({ markets: ["ETH-USDT-PERP"] });
    const c = await connect(`${s.wsUrl}/swap-market`);
    c.send(sub("d", "ETH-USDT@incrDepth"));
    await c.waitFor(() => c.frames.length >= 2, 2000, "full depth");
    const all = c.json()[1]!.data as {
      action: string;
      lastUpdateId: number;
      bids: unknown[];
      asks: unknown[];
    };
    expect(all.action).toBe("all");
    expect(all.bids.length).toBeGreaterThan(10);
    const updates = () =>
      c.json().flatMap((m) => {
        const d = m.data as { action?: string; lastUpdateId: number } | null;
        return d?.action === "update" ? [d.lastUpdateId] : [];
      });
    for (let i = 0; i < 3; i++) {
      s.sim.generate("ETH-USDT-PERP", 2);
      await Bun.sleep(850);
    }
    await c.waitFor(() => updates().length >= 3, 3000, "updates");
    expect(updates().slice(0, 3)).toEqual([all.lastUpdateId + 1, all.lastUpdateId + 2, all.lastUpdateId + 3]);
    s.sim.skipBookUpdates("ETH-USDT-PERP", 1);
    const before = updates().length;
    for (let i = 0; i < 2; i++) {
      s.sim.generate("ETH-USDT-PERP", 2);
      await Bun.sleep(850);
    }
    await c.waitFor(() => updates().length >= before + 1, 3000, "update after the gap");
    const seq = updates();
    expect(seq[before]).toBe(seq[before - 1]! + 2);
  }, 10_000);

  test("spot sends levels as {price: qty} maps", async () => {
    const s = await sim({ markets: ["BTC-USDT"] });
    const c = await connect(`${s.wsUrl}/market`);
    c.send(sub("d", "BTC-USDT@incrDepth"));
    await c.waitFor(() => c.frames.length >= 2, 2000, "full depth");
    const data = c.json()[1]!.data as { action: string; bids: Record<string, string> };
    expect(data.action).toBe("all");
    expect(Array.isArray(data.bids)).toBe(false);
    expect(Object.keys(data.bids).length).toBeGreaterThan(10);
  });
});

describe("REST", () => {
  const get = async (s: StartedSimulator, path: string) => {
    const r = await fetch(`${s.url}${path}`);
    // biome-ignore lint/suspicious/noExplicitAny: tests read loosely typed JSON
    return { status: r.status, headers: r.headers, body: (await r.json()) as any };
  };

  test("spot and swap market lists, trades with ids matching the ground truth, swap wants timestamp", async () => {
    const s = await sim();
    const made = s.sim.generate("BTC-USDT-PERP", 5);
    const symbols = await get(s, "/openApi/spot/v1/common/symbols");
    expect(symbols.body.data.symbols.map((x: { symbol: string }) => x.symbol)).toEqual(["BTC-USDT"]);
    const ts = Date.now();
    const contracts = await get(s, `/openApi/swap/v2/quote/contracts?timestamp=${ts}`);
    expect(contracts.body.data.map((x: { symbol: string }) => x.symbol)).toEqual(["BTC-USDT", "ETH-USDT"]);
    const trades = await get(s, `/openApi/swap/v2/quote/trades?symbol=BTC-USDT&timestamp=${ts}`);
    expect(trades.body.data.map((t: { id: number }) => t.id)).toEqual(made.map((t) => t.id).reverse());
    const noTs = await get(s, "/openApi/swap/v2/quote/trades?symbol=BTC-USDT");
    expect([noTs.status, noTs.body.code]).toEqual([200, 109400]);
    const unknown = await get(s, `/openApi/swap/v2/quote/depth?symbol=NOPE-USDT&timestamp=${ts}`);
    expect(unknown.body.code).toBe(109425);
    const depth = await get(s, `/openApi/swap/v2/quote/depth?symbol=BTC-USDT&limit=5&timestamp=${ts}`);
    expect(depth.body.data.bids).toHaveLength(5);
    const asks = depth.body.data.asks.map((a: string[]) => Number(a[0]));
    expect(asks).toEqual([...asks].sort((a, b) => b - a)); // best ask last, as BingX sends it
  });

  test("500 requests per 10 s shared by both venues: remaining in X-RateLimit-Requests-Remain, then 429", async () => {
    const s = await sim({ restWeightLimit: 3 });
    const r1 = await get(s, "/openApi/spot/v1/market/depth?symbol=BTC-USDT");
    expect(r1.headers.get("x-ratelimit-requests-remain")).toBe("2");
    await get(s, `/openApi/swap/v2/quote/depth?symbol=BTC-USDT&timestamp=${Date.now()}`);
    await get(s, "/openApi/spot/v1/market/trades?symbol=BTC-USDT");
    const limited = await get(s, "/openApi/spot/v1/market/trades?symbol=BTC-USDT");
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(limited.body.code).toBe(100410);
  });
});
