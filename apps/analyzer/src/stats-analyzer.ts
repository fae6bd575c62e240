import { AckPolicy, DeliverPolicy } from "@nats-io/jetstream";
import { messageId, RecentEventIds, redisKeys, type Trade } from "@tickerplant/core";
import {
  BatchConsumer,
  ensureDurableConsumer,
  JetStreamPublisher,
  type Logger,
  type Nats,
  type ReadFrom,
  type ReadinessCheck,
  type Redis,
} from "@tickerplant/runtime";
import { Counter, Gauge, type Registry } from "prom-client";
import { replayStream } from "./rebuild.ts";
import { StatsEngine } from "./stats-engine.ts";
import { StatsSink } from "./stats-sink.ts";
import { decodeTrades, type SequencedTrade } from "./trade-decoder.ts";
import { WindowCheckpoint } from "./window-checkpoint.ts";

const BUCKET_MS = 60_000;
const WINDOW_BUCKETS = 1440;
const WINDOW_MS = BUCKET_MS * WINDOW_BUCKETS;
/**
 * A restore replays this much before its watermark into the dedup memory only: a redundant
 * ingestor's copy of a trade arrives within seconds of the first.
 */
const DEDUP_LOOKBACK_MS = 5_000;
/** The checkpoint written at a graceful stop may take this long. */
const STOP_SAVE_TIMEOUT_MS = 3_000;

export interface StatsAnalyzerDeps {
  nats: Nats;
  redis: Redis;
  registry: Registry;
  log: Logger;
  statsIntervalMs: number;
  /** How often the windows are checkpointed to Redis (0: never; a restart replays 24 h). */
  checkpointMs?: number;
  stream?: string;
  durable?: string;
  /** md.trade.> in production; tests narrow it to their own exchange. */
  filterSubject?: string;
  batchSize?: number;
  now?: () => number;
  /** Shared with the other analyses (one set of publisher metrics per process). */
  publisher?: JetStreamPublisher;
  /** Only the active replica writes; a standby keeps its windows warm. Default: always active. */
  isActive?: () => boolean;
  /** Trades applied from the live stream (not the start-up replay), after the windows took them. */
  onTrades?: (trades: Trade[]) => void | Promise<void>;
}

/**
 * Rolling 24 h statistics per market from the trade stream: rebuild the windows by replaying the
 * last 24 h of MD_TRADES, then follow the durable consumer; publish `an.stats.<ex>.<mkt>` and the
 * `stats:<ex>:<mkt>` hash at most every statsIntervalMs per market, when they changed.
 *
 * Each replica has its own durable (CONSUMER_NAME): the windows are per process, so two replicas
 * sharing one durable would each see only part of a market's trades. Standby replicas keep their
 * windows warm and write nothing.
 */
export class StatsAnalyzer {
  private readonly engine: StatsEngine;
  private readonly publisher: JetStreamPublisher;
  private readonly sink: StatsSink;
  private readonly stream: string;
  private readonly durable: string;
  private readonly filterSubject: string;
  private readonly now: () => number;
  private consumer: BatchConsumer<SequencedTrade> | undefined;
  private timer: Timer | undefined;
  /** Highest stream sequence already in the windows: replayed, or applied from the durable. */
  private watermark = 0;
  /** The last message applied: its sequence and when the server stored it (epoch ms). */
  private anchorSeq = 0;
  private watermarkStoredMs = 0;
  private readonly checkpoint: WindowCheckpoint | undefined;
  private checkpointTimer: Timer | undefined;
  private checkpointing: Promise<void> | undefined;
  private readonly seen = new RecentEventIds();
  private rebuilt = false;
  private emitting: Promise<void> = Promise.resolve();
  private readonly trades: Counter;
  private readonly published: Counter;
  private readonly markets: Gauge;
  private readonly rebuildSeconds: Gauge;
  private readonly checkpoints: Counter;

