import type { CandleInterval, RestPollName } from "@tickerplant/core";
import { JetStreamPublisher, type Logger, type Nats, type Redis, type Sql } from "@tickerplant/runtime";
import type { Registry } from "prom-client";
import { createJobMetrics } from "./backfill/job-metrics.ts";
import { RecordedJobRunner } from "./backfill/job-runner.ts";
import { WriterProgress } from "./backfill/writer-progress.ts";
import type { Source } from "./config.ts";
import { type ExchangeClients, registerWeightGauge } from "./exchange-clients.ts";
import { GapWatcher } from "./gap-watcher.ts";
import { JobSweeper } from "./job-sweeper.ts";
import { DEFAULT_ACK_WAIT_MS, JobWorker } from "./job-worker.ts";
import { DEFAULT_JOB_QUEUE, type JobQueue, type RestPollJob } from "./jobs.ts";
import { MarketsRefresh } from "./markets-refresh.ts";
import { marketsRefreshItems, PeriodicPlanner } from "./periodic-planner.ts";
import { RestPoller } from "./rest-poller.ts";

/**
 * The scheduler's parts: planners and the gap watcher put work items on the JOBS queue, the
 * worker executes them (market lists, REST polls, recorded backfills and heals).
 */
export class Scheduler {
  private readonly publisher: JetStreamPublisher;
  private readonly planners: PeriodicPlanner[];
  private readonly worker: JobWorker;
  private readonly gaps: GapWatcher | undefined;
  private readonly sweeper: JobSweeper;

  constructor(deps: {
    nats: Nats;
    sql: Sql;
    /** Instruments are stored here for the ingestors (redisKeys.instruments). */
    redis: Redis;
    registry: Registry;
    log: Logger;
    clients: ExchangeClients;
    source: Source;
    marketsRefreshMs: number;
    queue?: JobQueue;
    concurrency?: number;
    ackWaitMs?: number;
    healGaps?: boolean;
    healIntervals?: readonly CandleInterval[];
    /** How long after a gap's end its heal may wait for the live stream to be stored past it. */
    healLiveEdgeWaitMs?: number;
    /** The storage-writer's CONSUMER_PREFIX: a gap heal waits for its trades consumer. */
    writerConsumerPrefix?: string;
    /** REST polls: each poll's period (absent or 0: off) and the markets polled. */
    polls?: { periodMs: Partial<Record<RestPollName, number>>; markets: readonly string[] };
    /** Where the gap watcher reads status events (tests use their own stream). */
    gaps?: { stream: string; durable: string; filterSubject: string };
  }) {
    const queue = deps.queue ?? DEFAULT_JOB_QUEUE;
    const ackWaitMs = deps.ackWaitMs ?? DEFAULT_ACK_WAIT_MS;
    registerWeightGauge(deps.registry, deps.clients);
    this.publisher = new JetStreamPublisher(deps.nats, {
      maxInFlight: 1000,
      registry: deps.registry,
      log: deps.log,
    });
    const exchanges = [...deps.clients.keys()];
    this.planners = [
      new PeriodicPlanner({
        publisher: this.publisher,
        queue,
        periodMs: deps.marketsRefreshMs,
        items: marketsRefreshItems(exchanges),
        log: deps.log,
      }),
    ];
    const poller = new RestPoller({
      clients: deps.clients,
      publisher: this.publisher,
      markets: deps.polls?.markets ?? [],
      registry: deps.registry,
      log: deps.log,
    });
    for (const [poll, periodMs] of Object.entries(deps.polls?.periodMs ?? {}) as [RestPollName, number][]) {
      const polled = exchanges.filter((e) => poller.pollsOf(e).includes(poll));
      if (!(periodMs > 0) || polled.length === 0) continue;
      const items = (period: number, now: number): RestPollJob[] =>
        polled.map((exchange) => ({ kind: "rest-poll", exchange, poll, period, periodMs, scheduledAt: now }));
      this.planners.push(
        new PeriodicPlanner({ publisher: this.publisher, queue, periodMs, items, log: deps.log }),
      );
      deps.log.info("REST poll planned", { poll, periodMs, exchanges: polled });
    }
    const marketsRefresh = new MarketsRefresh({
      clients: deps.clients,
      sql: deps.sql,
      redis: deps.redis,
      source: deps.source,
      registry: deps.registry,
      log: deps.log,
    });
    const recorded = new RecordedJobRunner({
      sql: deps.sql,
      redis: deps.redis,
      clients: deps.clients,
      publisher: this.publisher,
      metrics: createJobMetrics(deps.registry, deps.sql),
      log: deps.log,
      owner: `${process.pid}-${crypto.randomUUID().slice(0, 8)}`,
      leaseMs: ackWaitMs,
      healIntervals: deps.healIntervals ?? ["1m"],
      liveEdgeWaitMs: deps.healLiveEdgeWaitMs ?? 20_000,
      writer: new WriterProgress(deps.nats.jsm, `${deps.writerConsumerPrefix ?? "storage"}-trades`),
    });
    this.worker = new JobWorker({
      nats: deps.nats,
      queue,
      handlers: {
        "markets-refresh": async (job, signal) => void (await marketsRefresh.run(job, signal)),
        "rest-poll": poller.run,
        "candles-backfill": recorded.run,
        "trades-backfill": recorded.run,
        "gap-heal": recorded.run,
      },
      registry: deps.registry,
      log: deps.log,
      concurrency: deps.concurrency ?? 4,
      ackWaitMs,
      retryDelayMs: 5000,
    });
    this.sweeper = new JobSweeper({
      sql: deps.sql,
      publisher: this.publisher,
      subjectOf: (kind: string) => queue.subject(kind as never),
      exchanges: [...deps.clients.keys()],
      leaseMs: ackWaitMs,
      log: deps.log,
    });
    if (deps.healGaps ?? false) {
      this.gaps = new GapWatcher({
        nats: deps.nats,
        sql: deps.sql,
        publisher: this.publisher,
        registry: deps.registry,
        log: deps.log,
        exchanges: [...deps.clients.keys()],
        subjectOf: (kind: string) => queue.subject(kind as never),
        ...(deps.gaps ?? {}),
      });
    }
  }

  async start(): Promise<void> {
    await this.worker.start();
    await this.gaps?.start();
    for (const p of this.planners) await p.start();
    this.sweeper.start();
  }

  async stop(): Promise<void> {
    for (const p of this.planners) p.stop();
    this.sweeper.stop();
    await this.gaps?.stop();
    await this.worker.stop();
    await this.publisher.stop();
  }
}
