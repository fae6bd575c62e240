import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { connect, type Socket } from "node:net";
import { type Book, type Level, OrderBook } from "@tickerplant/core";
import { upsertMarkets } from "@tickerplant/db";
import { publish, startTestGateway, type TestGateway, uniqueMarket, WsClient } from "./helpers.ts";

let g: TestGateway;
let ex: string;
const clients: WsClient[] = [];
const MAX_BUFFERED = 65_536;

beforeAll(async () => {
  g = await startTestGateway({
    WS_MAX_BUFFERED_BYTES: String(MAX_BUFFERED),
  });
  ex = g.exchange;
});

afterAll(async () => {
  for (const c of clients) c.close();
  await g?.nats.jsm.streams.purge("MD_BOOKS", { filter: `md.book.${ex}.>` });
  await g?.close();
});

async function client(): Promise<WsClient> {
  const c = await WsClient.open(g.wsUrl);
  clients.push(c);
  return c;
}

function book(
  market: string,
  kind: Book["kind"],
  seq: number,
  prevSeq: number | null,
  bids: Level[],
  asks: Level[] = [],
): Book {
  return {
    type: "book",
    exchange: ex,
    market,
    symbol: market.replace("-", ""),
    ts: 1_717_000_000_000 + seq,
    recvTs: 1_717_000_000_001 + seq,
    kind,
    seq,
    prevSeq,
    bids,
    asks,
    simulated: true,
  };
}

const pub = (m: Book) => publish(g.nats, `md.book.${ex}.${m.market}`, m);

interface BookFrame {
  channel: string;
  seq: number;
  snapshot?: true;
  data: Book;
}

/** Any server frame as the raw reader sees it (replies have `type`, data frames `channel`). */
type WsFrame = Partial<BookFrame> & { type?: string };

/** The client's next data frame of a channel. */
const nextFrame = async (c: WsClient, channel: string): Promise<BookFrame> =>
  (await c.next((f) => f.channel === channel)) as unknown as BookFrame;

/** Applies frames the way a client does, checking that every delta continues the book it holds. */
function rebuild(frames: BookFrame[]) {
  const b = new OrderBook();
  let seq: number | null = null;
  for (const f of frames) {
    if (f.data.kind === "snapshot") {
      b.reset(f.data);
    } else {
      expect(f.data.prevSeq).toBe(seq);
      b.apply(f.data);
    }
    seq = f.data.seq;
  }
  return { ...b.top(10_000), seq };
}

/** A metric's value from /metrics; `label` (e.g. `reason="behind"`) picks one series. */
async function metric(name: string, label = ""): Promise<number> {
  const text = await (await fetch(`${g.base}/metrics`)).text();
  const line = text
    .split("\n")
    .find((l) => (l.startsWith(`${name}{`) || l.startsWith(`${name} `)) && l.includes(label));
  return line ? Number(line.split(" ").pop()) : 0;
}

