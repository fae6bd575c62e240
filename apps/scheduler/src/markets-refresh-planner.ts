import type { JetStreamPublisher, Logger } from "@tickerplant/runtime";
import { type JobQueue, jobMessageId, type MarketsRefreshJob } from "./jobs.ts";

const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Puts a markets-refresh work item per exchange on the queue at start and at every period
 * boundary. Periods are aligned to the epoch, so every scheduler instance computes the same
 * period index and message id, and the queue keeps one item per exchange and period.
 */
export class MarketsRefreshPlanner {
  private timer: Timer | undefined;
  private lastPeriod = -1;
  private stopped = false;

  constructor(
    private readonly deps: {
      publisher: JetStreamPublisher;
      queue: JobQueue;
      exchanges: string[];
      periodMs: number;
      log: Logger;
      now?: () => number;
    },
  ) {}

  private now(): number {
    return this.deps.now?.() ?? Date.now();
  }

  async start(): Promise<void> {
    await this.plan();
    this.schedule();
  }

  /** Publishes this period's items (once per period per instance; the server dedups across instances). */
  async plan(): Promise<void> {
    const now = this.now();
    const period = Math.floor(now / this.deps.periodMs);
    if (period <= this.lastPeriod) return;
    this.lastPeriod = period;
    for (const exchange of this.deps.exchanges) {
      const job: MarketsRefreshJob = { kind: "markets-refresh", exchange, period, scheduledAt: now };
      await this.deps.publisher.publish(
        this.deps.queue.subject(job.kind),
        JSON.stringify(job),
        jobMessageId(job),
      );
    }
    await this.deps.publisher.flush();
    this.deps.log.info("markets refresh scheduled", { exchanges: this.deps.exchanges, period });
  }

  private schedule(): void {
    if (this.stopped) return;
    const now = this.now();
    const next = (Math.floor(now / this.deps.periodMs) + 1) * this.deps.periodMs;
    // A few ms past the boundary, so the period index has certainly moved on.
    this.timer = setTimeout(
      () => {
        this.plan()
          .catch((err) => this.deps.log.error("scheduling markets refresh failed", { err }))
          .finally(() => this.schedule());
      },
      Math.min(next - now + 5, MAX_TIMER_MS),
    );
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }
}
