import type { JsMsg } from "@nats-io/jetstream";
import { BOOK_REPUBLISH_MS, type Book, BookReplicas, bookCatchupStart } from "@tickerplant/core";
import { type BookSnapshotRow, insertBookSnapshots } from "@tickerplant/db";
import {
  type Logger,
  type Nats,
  OrderedReader,
  type Redis,
  type Sql,
  streamDefinitions,
} from "@tickerplant/runtime";
import type { Registry } from "prom-client";
import { BookMetrics } from "./book-metrics.ts";
import { BookSampler } from "./book-sampler.ts";
import { BookStore } from "./book-store.ts";
import { decoderFor } from "./envelope.ts";
import type { StorageMetrics } from "./metrics.ts";
import { TableWriter } from "./table-writer.ts";

export interface BookWriterOptions {
  sampleMs: number;
  depth: number;
  historyMs: number;
  /** Tests only: the publisher republishes books this often (default: the contract's BOOK_REPUBLISH_MS). */
  republishMs?: number;
}

const STREAM = "MD_BOOKS";

/**
 * Order books from md.book into Redis (`book:<ex>:<mkt>`, top N) and book_snapshots (sampled
 * history). Each instance reads the whole stream on its own ordered consumer and keeps a
 * BookReplica per market; instances write the same keys and slots idempotently.
 */
export class BookWriter {
  private readonly replicas = new BookReplicas();
  private readonly reader: OrderedReader;
  private readonly sampler: BookSampler;
  private readonly metrics: BookMetrics;
  private readonly decode = decoderFor(["book"], (err, m) => {
    this.metrics.messages.inc({ outcome: "invalid" });
    this.deps.log.warn("invalid md.book event skipped", { subject: m.subject, seq: m.seq, err });
  });
  private caughtUp = false;

  constructor(
    private readonly deps: {
      nats: Nats;
      sql: Sql;
      redis: Redis;
      registry: Registry;
      storageMetrics: StorageMetrics;
      log: Logger;
      options: BookWriterOptions;
      /** Only this exchange's books (tests); every exchange by default. */
      exchange?: string;
    },
  ) {
    const { options, log } = deps;
    const republishMs = options.republishMs ?? BOOK_REPUBLISH_MS;
    this.metrics = new BookMetrics(deps.registry);
    // Its own reader (not a shared durable): every instance must see every market's messages.
    this.reader = new OrderedReader({
      nats: deps.nats,
      stream: STREAM,
      filter: `md.book.${deps.exchange ?? "*"}.>`,
      from: { time: bookCatchupStart(Date.now(), republishMs) },
      onMessage: (m) => this.onMessage(m),
      pullAhead: 1000,
      log,
      name: "book-writer",
    });
    // Unchanged books are republished at most once per duplicate window (same Nats-Msg-Id): a
    // market counts as silent only after that window plus a few snapshot intervals.
    const duplicateWindowMs =
      (streamDefinitions({ replicas: 1, tradesRetentionDays: 1 }).find((s) => s.name === STREAM)
        ?.duplicate_window ?? 0) / 1_000_000;
    const silentAfterMs = duplicateWindowMs + 3 * republishMs;
    this.sampler = new BookSampler({
      replicas: this.replicas,
      store: new BookStore({
        redis: deps.redis,
        metrics: this.metrics,
        depth: options.depth,
        ttlMs: Math.max(60_000, 10 * options.sampleMs),
      }),
      history: new TableWriter<BookSnapshotRow>({
        sql: deps.sql,
        metrics: deps.storageMetrics,
        log,
        table: "book_snapshots",
        write: insertBookSnapshots,
      }),
      metrics: this.metrics,
      log,
      options: { ...options, silentAfterMs },
      caughtUp: () => this.caughtUp,
    });
  }

  async start(): Promise<void> {
    await this.reader.start();
    this.sampler.start();
  }

  private onMessage(msg: JsMsg): void {
    // Sample only once the backlog is read, so a restart does not write a state seconds old.
    if (msg.info.pending === 0) this.caughtUp = true;
    let books: Book[];
    try {
      books = this.decode(msg).map((e) => e.msg);
    } catch (err) {
      this.metrics.messages.inc({ outcome: "invalid" });
      this.deps.log.warn("invalid md.book message skipped", { subject: msg.subject, seq: msg.seq, err });
      return;
    }
    for (const book of books) this.apply(book, msg.seq);
  }

  private apply(book: Book, streamSeq: number): void {
    const outcome = this.replicas.apply(`${book.exchange}:${book.market}`, book, {
      streamSeq,
      pos: 0,
      now: Date.now(),
    });
    this.metrics.messages.inc({ outcome });
    if (outcome === "hole") {
      this.metrics.holes.inc({ exchange: book.exchange, market: book.market });
      this.deps.log.warn("hole in md.book; this market waits for the next snapshot", {
        exchange: book.exchange,
        market: book.market,
        prevSeq: book.prevSeq,
        seq: book.seq,
        streamSeq,
      });
    }
  }

  async stop(): Promise<void> {
    await this.reader.stop();
    await this.sampler.stop();
  }
}