describe("WebSocket book:<ex>:<mkt>", () => {
  test("subscribe gets a snapshot from the gateway's replica (read back from the stream), then continuous deltas", async () => {
    const market = uniqueMarket();
    const channel = `book:${ex}:${market}`;
    await pub(
      book(
        market,
        "snapshot",
        100,
        null,
        [
          [100, 1],
          [99, 2],
        ],
        [
          [101, 1],
          [102, 2],
        ],
      ),
    );
    const s101 = await pub(
      book(
        market,
        "delta",
        101,
        100,
        [
          [99, 0],
          [98.5, 3],
        ],
        [[101, 4]],
      ),
    );
    const c = await client();
    expect(await c.request({ op: "subscribe", channels: [channel], id: 1 })).toEqual({
      type: "subscribed",
      channels: [channel],
      id: 1,
    });
    // The new feed reads back to the snapshot: the client's first frame is a snapshot of the
    // replica (at 100 or 101, depending on how far it got), then deltas continue from it.
    const first = await nextFrame(c, channel);
    expect(first).toMatchObject({ channel, snapshot: true, data: { kind: "snapshot", prevSeq: null } });
    expect(g.gateway.books.filters).toContain(`md.book.${ex}.${market}`);
    const s102 = await pub(book(market, "delta", 102, 101, [[100.5, 1]]));
    const s103 = await pub(book(market, "delta", 103, 102, [], [[102, 0]]));
    const frames = [first];
    while (frames[frames.length - 1]!.data.seq !== 103) frames.push(await nextFrame(c, channel));
    if (first.data.seq === 101) {
      expect(first).toEqual({
        channel,
        seq: s101,
        snapshot: true,
        data: book(
          market,
          "snapshot",
          101,
          null,
          [
            [100, 1],
            [98.5, 3],
          ],
          [
            [101, 4],
            [102, 2],
          ],
        ),
      });
    }
    expect(frames.slice(-2).map((f) => f.seq)).toEqual([s102, s103]);
    expect(frames[frames.length - 1]!.data).toEqual(book(market, "delta", 103, 102, [], [[102, 0]]));
    expect(rebuild(frames)).toEqual({
      bids: [
        [100.5, 1],
        [100, 1],
        [98.5, 3],
      ],
      asks: [[101, 4]],
      seq: 103,
    });
    // Subscribing again later: the replica is in sync, so the snapshot is the current book at once.
    const late = await client();
    await late.request({ op: "subscribe", channels: [channel], id: 2 });
    expect(await nextFrame(late, channel)).toEqual({
      channel,
      seq: s103,
      snapshot: true,
      data: {
        ...book(
          market,
          "snapshot",
          103,
          null,
          [
            [100.5, 1],
            [100, 1],
            [98.5, 3],
          ],
          [[101, 4]],
        ),
      },
    });
  });

  test("a subscriber that is there before any snapshot gets the first one, then deltas; a hole waits for the next snapshot", async () => {
    const market = uniqueMarket();
    const channel = `book:${ex}:${market}`;
    const c = await client();
    await c.request({ op: "subscribe", channels: [channel], id: 1 });
    await pub(book(market, "delta", 4, 3, [[1, 1]])); // nothing to apply it to yet
    const s5 = await pub(book(market, "snapshot", 5, null, [[10, 1]], [[11, 1]]));
    await pub(book(market, "delta", 6, 5, [[9, 1]]));
    await pub(book(market, "delta", 8, 7, [[8, 1]])); // 7 never arrives
    await pub(book(market, "delta", 9, 8, [[7, 1]]));
    const s20 = await pub(book(market, "snapshot", 20, null, [[12, 1]], [[13, 1]]));
    await pub(book(market, "delta", 21, 20, [[11.5, 1]]));
    const frames: BookFrame[] = [];
    for (let i = 0; i < 4; i++) frames.push(await nextFrame(c, channel));
    expect(frames.map((f) => [f.snapshot === true, f.data.kind, f.data.seq])).toEqual([
      [true, "snapshot", 5],
      [false, "delta", 6],
      [true, "snapshot", 20],
      [false, "delta", 21],
    ]);
    expect([frames[0]!.seq, frames[2]!.seq]).toEqual([s5, s20]);
    expect(rebuild(frames.slice(2))).toMatchObject({
      bids: [
        [12, 1],
        [11.5, 1],
      ],
      asks: [[13, 1]],
    });
    await Bun.sleep(100);
    expect(c.data(channel)).toEqual([]);
    expect(await metric("tickerplant_gateway_book_holes_total", `exchange="${ex}"`)).toBe(1);
  });

  test("a pattern (book:<ex>:*) gets a snapshot of every market in sync, then each market's deltas", async () => {
    const [m1, m2] = [uniqueMarket(), uniqueMarket()];
    await pub(book(m1, "snapshot", 1, null, [[5, 1]]));
    await pub(book(m2, "snapshot", 7, null, [[6, 1]]));
    const c = await client();
    await c.request({ op: "subscribe", channels: [`book:${ex}:*`], id: 1 });
    const s1 = await nextFrame(c, `book:${ex}:${m1}`);
    const s2 = await nextFrame(c, `book:${ex}:${m2}`);
    expect([s1.snapshot, s1.data.seq, s2.snapshot, s2.data.seq]).toEqual([true, 1, true, 7]);
    await pub(book(m2, "delta", 8, 7, [[6, 2]]));
    const d = await nextFrame(c, `book:${ex}:${m2}`);
    expect(d.data).toMatchObject({ kind: "delta", seq: 8, prevSeq: 7 });
  });

  test("a client that stops reading gets a fresh snapshot when it reads again, never a silent hole", async () => {
    const market = uniqueMarket();
    const channel = `book:${ex}:${market}`;
    // Big deltas (the same 4000 levels, new amounts) fill the buffers quickly.
    const levels = (amount: number): Level[] =>
      Array.from({ length: 4000 }, (_, i) => [1000 + i, amount] as Level);
    const truth = new OrderBook();
    const snapshot = book(market, "snapshot", 1, null, levels(1), [[100_000, 1]]);
    truth.reset(snapshot);
    await pub(snapshot);

    const socket = await rawClient();
    const reader = new FrameReader(socket);
    socket.write(maskedFrame(JSON.stringify({ op: "subscribe", channels: [channel], id: 1 })));
    await reader.until((f) => f.type === "subscribed");
    const first = await reader.until((f) => f.channel === channel);
    socket.pause(); // stop reading: the kernel buffers fill, then the gateway's send buffer grows

    let seq = 1;
    const next = async () => {
      const d = book(market, "delta", seq + 1, seq, levels(seq + 1));
      seq++;
      truth.apply(d);
      await pub(d);
    };
    try {
      const dropped = () => metric("tickerplant_gateway_ws_book_deltas_dropped_total");
      for (let i = 0; i < 60 && (await dropped()) === 0; i++) {
        for (let j = 0; j < 5; j++) await next(); // /metrics is slow: look every 5 deltas
      }
      expect(await metric("tickerplant_gateway_ws_book_deltas_dropped_total")).toBeGreaterThan(0);
      await next();
      socket.resume();
      await Bun.sleep(200);
      await next(); // one more after the client caught up
      const frames = await reader.untilAll((f) => f.channel === channel && f.data?.seq === seq, 10_000);
      const data = [first, ...frames.filter((f) => f.channel === channel)] as BookFrame[];
      const snapshots = data.filter((f) => f.snapshot === true);
      expect(snapshots.length).toBeGreaterThanOrEqual(2); // the first one, and the fresh one after falling behind
      expect(rebuild(data)).toEqual({ ...truth.top(10_000), seq });
      expect(await metric("tickerplant_gateway_ws_book_snapshots_total", 'reason="behind"')).toBeGreaterThan(
        0,
      );
      expect(await metric("tickerplant_gateway_ws_disconnects_total", 'reason="slow_consumer"')).toBe(0);
    } finally {
      socket.destroy();
    }
  }, 30_000);
});

