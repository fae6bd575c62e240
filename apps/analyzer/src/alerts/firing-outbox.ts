import { analyticsSubject } from "@tickerplant/core";
import { markFiringsPublished, unpublishedFirings } from "@tickerplant/db";
import type { JetStreamPublisher, Logger, Sql } from "@tickerplant/runtime";

/**
 * Publishes stored firings on `an.alert.<ex>.<mkt>` (the gateway's `alert:<ex>:<mkt>` channel) and
 * marks them published. The Nats-Msg-Id is the firing id, so a replica that took over and publishes
 * a firing again is deduplicated by the server.
 */
export class FiringOutbox {
  private timer: Timer | undefined;
  private running: Promise<void> = Promise.resolve();
  private pending = false;

  constructor(
    private readonly deps: {
      sql: Sql;
      publisher: JetStreamPublisher;
      log: Logger;
      pollMs: number;
      isActive(): boolean;
    },
  ) {}

  start(): void {
    this.timer = setInterval(() => this.wake(), this.deps.pollMs);
  }

  wake(): void {
    if (this.pending || !this.deps.isActive()) return;
    this.pending = true;
    this.running = this.running
      .then(async () => {
        this.pending = false;
        await this.drain();
      })
      .catch((err) => this.deps.log.warn("alert outbox failed", { err }));
  }

  private async drain(): Promise<void> {
    for (;;) {
      const firings = await unpublishedFirings(this.deps.sql, 100);
      if (firings.length === 0) return;
      for (const f of firings)
        await this.deps.publisher.publish(
          analyticsSubject("alert", f.exchange, f.market),
          JSON.stringify(f),
          `alert:${f.id}`,
        );
      await this.deps.publisher.flush();
      await markFiringsPublished(
        this.deps.sql,
        firings.map((f) => f.id),
      );
      if (firings.length < 100) return;
    }
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }
}