  constructor(private readonly deps: StatsAnalyzerDeps) {
    this.stream = deps.stream ?? "MD_TRADES";
    this.durable = deps.durable ?? "analyzer-stats";
    this.filterSubject = deps.filterSubject ?? "md.trade.>";
    this.now = deps.now ?? Date.now;
    this.engine = new StatsEngine({
      intervalMs: deps.statsIntervalMs,
      windowBuckets: WINDOW_BUCKETS,
      bucketMs: BUCKET_MS,
    });
    this.publisher =
      deps.publisher ??
      new JetStreamPublisher(deps.nats, { maxInFlight: 1000, registry: deps.registry, log: deps.log });
    this.sink = new StatsSink({ redis: deps.redis, publisher: this.publisher, now: this.now });
    const registers = [deps.registry];
    this.trades = new Counter({
      name: "tickerplant_analyzer_trades_total",
      help: "trades seen by the stats analyzer, by outcome (applied, replayed, duplicate, too_old)",
      labelNames: ["outcome"],
      registers,
    });
    this.published = new Counter({
      name: "tickerplant_analyzer_stats_published_total",
      help: "24 h stats messages published",
      registers,
    });
    this.markets = new Gauge({
      name: "tickerplant_analyzer_markets",
      help: "markets with a non-empty 24 h window",
      registers,
      collect: () => this.markets.set(this.engine.size),
    });
    this.rebuildSeconds = new Gauge({
      name: "tickerplant_analyzer_rebuild_seconds",
      help: "time the last start-up rebuild of the windows took (checkpoint restore and replay)",
      registers,
    });
    this.checkpoints = new Counter({
      name: "tickerplant_analyzer_checkpoints_total",
      help: "window checkpoints written to Redis, by outcome (full, increment, failed)",
      labelNames: ["outcome"],
      registers,
    });
    if ((deps.checkpointMs ?? 0) > 0) {
      this.checkpoint = new WindowCheckpoint({
        redis: deps.redis,
        key: redisKeys.windows(this.durable),
        ttlMs: WINDOW_MS + 60 * BUCKET_MS,
      });
    }
  }

  readiness(): ReadinessCheck {
    return {
      name: "stats-window",
      check: async () => {
        if (!this.rebuilt) throw new Error("rebuilding the 24 h window from MD_TRADES");
      },
    };
  }

  async start(): Promise<void> {
    const started = performance.now();
    const restored = await this.restoreCheckpoint();
    const { watermark, replayed } = await replayStream({
      nats: this.deps.nats,
      log: this.deps.log,
      stream: this.stream,
      filterSubject: this.filterSubject,
      // One bucket of slack for clock differences between the exchange and the NATS server.
      from: restored ?? { time: this.now() - WINDOW_MS - BUCKET_MS },
      onMessage: (msg) => {
        let items: SequencedTrade[];
        try {
          items = decodeTrades(msg);
        } catch {
          return; // the durable consumer terminates and logs it
        }
        for (const item of items) {
          // Already in the restored windows: only the dedup memory learns it.
          if (item.seq <= this.watermark) {
            this.seen.firstSeen(`${item.trade.exchange}:${item.trade.market}`, messageId(item.trade));
            continue;
          }
          this.anchor(item);
          if (this.firstSeen(item.trade)) this.apply(item, "replayed");
        }
      },
    });
    this.watermark = Math.max(this.watermark, watermark);
    this.rebuildSeconds.set((performance.now() - started) / 1000);
    this.deps.log.info(
      restored ? "windows restored from the checkpoint" : "24 h window rebuilt from the stream",
      {
        replayed,
        watermark: this.watermark,
        markets: this.engine.size,
        ms: Math.round(performance.now() - started),
      },
    );
    await this.ensureConsumer();
    await this.emit();
    this.consumer = new BatchConsumer<SequencedTrade>({
      js: this.deps.nats.js,
      stream: this.stream,
      durable: this.durable,
      batchSize: this.deps.batchSize ?? 500,
      flushIntervalMs: 100,
      decode: (msg) => decodeTrades(msg, (err) => this.deps.log.warn("invalid trade event skipped", { err })),
      handle: (items) => this.handle(items),
      registry: this.deps.registry,
      log: this.deps.log,
    });
    await this.consumer.start();
    // Markets held back by the interval, and windows that slid, go out on this tick.
    this.timer = setInterval(
      () => void this.emit().catch((err) => this.deps.log.warn("stats tick failed", { err })),
      Math.max(50, Math.floor(this.deps.statsIntervalMs / 4)),
    );
    if (this.checkpoint) {
      void this.saveCheckpoint();
      this.checkpointTimer = setInterval(() => void this.saveCheckpoint(), this.deps.checkpointMs);
    }
    this.rebuilt = true;
  }