describe("GET /api/v1/orderbook/:exchange/:market", () => {
  // biome-ignore lint/suspicious/noExplicitAny: response bodies are asserted field by field
  type Body = any;

  async function get(path: string): Promise<{ status: number; body: Body }> {
    const res = await fetch(`${g.base}/api/v1/orderbook/${path}`);
    return { status: res.status, body: await res.json() };
  }

  function expectError(r: { status: number; body: Body }, status: number, code: string) {
    expect(r.status).toBe(status);
    expect(r.body).toEqual({ error: { code, message: expect.any(String) } });
  }

  test("from the gateway's live replica while a WebSocket client keeps one, with depth", async () => {
    const market = uniqueMarket();
    const channel = `book:${ex}:${market}`;
    // A different (older) book in Redis: the live replica wins.
    await g.redis.hset(`book:${ex}:${market}`, {
      json: JSON.stringify(book(market, "snapshot", 1, null, [[1, 1]])),
      updatedAt: String(Date.now() - 60_000),
      synced: "1",
    });
    await pub(
      book(
        market,
        "snapshot",
        50,
        null,
        [
          [100, 1],
          [99, 2],
          [98, 3],
        ],
        [
          [101, 1],
          [102, 2],
        ],
      ),
    );
    const c = await client();
    await c.request({ op: "subscribe", channels: [channel], id: 1 });
    await nextFrame(c, channel);
    const r = await get(`${ex}/${market}?depth=2`);
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      ...book(
        market,
        "snapshot",
        50,
        null,
        [
          [100, 1],
          [99, 2],
        ],
        [
          [101, 1],
          [102, 2],
        ],
      ),
      updatedAt: expect.any(Number),
      ageMs: expect.any(Number),
      source: "live",
    });
    expect(r.body.ageMs).toBeLessThan(5000);
    expect((await get(`${ex}/${market}`)).body.bids).toHaveLength(3); // default depth 20
  });

  test("else from the storage-writer's snapshot in Redis", async () => {
    const market = uniqueMarket();
    const stored = book(
      market,
      "snapshot",
      7,
      null,
      [
        [10, 1],
        [9, 1],
        [8, 1],
      ],
      [[11, 1]],
    );
    const updatedAt = Date.now() - 1500;
    await g.redis.hset(`book:${ex}:${market}`, {
      json: JSON.stringify(stored),
      updatedAt: String(updatedAt),
      synced: "1",
      seq: "123",
    });
    const r = await get(`${ex}/${market}?depth=2`);
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      ...stored,
      bids: [
        [10, 1],
        [9, 1],
      ],
      updatedAt,
      ageMs: expect.any(Number),
      source: "store",
    });
    expect(r.body.ageMs).toBeGreaterThanOrEqual(1500);
  });

  test("no in-sync book is 503 book_unavailable; unknown exchange or market 404; bad parameters 400", async () => {
    const resyncing = uniqueMarket();
    await g.redis.hset(`book:${ex}:${resyncing}`, { synced: "0", detail: "lost continuity", updatedAt: "1" });
    const r1 = await get(`${ex}/${resyncing}`);
    expectError(r1, 503, "book_unavailable");
    expect(r1.body.error.message).toContain("lost continuity");
    expectError(await get(`${ex}/${uniqueMarket()}`), 503, "book_unavailable");
    expectError(await get(`nosuchexchange/BTC-USDT`), 404, "unknown_exchange");
    for (const bad of ["?depth=0", "?depth=1001", "?depth=abc"]) {
      expectError(await get(`${ex}/BTC-USDT${bad}`), 400, "invalid_request");
    }
    expectError(await get(`${ex}/btcusdt`), 400, "invalid_request");
    // With a market list, a market it does not have is unknown.
    await upsertMarkets(g.sql, [
      {
        exchange: ex,
        market: "BTC-USDT",
        symbol: "BTCUSDT",
        base: "BTC",
        quote: "USDT",
        type: "spot",
        status: "trading",
        tickSize: 0.01,
        lotSize: 0.0001,
        minNotional: 5,
        simulated: true,
      },
    ]);
    expectError(await get(`${ex}/NOPE-USDT`), 404, "unknown_market");
    expectError(await get(`${ex}/BTC-USDT`), 503, "book_unavailable");
  });

  test("is in the OpenAPI document with its parameters", async () => {
    const doc = (await (await fetch(`${g.base}/openapi.json`)).json()) as {
      paths: Record<string, { get: { parameters: Array<{ name: string }>; responses: object } }>;
    };
    const op = doc.paths["/api/v1/orderbook/{exchange}/{market}"]!.get;
    expect(op.parameters.map((p) => p.name)).toEqual(expect.arrayContaining(["exchange", "market", "depth"]));
    expect(Object.keys(op.responses)).toEqual(expect.arrayContaining(["200", "400", "404", "503"]));
  });
});

