import { describe, expect, test } from "bun:test";
import { type Book, type Level, OrderBook } from "@tickerplant/core";
import { createLogger } from "@tickerplant/runtime";
import { Registry } from "prom-client";
import { createGatewayMetrics } from "../src/metrics.ts";
import { BookFeed } from "../src/ws/book-feed.ts";
import { ClientBooks } from "../src/ws/client-books.ts";
import { type ClientSocket, Outbox } from "../src/ws/outbox.ts";
import { delivery } from "./delivery.ts";

interface Frame {
  channel: string;
  seq: number;
  snapshot?: true;
  data: Book;
}

/** A socket whose buffered amount the test controls (Bun's real one needs a slow peer). */
class ControlledSocket implements ClientSocket {
  sent: Frame[] = [];
  buffered = 0;
  send(text: string): number {
    this.sent.push(JSON.parse(text));
    return this.buffered > 0 ? -1 : text.length;
  }
  getBufferedAmount(): number {
    return this.buffered;
  }
  close(): void {}
  terminate(): void {}
}

const CHANNEL = "book:x:A-B";
const MAX_BUFFERED = 100_000;

function setup() {
  const registry = new Registry();
  const metrics = createGatewayMetrics(registry);
  const log = createLogger({ service: "test", level: "error", write: () => {} });
  const socket = new ControlledSocket();
  const outbox = new Outbox(socket, { maxBufferedBytes: MAX_BUFFERED, metrics, onSlowConsumer: () => {} });
  const books = new ClientBooks(outbox, metrics);
  const newFeed = (filter = "md.book.x.A-B") => new BookFeed(filter, { metrics, log });
  /** What BookSubscription.activate does: listen from now on, starting with a snapshot. */
  const attach = (feed: BookFeed) => {
    feed.listeners.add((e) => books.onEvent(e));
    books.start(feed, () => true);
  };
  return { registry, socket, books, newFeed, attach };
}

function msg(
  kind: Book["kind"],
  seq: number,
  prevSeq: number | null,
  bids: Level[],
  asks: Level[] = [],
): Book {
  return {
    type: "book",
    exchange: "x",
    market: "A-B",
    symbol: "AB",
    ts: 1000 + seq,
    recvTs: 1001 + seq,
    kind,
    seq,
    prevSeq,
    bids,
    asks,
  };
}

let streamSeq = 0;
function deliver(feed: BookFeed, m: Book): number {
  streamSeq++;
  feed.onDelivery(delivery({ channel: CHANNEL, type: "book", seq: streamSeq, payload: JSON.stringify(m) }));
  return streamSeq;
}

/** Replays what the client got, checking the continuity rule a client applies. */
function rebuild(frames: Frame[]) {
  const book = new OrderBook();
  let seq: number | null = null;
  for (const f of frames) {
    expect(f.channel).toBe(CHANNEL);
    if (f.data.kind === "snapshot") {
      book.reset(f.data);
      seq = f.data.seq;
    } else {
      expect(f.data.prevSeq).toBe(seq);
      book.apply(f.data);
      seq = f.data.seq;
    }
  }
  return { top: book.top(100), seq };
}

async function counter(registry: Registry, name: string, labels = ""): Promise<number> {
  const text = await registry.getSingleMetricAsString(name);
  const line = text.split("\n").find((l) => l.startsWith(`${name}${labels}`));
  return line ? Number(line.split(" ").pop()) : 0;
}

