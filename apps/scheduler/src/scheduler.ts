import type { CandleInterval } from "@tickerplant/core";
import { JetStreamPublisher, type Logger, type Nats, type Sql } from "@tickerplant/runtime";
import type { Registry } from "prom-client";
import { createJobMetrics } from "./backfill/job-metrics.ts";
import { RecordedJobRunner } from "./backfill/job-runner.ts";
import type { Source } from "./config.ts";
import { type ExchangeClients, registerWeightGauge } from "./exchange-clients.ts";
import { GapWatcher } from "./gap-watcher.ts";
import { JobSweeper } from "./job-sweeper.ts";
import { DEFAULT_ACK_WAIT_MS, JobWorker } from "./job-worker.ts";
import { DEFAULT_JOB_QUEUE, type JobQueue } from "./jobs.ts";
import { MarketsRefresh } from "./markets-refresh.ts";
import { MarketsRefreshPlanner } from "./markets-refresh-planner.ts";

/**
 * The scheduler's parts: planners and the gap watcher put work items on the JOBS queue, the
 * worker executes them (market lists, recorded backfills and heals).
 */
export class Scheduler {
  private readonly publisher: JetStreamPublisher;
  private readonly planner: MarketsRefreshPlanner;
  private readonly worker: JobWorker;
  private readonly gaps: GapWatcher | undefined;
  private readonly sweeper: JobSweeper;

  constructor(deps: {
    nats: Nats;
    sql: Sql;
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
    this.planner = new MarketsRefreshPlanner({
      publisher: this.publisher,
      queue,
      exchanges: [...deps.clients.keys()],
      periodMs: deps.marketsRefreshMs,
      log: deps.log,
    });
    const marketsRefresh = new MarketsRefresh({
      clients: deps.clients,
      sql: deps.sql,
      source: deps.source,
      registry: deps.registry,
      log: deps.log,
    });
    const recorded = new RecordedJobRunner({
      sql: deps.sql,
      clients: deps.clients,
      publisher: this.publisher,
      metrics: createJobMetrics(deps.registry, deps.sql),
      log: deps.log,
      owner: `${process.pid}-${crypto.randomUUID().slice(0, 8)}`,
      leaseMs: ackWaitMs,
      healIntervals: deps.healIntervals ?? ["1m"],
    });
    this.worker = new JobWorker({
      nats: deps.nats,
      queue,
      handlers: {
        "markets-refresh": async (job, signal) => void (await marketsRefresh.run(job, signal)),
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
    await this.planner.start();
    this.sweeper.start();
  }

  async stop(): Promise<void> {
    this.planner.stop();
    this.sweeper.stop();
    await this.gaps?.stop();
    await this.worker.stop();
    await this.publisher.stop();
  }
}
