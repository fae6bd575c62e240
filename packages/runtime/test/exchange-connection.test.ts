import { afterEach, describe, expect, test } from "bun:test";
import type { Subscription, WsSpec } from "@tickerplant/core";
import { waitFor } from "@tickerplant/testkit";
import type { ServerWebSocket } from "bun";
import { type ConnectionEvent, ExchangeConnection } from "../src/exchange-connection.ts";
import { createLogger } from "../src/logger.ts";
import { RateWindow } from "../src/rate-window.ts";
import { DEFAULT_DATA_STALL_MS, dataStallWindow } from "../src/stall-window.ts";

const log = createLogger({ service: "test", level: "error" });

function spec(overrides: Partial<WsSpec> = {}): WsSpec {
  return {
    defaultUrl: "ws://unused",
    limits: {
      streamsPerConnection: 10,
      argsPerSubscribe: 2,
      messagesPerSecond: 5,
      connectionAttempts: { count: 100, windowMs: 60_000 },
    },
    keepalive: { kind: "server-ping", serverIntervalMs: 20_000 },
    maxConnectionAgeMs: 60_000,
    staleAfterMs: 60_000,
    plan: (subscriptions, baseUrl) => [{ url: baseUrl, subscriptions }],
    subscribeFrames: (subs, nextId) => {
      const frames: string[] = [];
      for (let i = 0; i < subs.length; i += 2) {
        frames.push(
          JSON.stringify({ op: "sub", args: subs.slice(i, i + 2).map((s) => s.market), id: nextId() }),
        );
      }
      return frames;
    },
    unsubscribeFrames: () => [],
    ...overrides,
  };
}

type Peer = ServerWebSocket<{ id: number }>;

/** A scripted exchange: records what clients send and lets the test push frames. */
function exchange() {
  const received: Array<{ at: number; id: number; text: string }> = [];
  /** When each connection was accepted (before the client can send anything on it). */
  const opened: number[] = [];
  const peers = new Set<Peer>();
  let nextId = 0;
  let connections = 0;
  const server = Bun.serve<{ id: number }, never>({
    port: 0,
    fetch(req, srv) {
      connections++;
      return srv.upgrade(req, { data: { id: nextId++ } }) ? undefined : new Response("no", { status: 400 });
    },
    websocket: {
      open: (ws) => {
        peers.add(ws);
        opened.push(Date.now());
      },
      close: (ws) => void peers.delete(ws),
      message: (ws, msg) => void received.push({ at: Date.now(), id: ws.data.id, text: String(msg) }),
    },
  });
  return {
    url: `ws://127.0.0.1:${server.port}`,
    received,
    opened,
    peers,
    get connections() {
      return connections;
    },
    broadcast: (text: string) => {
      for (const p of peers) p.send(text);
    },
    stop: () => server.stop(true),
  };
}

const POLL = { timeoutMs: 5000, stepMs: 10 };

const subs: Subscription[] = ["A-B", "C-D", "E-F", "G-H", "I-J"].map((market) => ({
  channel: "trade",
  market,
}));
let cleanup: Array<() => void> = [];
afterEach(() => {
  for (const c of cleanup) c();
  cleanup = [];
});