describe("book channels per client", () => {
  test("snapshot on subscribe from the replica, then continuous deltas; a periodic snapshot of the same book is not resent", () => {
    const { socket, newFeed, attach } = setup();
    const feed = newFeed();
    deliver(feed, msg("snapshot", 10, null, [[100, 1]], [[101, 1]]));
    const s11 = deliver(feed, msg("delta", 11, 10, [[99, 2]]));
    attach(feed);
    expect(socket.sent).toEqual([
      {
        channel: CHANNEL,
        seq: s11,
        snapshot: true,
        data: {
          ...msg(
            "snapshot",
            11,
            null,
            [
              [100, 1],
              [99, 2],
            ],
            [[101, 1]],
          ),
          recvTs: 1012,
        },
      },
    ]);
    const s12 = deliver(feed, msg("delta", 12, 11, [[100, 0]]));
    deliver(feed, msg("snapshot", 12, null, [[99, 2]], [[101, 1]])); // periodic: same book
    expect(socket.sent.slice(1)).toEqual([
      { channel: CHANNEL, seq: s12, data: msg("delta", 12, 11, [[100, 0]]) },
    ]);
    expect(rebuild(socket.sent)).toEqual({ top: { bids: [[99, 2]], asks: [[101, 1]] }, seq: 12 });
  });

  test("a client that falls behind loses its deltas, then gets a fresh snapshot when the socket drains", async () => {
    const { socket, books, newFeed, attach, registry } = setup();
    const feed = newFeed();
    deliver(feed, msg("snapshot", 1, null, [[100, 1]], [[101, 1]]));
    attach(feed);
    deliver(feed, msg("delta", 2, 1, [[99, 1]]));
    socket.buffered = MAX_BUFFERED; // the client stopped reading
    deliver(feed, msg("delta", 3, 2, [[98, 1]]));
    deliver(feed, msg("delta", 4, 3, [[97, 1]]));
    expect(socket.sent.map((f) => f.data.seq)).toEqual([1, 2]);
    expect(await counter(registry, "tickerplant_gateway_ws_book_deltas_dropped_total")).toBe(2);
    socket.buffered = 0;
    books.onDrain();
    const s5 = deliver(feed, msg("delta", 5, 4, [[96, 1]]));
    const tail = socket.sent.slice(2);
    expect(tail.map((f) => [f.snapshot === true, f.data.kind, f.data.seq])).toEqual([
      [true, "snapshot", 4],
      [false, "delta", 5],
    ]);
    expect(tail[1]!.seq).toBe(s5);
    expect(rebuild(socket.sent).top.bids).toEqual([
      [100, 1],
      [99, 1],
      [98, 1],
      [97, 1],
      [96, 1],
    ]);
    expect(await counter(registry, "tickerplant_gateway_ws_book_snapshots_total", '{reason="behind"}')).toBe(
      1,
    );
  });

  test("behind and still no drain event: the next message finds room and sends the fresh snapshot", () => {
    const { socket, newFeed, attach } = setup();
    const feed = newFeed();
    deliver(feed, msg("snapshot", 1, null, [[100, 1]]));
    attach(feed);
    socket.buffered = MAX_BUFFERED;
    deliver(feed, msg("delta", 2, 1, [[99, 1]]));
    socket.buffered = 0;
    deliver(feed, msg("delta", 3, 2, [[98, 1]]));
    expect(socket.sent.map((f) => [f.snapshot === true, f.data.seq])).toEqual([
      [true, 1],
      [true, 3],
    ]);
  });

  test("a hole in md.book stops the deltas until the next snapshot; a source resync snapshot is forwarded", () => {
    const { socket, newFeed, attach } = setup();
    const feed = newFeed();
    deliver(feed, msg("snapshot", 1, null, [[100, 1]]));
    attach(feed);
    deliver(feed, msg("delta", 3, 2, [[99, 1]])); // 2 is missing
    deliver(feed, msg("delta", 4, 3, [[98, 1]]));
    expect(socket.sent).toHaveLength(1);
    deliver(feed, msg("snapshot", 50, null, [[90, 1]]));
    deliver(feed, msg("delta", 51, 50, [[89, 1]]));
    // The ingestor resynced: its new snapshot replaces the client's book.
    deliver(feed, msg("snapshot", 80, null, [[70, 1]]));
    deliver(feed, msg("delta", 81, 80, [[69, 1]]));
    expect(socket.sent.map((f) => [f.snapshot === true, f.data.kind, f.data.seq])).toEqual([
      [true, "snapshot", 1],
      [true, "snapshot", 50],
      [false, "delta", 51],
      [false, "snapshot", 80],
      [false, "delta", 81],
    ]);
    expect(rebuild(socket.sent)).toEqual({
      top: {
        bids: [
          [70, 1],
          [69, 1],
        ],
        asks: [],
      },
      seq: 81,
    });
  });

  test("a market and a pattern over it (two feeds) deliver each message once", () => {
    const { socket, newFeed, attach } = setup();
    const exact = newFeed("md.book.x.A-B");
    const pattern = newFeed("md.book.x.*");
    const both = (m: Book) => {
      streamSeq++;
      const d = delivery({
        channel: CHANNEL,
        type: "book" as const,
        seq: streamSeq,
        payload: JSON.stringify(m),
      });
      exact.onDelivery(d);
      pattern.onDelivery(d);
    };
    both(msg("snapshot", 1, null, [[100, 1]]));
    attach(exact);
    attach(pattern);
    both(msg("delta", 2, 1, [[99, 1]]));
    both(msg("delta", 3, 2, [[98, 1]]));
    expect(socket.sent.map((f) => f.data.seq)).toEqual([1, 2, 3]);
  });
});
