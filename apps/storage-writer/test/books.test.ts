import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type Book, type Level, messageId, subjectOf } from "@tickerplant/core";
import { selectBookSnapshots } from "@tickerplant/db";
import { createLogger } from "@tickerplant/runtime";
import { Registry } from "prom-client";
import { BookWriter } from "../src/book-writer.ts";
import { StorageMetrics } from "../src/metrics.ts";
import { type Harness, metricValue, readUntil, startHarness } from "./harness.ts";

let h: Harness;
const SAMPLE_MS = 50;
const HISTORY_MS = 200;
const DEPTH = 3;

beforeAll(async () => {
  h = await startHarness({
    books: { sampleMs: SAMPLE_MS, historyMs: HISTORY_MS, depth: DEPTH, republishMs: 1000 },
  });
});

afterAll(async () => {
  await h?.close();
});

function book(
  market: string,
  kind: Book["kind"],
  seq: number,
  prevSeq: number | null,
  bids: Level[],
  asks: Level[],
): Book {
  const ts = Date.now() + seq / 1000;
  return {
    type: "book",
    exchange: h.exchange,
    market,
    symbol: market.replace("-", ""),
    ts,
    recvTs: ts + 2.5,
    kind,
    seq,
    prevSeq,
    bids,
    asks,
    simulated: true,
  };
}

async function publish(msgs: Book[]): Promise<number[]> {
  const seqs: number[] = [];
  for (const m of msgs) {
    const ack = await h.nats.js.publish(subjectOf(m), JSON.stringify(m), { msgID: messageId(m) });
    seqs.push(ack.seq);
  }
  return seqs;
}

const hash = (market: string) => () => h.redis.hgetall(`book:${h.exchange}:${market}`);
const rows = (market: string) => () =>
  selectBookSnapshots(h.sql, { exchange: h.exchange, market, order: "asc", limit: 1000 });

/** A snapshot and two deltas (updates, an insert, deletions); the top 3 afterwards, worked out by hand. */
function opening(market: string) {
  const msgs = [
    book(
      market,
      "snapshot",
      100,
      null,
      [
        [100, 1],
        [99, 2],
        [98, 3],
        [97, 4],
      ],
      [
        [101, 1],
        [102, 2],
        [103, 3],
        [104, 4],
      ],
    ),
    book(
      market,
      "delta",
      101,
      100,
      [
        [99, 0],
        [100.5, 0.5],
      ],
      [[101, 3]],
    ),
    book(market, "delta", 102, 101, [[96, 1]], [[101, 0]]),
  ];
  const top: { bids: Level[]; asks: Level[] } = {
    bids: [
      [100.5, 0.5],
      [100, 1],
      [98, 3],
    ],
    asks: [
      [102, 2],
      [103, 3],
      [104, 4],
    ],
  };
  return { msgs, top };
}

