import { type Composite, portfolioSubject, valuePortfolio } from "@tickerplant/core";
import { listPortfolios, type PortfolioRecord } from "@tickerplant/db";
import type { JetStreamPublisher, Logger, Sql } from "@tickerplant/runtime";

/**
 * Values every portfolio with the latest composites and publishes `an.portfolio.<id>` (the
 * gateway's `portfolio:<id>` channel) at most once per `intervalMs` per portfolio, and only when
 * its value or holdings changed. Only the active replica publishes.
 */
export class PortfolioPublisher {
  private portfolios: PortfolioRecord[] = [];
  private readonly sent = new Map<string, string>();
  private timers: Timer[] = [];
  private running: Promise<void> = Promise.resolve();
  /** A tick is under way: the timer skips rather than queueing ticks behind a slow NATS. */
  private ticking = false;

  constructor(
    private readonly deps: {
      sql: Sql;
      publisher: JetStreamPublisher;
      log: Logger;
      composites(): ReadonlyMap<string, Composite>;
      intervalMs: number;
      reloadMs: number;
      isActive(): boolean;
      now?: () => number;
    },
  ) {}

  async start(): Promise<void> {
    await this.reload();
    this.timers.push(
      setInterval(
        () => void this.reload().catch((err) => this.deps.log.warn("portfolio reload failed", { err })),
        this.deps.reloadMs,
      ),
      setInterval(() => {
        if (this.ticking) return;
        this.ticking = true;
        this.running = this.tick()
          .catch((err) => this.deps.log.warn("portfolio tick failed", { err }))
          .finally(() => {
            this.ticking = false;
          });
      }, this.deps.intervalMs),
    );
  }

  private async reload(): Promise<void> {
    this.portfolios = await listPortfolios(this.deps.sql, 100_000);
  }

  resend(): void {
    this.sent.clear();
  }

  private async tick(): Promise<void> {
    if (!this.deps.isActive()) return;
    const now = (this.deps.now ?? Date.now)();
    const composites = this.deps.composites();
    let published = 0;
    for (const p of this.portfolios) {
      const v = valuePortfolio(p, p.holdings, composites, now);
      const print = JSON.stringify([
        v.value,
        v.holdings.map((h) => [h.asset, h.quantity, h.costBasis, h.price]),
        v.change24h,
      ]);
      if (this.sent.get(p.id) === print) continue;
      await this.deps.publisher.publish(
        portfolioSubject(p.id),
        JSON.stringify(v),
        `portfolio:${p.id}:${now}`,
      );
      this.sent.set(p.id, print);
      published++;
    }
    if (published > 0) await this.deps.publisher.flush();
  }

  async stop(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    await this.running;
  }
}