  /**
   * Restores the windows from the checkpoint when it belongs to this stream as it is now; returns
   * where the replay starts (a little before the watermark, for the dedup memory), or undefined
   * for a full 24 h replay.
   */
  private async restoreCheckpoint(): Promise<ReadFrom | undefined> {
    if (!this.checkpoint) return undefined;
    const loaded = await this.checkpoint.load().catch((err) => ({ missing: `unreadable: ${err}` }));
    if ("missing" in loaded) {
      this.deps.log.warn("no usable window checkpoint: replaying 24 h", { reason: loaded.missing });
      return undefined;
    }
    const { mark, markets } = loaded;
    const state = (await this.deps.nats.jsm.streams.info(this.stream)).state;
    // The stream still holds the last message the windows took, as it was: not recreated or purged
    // (its time within 1 ms: ours is read from nanoseconds as a double, the server's as a date).
    const anchor =
      mark.anchorSeq > 0
        ? await this.deps.nats.jsm.streams.getMessage(this.stream, { seq: mark.anchorSeq }).catch(() => null)
        : undefined;
    const refused =
      mark.stream !== this.stream || mark.filter !== this.filterSubject
        ? "it is of another stream or filter"
        : anchor === null || (anchor !== undefined && Math.abs(anchor.time.getTime() - mark.storedMs) > 1)
          ? "the stream no longer holds its last message as it was (recreated or purged)"
          : state.first_seq > mark.watermark + 1
            ? "the stream no longer holds what followed it"
            : state.last_seq < mark.watermark
              ? "the stream ends before it"
              : undefined;
    if (refused) {
      this.deps.log.warn("window checkpoint not used: replaying 24 h", { reason: refused });
      return undefined;
    }
    this.engine.restore(markets, this.now());
    this.watermark = mark.watermark;
    this.anchorSeq = mark.anchorSeq;
    this.watermarkStoredMs = mark.storedMs;
    // No trade taken yet: nothing for the dedup memory to learn before the watermark.
    return mark.anchorSeq > 0 ? { time: mark.storedMs - DEDUP_LOOKBACK_MS } : { seq: mark.watermark + 1 };
  }

  /** Writes what changed in the windows since the last checkpoint (one at a time). */
  private saveCheckpoint(): Promise<void> {
    const checkpoint = this.checkpoint;
    if (!checkpoint || this.checkpointing) return this.checkpointing ?? Promise.resolve();
    const full = checkpoint.needsFull;
    // Taken synchronously with the watermark: the changes are exactly the trades up to it.
    const changes = this.engine.takeChanges(full);
    const mark = {
      stream: this.stream,
      filter: this.filterSubject,
      watermark: this.watermark,
      anchorSeq: this.anchorSeq,
      storedMs: this.watermarkStoredMs,
    };
    this.checkpointing = checkpoint
      .save(changes, mark)
      .then(
        () => void this.checkpoints.inc({ outcome: full ? "full" : "increment" }),
        (err) => {
          this.checkpoints.inc({ outcome: "failed" });
          this.deps.log.warn("window checkpoint failed (the next one is full)", { err });
        },
      )
      .finally(() => {
        this.checkpointing = undefined;
      });
    return this.checkpointing;
  }