describe("order books (md.book → Redis book:<ex>:<mkt> and book_snapshots)", () => {
  test("a snapshot and deltas give the exact top N in Redis and in book_snapshots; a hole stops writes until the next snapshot", async () => {
    const market = h.market();
    const { msgs, top } = opening(market);
    const streamSeqs = await publish(msgs);
    const last = msgs[2]!;

    const stored = await readUntil(
      hash(market),
      (v) => v.json !== undefined && JSON.parse(v.json).seq === 102,
    );
    expect(JSON.parse(stored.json!)).toEqual({
      type: "book",
      exchange: h.exchange,
      market,
      symbol: market.replace("-", ""),
      ts: last.ts,
      recvTs: last.recvTs,
      kind: "snapshot",
      seq: 102,
      prevSeq: null,
      ...top,
      simulated: true,
    });
    expect(stored).toMatchObject({
      seq: String(streamSeqs[2]),
      bookSeq: "102",
      ts: String(last.ts),
      depth: String(DEPTH),
      synced: "1",
    });
    expect(Math.abs(Number(stored.updatedAt) - Date.now())).toBeLessThan(5000);
    expect(await h.redis.pttl(`book:${h.exchange}:${market}`)).toBeGreaterThan(0);

    const history = await readUntil(rows(market), (r) => r.length > 0);
    for (const r of history) {
      expect(r).toEqual({
        time: expect.any(Number),
        exchange: h.exchange,
        market,
        seq: 102,
        bookTime: last.ts,
        depth: DEPTH,
        ...top,
        simulated: true,
      });
      expect(r.time % HISTORY_MS).toBe(0);
    }

    // 103 never arrives: the replica cannot continue and the market is marked unavailable.
    await publish([
      book(market, "delta", 104, 103, [[100.5, 0]], []),
      book(market, "delta", 105, 104, [[100.25, 7]], []),
    ]);
    const broken = await readUntil(hash(market), (v) => v.synced === "0");
    expect(broken.json).toBeUndefined();
    expect(broken.detail).toContain("continuity");
    expect(await metricValue(h.registry, "tickerplant_storage_book_holes_total", { market })).toBe(1);
    const before = (await rows(market)()).length;
    await Bun.sleep(3 * HISTORY_MS);
    const during = await rows(market)();
    expect(during.length).toBeLessThanOrEqual(before + 1); // at most a slot sampled just before the hole
    expect(during.every((r) => r.seq === 102)).toBe(true);
    expect((await hash(market)()).synced).toBe("0");

    // The next snapshot starts the market over.
    const fresh = book(market, "snapshot", 200, null, [[90, 1]], [[91, 2]]);
    await publish([fresh]);
    const resynced = await readUntil(hash(market), (v) => v.synced === "1");
    expect(JSON.parse(resynced.json!)).toMatchObject({ seq: 200, bids: [[90, 1]], asks: [[91, 2]] });
    const after = await readUntil(rows(market), (r) => r.some((x) => x.seq === 200));
    expect(after.find((x) => x.seq === 200)).toMatchObject({
      bids: [[90, 1]],
      asks: [[91, 2]],
      depth: DEPTH,
    });
    expect(
      await metricValue(h.registry, "tickerplant_storage_rows_rejected_total", { table: "book_snapshots" }),
    ).toBe(0);
  });

  test("an invalid md.book message is counted and skipped", async () => {
    const market = h.market();
    await h.nats.js.publish(`md.book.${h.exchange}.${market}`, JSON.stringify({ type: "book", seq: "x" }));
    await readUntil(
      () => metricValue(h.registry, "tickerplant_storage_book_messages_total", { outcome: "invalid" }),
      (n) => n >= 1,
    );
    const { msgs } = opening(market);
    await publish(msgs);
    await readUntil(hash(market), (v) => v.synced === "1");
  });

  test("another writer instance started later rebuilds the books from the stream and writes the same slots", async () => {
    const market = h.market();
    const { msgs, top } = opening(market);
    await publish(msgs);
    // A slot sampled while the deltas were still arriving holds an earlier book: compare the slots
    // that start after the final book was stored.
    await readUntil(hash(market), (v) => v.bookSeq === "102"); // the last delta's
    const settled = Date.now();
    await readUntil(rows(market), (r) => r.length > 0);
    const registry = new Registry();
    const second = new BookWriter({
      nats: h.nats,
      sql: h.sql,
      redis: h.redis,
      registry,
      storageMetrics: new StorageMetrics(registry),
      log: createLogger({ service: "storage-writer-test", level: "error" }),
      options: { sampleMs: SAMPLE_MS, historyMs: HISTORY_MS, depth: DEPTH, republishMs: 1000 },
      exchange: h.exchange,
    });
    await second.start();
    try {
      await readUntil(
        () => metricValue(registry, "tickerplant_storage_book_replicas_synced", { exchange: h.exchange }),
        (n) => n >= 1,
      );
      // Both instances offer every slot; each slot is stored once, nothing is rejected.
      const offered = async () =>
        (await metricValue(registry, "tickerplant_storage_rows_written_total", { table: "book_snapshots" })) +
        (await metricValue(registry, "tickerplant_storage_duplicates_total", { table: "book_snapshots" }));
      await readUntil(offered, (n) => n >= 2);
      await readUntil(rows(market), (r) => r.some((x) => x.time >= settled));
      const stored = await rows(market)();
      expect(new Set(stored.map((r) => r.time)).size).toBe(stored.length);
      for (const r of stored.filter((x) => x.time >= settled))
        expect({ bids: r.bids, asks: r.asks }).toEqual(top);
      expect(
        await metricValue(registry, "tickerplant_storage_rows_rejected_total", { table: "book_snapshots" }),
      ).toBe(0);
      expect(
        await metricValue(registry, "tickerplant_storage_book_latest_writes_total", { outcome: "stale" }),
      ).toBe(0);
    } finally {
      await second.stop();
    }
  });
});