describe("ExchangeConnection", () => {
  test("subscribes in chunks no faster than the exchange's message rate", async () => {
    const ex = exchange();
    const events: ConnectionEvent[] = [];
    const conn = new ExchangeConnection({
      name: "t",
      url: ex.url,
      spec: spec(),
      subscriptions: subs,
      attempts: new RateWindow(10, 1000),
      onFrame: () => {},
      onEvent: (e) => void events.push(e),
      log,
    });
    cleanup.push(
      () => conn.stop(),
      () => ex.stop(),
    );
    conn.start();
    await waitFor("3 subscribe frames", () => ex.received.length === 3, POLL);
    expect(ex.received.map((r) => JSON.parse(r.text).args)).toEqual([
      ["A-B", "C-D"],
      ["E-F", "G-H"],
      ["I-J"],
    ]);
    // 5 msgs/s with one kept for keepalives ⇒ sent at least 250 ms apart: the third at least 500 ms
    // after the first, which came after the connection was accepted. (Arrival gaps alone can shrink
    // when a loaded event loop delivers the first frame late.)
    expect(ex.received[2]!.at - ex.opened[0]!).toBeGreaterThanOrEqual(490);
    expect(events[0]).toMatchObject({ event: "connected", downSince: null });
  });

  test("reconnects after a drop, resubscribes and reports the gap", async () => {
    const ex = exchange();
    const events: ConnectionEvent[] = [];
    const frames: string[] = [];
    const conn = new ExchangeConnection({
      name: "t",
      url: ex.url,
      spec: spec(),
      subscriptions: subs.slice(0, 1),
      attempts: new RateWindow(10, 1000),
      backoff: { baseMs: 20, maxMs: 100 },
      onFrame: (d) => void frames.push(String(d)),
      onEvent: (e) => void events.push(e),
      log,
    });
    cleanup.push(
      () => conn.stop(),
      () => ex.stop(),
    );
    conn.start();
    await waitFor("the subscribe frame", () => ex.received.length === 1, POLL);
    for (const p of ex.peers) p.close(1006, "boom");
    await waitFor("the resubscribe frame", () => ex.received.length === 2, POLL);
    expect(ex.connections).toBe(2);
    const kinds = events.map((e) => e.event);
    expect(kinds).toEqual(["connected", "disconnected", "connected"]);
    const reconnected = events[2] as Extract<ConnectionEvent, { event: "connected" }>;
    // The gap starts at the last frame received, at the latest at the close.
    expect(reconnected.downSince).toBeLessThanOrEqual((events[1] as { at: number }).at);
    ex.broadcast("hello");
    await waitFor('the "hello" frame', () => frames.includes("hello"), POLL);
  });

  test("a silent stream is reported stale and replaced", async () => {
    const ex = exchange();
    const events: ConnectionEvent[] = [];
    const conn = new ExchangeConnection({
      name: "t",
      url: ex.url,
      spec: spec(),
      subscriptions: subs.slice(0, 1),
      attempts: new RateWindow(10, 1000),
      staleAfterMs: 300,
      backoff: { baseMs: 10, maxMs: 50 },
      onFrame: () => {},
      onEvent: (e) => void events.push(e),
      log,
    });
    cleanup.push(
      () => conn.stop(),
      () => ex.stop(),
    );
    conn.start();
    await waitFor("a stale event", () => events.some((e) => e.event === "stale"), {
      ...POLL,
      timeoutMs: 3000,
    });
    await waitFor("a second connection", () => ex.connections >= 2, { ...POLL, timeoutMs: 3000 });
    // The gap covers the silence, not only the reconnect: it starts at the last frame.
    await waitFor(
      "a reconnect with the gap",
      () => events.some((e) => e.event === "connected" && e.downSince !== null),
      { ...POLL, timeoutMs: 3000 },
    );
    const stale = events.find((e) => e.event === "stale") as Extract<ConnectionEvent, { event: "stale" }>;
    const back = events.find((e) => e.event === "connected" && e.downSince !== null) as Extract<
      ConnectionEvent,
      { event: "connected" }
    >;
    expect(back.downSince!).toBeLessThanOrEqual(stale.at - stale.silentMs + 50);
  });

  test("keepalives without data: declared stalled, replaced, the gap from the last data frame, recovery timed", async () => {
    const ex = exchange();
    const events: ConnectionEvent[] = [];
    const conn = new ExchangeConnection({
      name: "t",
      url: ex.url,
      spec: spec(),
      subscriptions: subs.slice(0, 1),
      attempts: new RateWindow(10, 1000),
      dataStallMs: 400,
      backoff: { baseMs: 10, maxMs: 50 },
      onFrame: (d) => String(d) !== "ping",
      onEvent: (e) => void events.push(e),
      log,
    });
    // The exchange keeps pinging every 50 ms, so the link never falls silent.
    const pinger = setInterval(() => ex.broadcast("ping"), 50);
    cleanup.push(
      () => clearInterval(pinger),
      () => conn.stop(),
      () => ex.stop(),
    );
    conn.start();
    await waitFor("a connection", () => ex.peers.size === 1, POLL);
    ex.broadcast("data");
    const lastData = Date.now();
    await waitFor("a stale event", () => events.some((e) => e.event === "stale"), {
      ...POLL,
      timeoutMs: 3000,
    });
    const stale = events.find((e) => e.event === "stale") as Extract<ConnectionEvent, { event: "stale" }>;
    expect(stale.kind).toBe("no-data");
    expect(stale.silentMs).toBeGreaterThanOrEqual(400);
    await waitFor(
      "a reconnect with the gap",
      () => events.some((e) => e.event === "connected" && e.downSince !== null),
      { ...POLL, timeoutMs: 3000 },
    );
    const back = events.find((e) => e.event === "connected" && e.downSince !== null) as Extract<
      ConnectionEvent,
      { event: "connected" }
    >;
    expect(back.downSince!).toBeLessThanOrEqual(lastData + 50);
    expect(events.some((e) => e.event === "recovered")).toBe(false);
    ex.broadcast("data");
    await waitFor("a recovered event", () => events.some((e) => e.event === "recovered"), {
      ...POLL,
      timeoutMs: 3000,
    });
    const recovered = events.find((e) => e.event === "recovered") as Extract<
      ConnectionEvent,
      { event: "recovered" }
    >;
    expect(recovered.downMs).toBe(recovered.at - back.downSince!);
  });

  test("a silent link that never answers the close handshake is cut", async () => {
    // A raw TCP server that completes the WebSocket upgrade and then never writes again.
    const server = Bun.listen({
      hostname: "127.0.0.1",
      port: 0,
      socket: {
        data(socket, data) {
          const key = /Sec-WebSocket-Key: (.+)\r\n/i.exec(data.toString())?.[1];
          if (!key) return;
          const accept = new Bun.CryptoHasher("sha1")
            .update(`${key.trim()}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`)
            .digest("base64");
          socket.write(
            `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`,
          );
        },
      },
    });
    let opens = 0;
    const events: ConnectionEvent[] = [];
    const conn = new ExchangeConnection({
      name: "t",
      url: `ws://127.0.0.1:${server.port}`,
      spec: spec(),
      subscriptions: subs.slice(0, 1),
      attempts: new RateWindow(10, 1000),
      staleAfterMs: 300,
      backoff: { baseMs: 10, maxMs: 50 },
      onFrame: () => {},
      onEvent: (e) => {
        events.push(e);
        if (e.event === "connected") opens++;
      },
      log,
    });
    cleanup.push(
      () => conn.stop(),
      () => server.stop(true),
    );
    conn.start();
    await waitFor("a reconnect", () => opens >= 2, { ...POLL, timeoutMs: 6000 });
    const stale = events.find((e) => e.event === "stale") as Extract<ConnectionEvent, { event: "stale" }>;
    expect(stale.kind).toBe("silent");
  });

  test("the data-stall window: the shortest of the connection's channels, the adapter's over the defaults", () => {
    const trade: Subscription = { channel: "trade", market: "A-B" };
    const book: Subscription = { channel: "book", market: "A-B" };
    const bbo: Subscription = { channel: "bbo", market: "A-B" };
    expect(dataStallWindow(spec(), [trade])).toBe(0);
    expect(dataStallWindow(spec(), [trade, book])).toBe(DEFAULT_DATA_STALL_MS.book!);
    expect(dataStallWindow(spec({ dataStallMs: { book: 20_000, trade: 90_000 } }), [trade])).toBe(90_000);
    expect(dataStallWindow(spec({ dataStallMs: { book: 20_000 } }), [trade, book, bbo])).toBe(20_000);
  });

  test("client-ping keepalive sends the adapter's message", async () => {
    const ex = exchange();
    const conn = new ExchangeConnection({
      name: "t",
      url: ex.url,
      spec: spec({ keepalive: { kind: "client-ping", intervalMs: 100, message: '{"op":"ping"}' } }),
      subscriptions: subs.slice(0, 1),
      attempts: new RateWindow(10, 1000),
      onFrame: () => {},
      onEvent: () => {},
      log,
    });
    cleanup.push(
      () => conn.stop(),
      () => ex.stop(),
    );
    conn.start();
    await waitFor("3 pings", () => ex.received.filter((r) => r.text === '{"op":"ping"}').length >= 3, {
      ...POLL,
      timeoutMs: 2000,
    });
  });

  test("planned reconnect is make-before-break: no frame is lost", async () => {
    const ex = exchange();
    const frames: number[] = [];
    const events: ConnectionEvent[] = [];
    const conn = new ExchangeConnection({
      name: "t",
      url: ex.url,
      spec: spec(),
      subscriptions: subs.slice(0, 1),
      attempts: new RateWindow(10, 1000),
      maxAgeMs: 400,
      onFrame: (d) => void frames.push(Number(d)),
      onEvent: (e) => void events.push(e),
      log,
    });
    cleanup.push(
      () => conn.stop(),
      () => ex.stop(),
    );
    conn.start();
    await waitFor("a connection", () => ex.peers.size === 1, POLL);
    let n = 0;
    const ticker = setInterval(() => ex.broadcast(String(n++)), 5);
    cleanup.push(() => clearInterval(ticker));
    await waitFor("2 rotations", () => events.filter((e) => e.event === "rotated").length >= 2, {
      ...POLL,
      timeoutMs: 5000,
    });
    clearInterval(ticker);
    await Bun.sleep(50);
    const unique = [...new Set(frames)].sort((a, b) => a - b);
    const first = unique[0]!;
    expect(unique).toEqual(Array.from({ length: unique.length }, (_, i) => first + i));
    expect(events.filter((e) => e.event === "disconnected")).toHaveLength(0);
  });
});
