import { JetStreamPublisher, type Logger, type Nats, type Sql } from "@tickerplant/runtime";
import type { Registry } from "prom-client";
import type { Source } from "./config.ts";
import { type ExchangeClients, registerWeightGauge } from "./exchange-clients.ts";
import { JobWorker } from "./job-worker.ts";
import { DEFAULT_JOB_QUEUE, type JobQueue } from "./jobs.ts";
import { MarketsRefresh } from "./markets-refresh.ts";
import { MarketsRefreshPlanner } from "./markets-refresh-planner.ts";

/** The scheduler's parts: planners put work items on the JOBS queue, the worker executes them. */
export class Scheduler {
  private readonly publisher: JetStreamPublisher;
  private readonly planner: MarketsRefreshPlanner;
  private readonly worker: JobWorker;

  constructor(deps: {
    nats: Nats;
    sql: Sql;
    registry: Registry;
    log: Logger;
    clients: ExchangeClients;
    source: Source;
    marketsRefreshMs: number;
    queue?: JobQueue;
  }) {
    const queue = deps.queue ?? DEFAULT_JOB_QUEUE;
    registerWeightGauge(deps.registry, deps.clients);
    this.publisher = new JetStreamPublisher(deps.nats.js, {
      maxInFlight: 100,
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
    this.worker = new JobWorker({
      nats: deps.nats,
      queue,
      handlers: { "markets-refresh": async (job, signal) => void (await marketsRefresh.run(job, signal)) },
      registry: deps.registry,
      log: deps.log,
    });
  }

  async start(): Promise<void> {
    await this.worker.start();
    await this.planner.start();
  }

  async stop(): Promise<void> {
    this.planner.stop();
    await this.worker.stop();
    await this.publisher.stop();
  }
}
