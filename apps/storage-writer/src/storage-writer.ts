import type { JsMsg } from "@nats-io/jetstream";
import type { NormalizedMessage } from "@tickerplant/core";
import { prepareDatabase } from "@tickerplant/db";
import {
  BatchConsumer,
  ensureDurableConsumer,
  type Logger,
  type Nats,
  provisionStreams,
  type Redis,
  type Sql,
  type StreamOptions,
} from "@tickerplant/runtime";
import type { Registry } from "prom-client";
import { BookWriter, type BookWriterOptions } from "./book-writer.ts";
import { type ConsumerSpec, consumerSpecs } from "./consumers.ts";
import { DerivState } from "./deriv-state.ts";
import { decoderFor, type Envelope } from "./envelope.ts";
import { LatestState } from "./latest-state.ts";
import { StorageMetrics } from "./metrics.ts";
import {
  bboSink,
  candleSink,
  derivSink,
  liquidationSink,
  statusSink,
  tickerSink,
  tradeSink,
} from "./sinks.ts";
import { TradeCopier } from "./trade-copier.ts";

export interface StorageWriterDeps {
  nats: Nats;
  sql: Sql;
  redis: Redis;
  registry: Registry;
  log: Logger;
  streams: StreamOptions;
  batchSize: number;
  flushIntervalMs: number;
  tickerSampleMs: number;
  /** Trades by COPY on a connection of its own (TradeCopier); without it, INSERT … unnest. */
  copy?: { connect: () => Sql; timeoutMs: number };
  /** Order books from md.book to Redis and book_snapshots (a per-instance reader, not a durable). */
  books: BookWriterOptions;
  /** Durable names are `<prefix>-trades` etc.; `storage` in production. */
  consumerPrefix?: string;
  /** Where new durables start (tests use "new": a run's own messages only). */
  consumerStart?: "all" | "new";
  /** Only this exchange's subjects (tests); every exchange by default. */
  exchange?: string;
  nakDelayMs?: number;
}

interface Wiring<T extends NormalizedMessage> {
  decode(m: JsMsg): Envelope<T>[];
  handle(batch: Envelope<T>[]): Promise<void>;
}

/** Each decoder only produces what its sink accepts; the consumer list holds them side by side. */
function wire<T extends NormalizedMessage>(w: Wiring<T>): Wiring<NormalizedMessage> {
  return w as unknown as Wiring<NormalizedMessage>;
}

/**
 * Durable consumers on MD_TRADES, MD_CANDLES, MD_QUOTES (tickers, bbo), MD_STATUS and MD_DERIV
 * (derivs, liquidations) that write batches to TimescaleDB (and the latest ticker/bbo and the
 * merged derivatives state to Redis) and ack only after the write is durable. Every write is
 * idempotent, so redelivery after a crash or a nak changes nothing.
 * Order books are the exception (BookWriter): each instance follows all of MD_BOOKS itself.
 */
export class StorageWriter {
  private consumers: Array<BatchConsumer<Envelope<NormalizedMessage>>> = [];
  private books: BookWriter | undefined;
  private copier: TradeCopier | undefined;
  private readonly specs: ConsumerSpec[];

  constructor(private readonly deps: StorageWriterDeps) {
    this.specs = consumerSpecs(deps.consumerPrefix, deps.exchange);
  }

  /** Applies migrations, provisions streams and consumers, then starts consuming. */
  async start(): Promise<void> {
    const { deps } = this;
    await prepareDatabase(deps.sql, deps.log);
    await provisionStreams(deps.nats.jsm, deps.streams, deps.log);
    const metrics = new StorageMetrics(deps.registry);
    const sinkDeps = { sql: deps.sql, metrics, log: deps.log };
    if (deps.copy) this.copier = new TradeCopier({ ...deps.copy, metrics, log: deps.log });
    const latest = new LatestState({ redis: deps.redis, metrics });
    const onInvalid = (err: Error, m: JsMsg) => {
      metrics.invalidEvents.inc();
      deps.log.warn("invalid event skipped; the rest of its message is written", {
        subject: m.subject,
        seq: m.seq,
        err,
      });
    };
    const wiring: Record<ConsumerSpec["kind"], Wiring<NormalizedMessage>> = {
      trades: wire({
        decode: decoderFor(["trade"], onInvalid),
        handle: tradeSink({ ...sinkDeps, copier: this.copier }),
      }),
      candles: wire({ decode: decoderFor(["candle"], onInvalid), handle: candleSink(sinkDeps) }),
      tickers: wire({
        decode: decoderFor(["ticker"], onInvalid),
        handle: tickerSink({ ...sinkDeps, latest, tickerSampleMs: deps.tickerSampleMs }),
      }),
      bbo: wire({ decode: decoderFor(["bbo"], onInvalid), handle: bboSink({ latest }) }),
      status: wire({ decode: decoderFor(["status"], onInvalid), handle: statusSink(sinkDeps) }),
      derivs: wire({
        decode: decoderFor(["deriv"], onInvalid),
        handle: derivSink({ ...sinkDeps, derivState: new DerivState({ redis: deps.redis, metrics }) }),
      }),
      liquidations: wire({
        decode: decoderFor(["liquidation"], onInvalid),
        handle: liquidationSink(sinkDeps),
      }),
    };
    for (const spec of this.specs) {
      await ensureDurableConsumer(deps.nats.jsm, {
        stream: spec.stream,
        durable: spec.durable,
        filterSubject: spec.filterSubject,
        deliver: deps.consumerStart ?? "all",
        // Enough to keep a few full batches in flight while one is being written.
        maxAckPending: Math.max(1000, deps.batchSize * 4),
      });
      const w = wiring[spec.kind];
      const consumer = new BatchConsumer<Envelope<NormalizedMessage>>({
        js: deps.nats.js,
        stream: spec.stream,
        durable: spec.durable,
        batchSize: deps.batchSize,
        flushIntervalMs: deps.flushIntervalMs,
        decode: w.decode,
        handle: w.handle,
        registry: deps.registry,
        log: deps.log.child({ consumer: spec.durable }),
        ...(deps.nakDelayMs !== undefined ? { nakDelayMs: deps.nakDelayMs } : {}),
      });
      await consumer.start();
      this.consumers.push(consumer);
    }
    this.books = new BookWriter({
      nats: deps.nats,
      sql: deps.sql,
      redis: deps.redis,
      registry: deps.registry,
      storageMetrics: metrics,
      log: deps.log.child({ consumer: "books" }),
      options: deps.books,
      ...(deps.exchange !== undefined ? { exchange: deps.exchange } : {}),
    });
    await this.books.start();
    deps.log.info("storage writer consuming", {
      consumers: this.specs.map((s) => `${s.stream}/${s.durable}`),
      books: deps.books,
    });
  }

  /** Stops pulling, writes and acks what was already received. */
  async stop(): Promise<void> {
    await Promise.all([...this.consumers.map((c) => c.stop()), this.books?.stop()]);
    await this.copier?.stop();
    this.copier = undefined;
    this.consumers = [];
    this.books = undefined;
  }

  consumerNames(): ConsumerSpec[] {
    return this.specs;
  }
}