  private anchor(item: SequencedTrade): void {
    this.anchorSeq = item.seq;
    this.watermarkStoredMs = item.storedMs;
  }

  /** A new durable starts right after the replay; an existing one skips what the replay covered. */
  private async ensureConsumer(): Promise<void> {
    const spec = { stream: this.stream, durable: this.durable, filterSubject: this.filterSubject };
    try {
      await this.deps.nats.jsm.consumers.info(this.stream, this.durable);
    } catch (err) {
      if (!String(err).includes("not found")) throw err;
      await this.deps.nats.jsm.consumers.add(this.stream, {
        durable_name: this.durable,
        filter_subject: this.filterSubject,
        ack_policy: AckPolicy.Explicit,
        deliver_policy: DeliverPolicy.StartSequence,
        opt_start_seq: this.watermark + 1,
        ack_wait: 30_000 * 1_000_000,
        max_ack_pending: 20_000,
      });
      return;
    }
    await ensureDurableConsumer(this.deps.nats.jsm, spec);
  }

  /** A redundant ingestor's copy of a trade arrives in another message: the same id counts once. */
  private firstSeen(t: Trade): boolean {
    if (this.seen.firstSeen(`${t.exchange}:${t.market}`, messageId(t))) return true;
    this.trades.inc({ outcome: "duplicate" });
    return false;
  }

  private apply(item: SequencedTrade, outcome: "applied" | "replayed"): string | undefined {
    const key = this.engine.apply(item.trade, this.now());
    this.trades.inc({ outcome: key === undefined ? "too_old" : outcome });
    return key;
  }

  private async handle(items: SequencedTrade[]): Promise<void> {
    const touched = new Set<string>();
    const applied: Trade[] = [];
    // A message's trades share its sequence and are always in the same batch: compare with the
    // watermark as it was before this batch.
    const watermark = this.watermark;
    for (const item of items) {
      // Replayed at start, or a redelivery of a trade already applied (after a failed batch).
      if (item.seq <= watermark) {
        this.trades.inc({ outcome: "duplicate" });
        continue;
      }
      this.watermark = Math.max(this.watermark, item.seq);
      this.anchor(item);
      if (!this.firstSeen(item.trade)) continue;
      const key = this.apply(item, "applied");
      if (key !== undefined) touched.add(key);
      applied.push(item.trade);
    }
    if (applied.length > 0) await this.deps.onTrades?.(applied);
    if (touched.size > 0) await this.emit(touched);
  }

  /** Writes the due stats (all markets, or `only`); serialized so a market's writes stay in order. */
  private emit(only?: Set<string>): Promise<void> {
    const run = async () => {
      const { due, emptied } = this.engine.collect(this.now(), only);
      if (this.deps.isActive && !this.deps.isActive()) return;
      try {
        await this.sink.write(due);
      } catch (err) {
        this.engine.retry(due);
        throw err;
      }
      this.published.inc(due.length);
      await this.sink.remove(emptied);
    };
    const next = this.emitting.then(run, run);
    this.emitting = next.catch(() => {});
    return next;
  }

  /** The windows, for the analyses built on them. */
  get windows(): StatsEngine {
    return this.engine;
  }

  /** A replica that just became active writes every market again. */
  resend(): void {
    this.engine.markAllDirty();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    clearInterval(this.checkpointTimer);
    await this.consumer?.stop();
    await this.emitting;
    // The windows as they stop: a restart replays only what arrives meanwhile.
    if (this.rebuilt) {
      const saved = (this.checkpointing ?? Promise.resolve()).then(() => this.saveCheckpoint());
      // A Redis that does not answer must not hold the stop: the last checkpoint stays usable.
      await Promise.race([saved, Bun.sleep(STOP_SAVE_TIMEOUT_MS)]);
    }
    if (!this.deps.publisher) await this.publisher.stop();
  }
}
