import type { JetStreamPublisher, Logger } from "@tickerplant/runtime";
import { type Job, type JobQueue, jobMessageId } from "./jobs.ts";

const MAX_TIMER_MS = 2 ** 31 - 1;

/** A period's work items. */
export type PeriodItems = (period: number, now: number) => Job[];

/**
 * Puts periodic work items on the queue at start and at every period boundary (market lists per
 * exchange, REST polls per exchange). Periods are aligned to the epoch, so every scheduler instance
 * computes the same period index and message id, and the queue keeps one item per period.
 */
export class PeriodicPlanner {
  private timer: Timer | undefined;
  private lastPeriod = -1;
  private stopped = false;

  constructor(
    private readonly deps: {
      publisher: JetStreamPublisher;
      queue: JobQueue;
      periodMs: number;
      items: PeriodItems;
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
    const items = this.deps.items(period, now);
    for (const job of items) {
      await this.deps.publisher.publish(
        this.deps.queue.subject(job.kind),
        JSON.stringify(job),
        jobMessageId(job),
      );
    }
    await this.deps.publisher.flush();
    this.deps.log.debug("periodic work scheduled", { items: items.map(jobMessageId), period });
  }

  private schedule(): void {
    if (this.stopped) return;
    const now = this.now();
    const next = (Math.floor(now / this.deps.periodMs) + 1) * this.deps.periodMs;
    // A few ms past the boundary, so the period index has certainly moved on.
    this.timer = setTimeout(
      () => {
        this.plan()
          .catch((err) => this.deps.log.error("scheduling periodic work failed", { err }))
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

/** A markets-refresh item per exchange. */
export function marketsRefreshItems(exchanges: readonly string[]): PeriodItems {
  return (period, now) =>
    exchanges.map((exchange) => ({ kind: "markets-refresh", exchange, period, scheduledAt: now }));
}