// ---- a raw WebSocket client that can stop reading (the WebSocket API always reads) ----

async function rawClient(): Promise<Socket> {
  const socket = connect(g.port, "127.0.0.1");
  await new Promise<void>((resolve) => socket.once("connect", () => resolve()));
  const upgraded = new Promise<void>((resolve) => {
    let seen = "";
    const onData = (chunk: Buffer) => {
      seen += chunk.toString("latin1");
      const end = seen.indexOf("\r\n\r\n");
      if (end >= 0) {
        socket.off("data", onData);
        const rest = Buffer.from(seen.slice(end + 4), "latin1");
        if (rest.length > 0) socket.unshift(rest);
        resolve();
      }
    };
    socket.on("data", onData);
  });
  socket.write(
    "GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
  );
  await upgraded;
  return socket;
}

/** A masked client text frame (RFC 6455). */
function maskedFrame(text: string): Buffer {
  const data = Buffer.from(text);
  const mask = Buffer.from([1, 2, 3, 4]);
  const len = data.length;
  const head =
    len < 126 ? Buffer.from([0x81, 0x80 | len]) : Buffer.from([0x81, 0x80 | 126, len >> 8, len & 0xff]);
  const body = Buffer.alloc(len);
  for (let i = 0; i < len; i++) body[i] = data[i]! ^ mask[i % 4]!;
  return Buffer.concat([head, mask, body]);
}

/** Parses the server's (unmasked, unfragmented) text frames from a raw socket. */
class FrameReader {
  private buf = Buffer.alloc(0);
  readonly frames: WsFrame[] = [];
  private taken = 0;
  private wake: (() => void) | undefined;

  constructor(socket: Socket) {
    socket.on("data", (chunk: Buffer) => {
      this.buf = Buffer.concat([this.buf, chunk]);
      this.parse();
      this.wake?.();
    });
  }

  private parse(): void {
    for (;;) {
      if (this.buf.length < 2) return;
      const opcode = this.buf[0]! & 0x0f;
      let len = this.buf[1]! & 0x7f;
      let offset = 2;
      if (len === 126) {
        if (this.buf.length < 4) return;
        len = this.buf.readUInt16BE(2);
        offset = 4;
      } else if (len === 127) {
        if (this.buf.length < 10) return;
        len = Number(this.buf.readBigUInt64BE(2));
        offset = 10;
      }
      if (this.buf.length < offset + len) return;
      const payload = this.buf.subarray(offset, offset + len);
      this.buf = this.buf.subarray(offset + len);
      if (opcode === 1) this.frames.push(JSON.parse(payload.toString("utf8")));
    }
  }

  /** Waits for a frame (after the ones already taken) that matches; returns it. */
  async until(match: (f: WsFrame) => boolean, timeoutMs = 5000): Promise<WsFrame> {
    const frames = await this.untilAll(match, timeoutMs);
    return frames[frames.length - 1]!;
  }

  /** Waits for a matching frame; returns every frame up to and including it. */
  async untilAll(match: (f: WsFrame) => boolean, timeoutMs = 5000): Promise<WsFrame[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = this.frames.findIndex((f, j) => j >= this.taken && match(f));
      if (i >= 0) {
        const out = this.frames.slice(this.taken, i + 1);
        this.taken = i + 1;
        return out;
      }
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(`no matching frame within ${timeoutMs} ms (${this.frames.length} frames)`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.min(left, 100));
        this.wake = () => {
          clearTimeout(t);
          resolve();
        };
      });
    }
  }
}
