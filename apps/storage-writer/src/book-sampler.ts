import { type BookReplicas, snapshotOf } from "@tickerplant/core";
import type { BookSnapshotRow } from "@tickerplant/db";
import type { Logger } from "@tickerplant/runtime";
import type { BookMetrics } from "./book-metrics.ts";
import type { BookStore, BookWrite } from "./book-store.ts";
import type { TableWriter } from "./table-writer.ts";

export interface BookSamplerOptions {
  /** How often synced books go to Redis. */
  sampleMs: number;
  /** Levels per side written. */
  depth: number;
  /** One book_snapshots row per market per this many ms (epoch-aligned slots). */
  historyMs: number;
  /** A market silent this long (not even a periodic snapshot) is no longer written anywhere. */
  silentAfterMs: number;
}

/**
 * Every `sampleMs`: the top levels of every synced book to Redis (guarded by stream sequence, so
 * several writers can do it at once), and once per `historyMs` slot a row into book_snapshots
 * (the slot is the row's time, so every instance writes the same row and the first one wins).
 * A market whose book lost continuity is marked unavailable in Redis and gets no rows until the
 * next snapshot. A failed write is logged and retried on the next tick.
 */
export class BookSampler {
  private readonly storedSlots = new Map<string, number>();
  private timer: Timer | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly deps: {
      replicas: BookReplicas;
      store: BookStore;
      history: TableWriter<BookSnapshotRow>;
      metrics: BookMetrics;
      log: Logger;
      options: BookSamplerOptions;
      /** False while the reader is still catching up with the stream's backlog. */
      caughtUp: () => boolean;
      now?: () => number;
    },
  ) {}

  start(): void {
    this.timer = setInterval(() => this.tick(), this.deps.options.sampleMs);
  }

  private tick(): void {
    if (this.running) return; // a slow write: skip this tick rather than pile up
    this.running = this.sample().finally(() => {
      this.running = undefined;
    });
  }

  /** One sampling pass (exposed for the writer's shutdown and for tests). */
  async sample(): Promise<void> {
    const { replicas, options, metrics, log } = this.deps;
    if (!this.deps.caughtUp()) return;
    const now = this.deps.now?.() ?? Date.now();
    const slot = Math.floor(now / options.historyMs) * options.historyMs;
    const writes: BookWrite[] = [];
    const rows: BookSnapshotRow[] = [];
    const synced = new Map<string, number>();
    for (const m of replicas.values()) {
      if (now - m.heardAt > options.silentAfterMs) continue;
      const { exchange, market } = m.base;
      const book = snapshotOf(m, options.depth)?.book;
      if (!book) {
        if (m.streamSeq > 0) {
          const detail = `the book lost continuity at stream sequence ${m.streamSeq}; waiting for the next snapshot`;
          writes.push({ exchange, market, streamSeq: m.streamSeq, book: null, detail });
        }
        continue;
      }
      synced.set(exchange, (synced.get(exchange) ?? 0) + 1);
      writes.push({ exchange, market, streamSeq: m.streamSeq, book });
      if ((this.storedSlots.get(m.key) ?? Number.NEGATIVE_INFINITY) < slot) {
        rows.push({
          time: slot,
          exchange,
          market,
          seq: book.seq,
          bookTime: book.ts,
          depth: options.depth,
          bids: book.bids,
          asks: book.asks,
          simulated: m.base.simulated === true,
        });
      }
    }
    metrics.replicasSynced.reset();
    for (const [exchange, n] of synced) metrics.replicasSynced.set({ exchange }, n);
    try {
      await this.deps.store.write(writes, now);
    } catch (err) {
      log.warn("writing order books to Redis failed; retrying next tick", { err });
    }
    if (rows.length === 0) return;
    try {
      await this.deps.history.write(rows);
      for (const r of rows) this.storedSlots.set(`${r.exchange}:${r.market}`, r.time);
    } catch (err) {
      log.warn("writing book_snapshots failed; retrying next tick", { rows: rows.length, err });
    }
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }
}
