import { assetSubject, type Composite, redisKeys, type Spread } from "@tickerplant/core";
import type { JetStreamPublisher, Logger, Redis } from "@tickerplant/runtime";
import { Counter, Gauge, type Registry } from "prom-client";
import type { StatsEngine } from "../stats-engine.ts";
import { type CompositeMethod, computeComposite, computeSpread, fingerprint } from "./composite.ts";
import type { Venues } from "./venues.ts";

export interface AssetAnalyzerDeps {
  venues: Venues;
  stats: StatsEngine;
  redis: Redis;
  publisher: JetStreamPublisher;
  registry: Registry;
  log: Logger;
  intervalMs: number;
  staleMs: number;
  method: CompositeMethod;
  /** Only the active replica publishes. */
  isActive(): boolean;
  now?: () => number;
}

/**
 * Composite prices and cross-venue spreads per asset, recomputed every `intervalMs` (so a venue
 * that goes silent drops out within the stale window even when nothing else arrives) and written
 * to `composite:<ASSET>` / `spread:<ASSET>` in Redis and `an.composite.<ASSET>` / `an.spread.<ASSET>`
 * when they changed. Every replica computes; the active one publishes.
 */
export class AssetAnalyzer {
  private timer: Timer | undefined;
  private readonly sent = new Map<string, string>();
  private readonly latest = new Map<string, Composite>();
  private running: Promise<void> = Promise.resolve();
  /** A tick is under way: the timer skips rather than queueing ticks behind a slow Redis or NATS. */
  private ticking = false;
  private readonly published: Counter;
  private readonly now: () => number;

  constructor(private readonly deps: AssetAnalyzerDeps) {
    this.now = deps.now ?? Date.now;
    const self = this;
    this.published = new Counter({
      name: "tickerplant_analyzer_asset_messages_total",
      help: "composite and spread messages published, by type",
      labelNames: ["type"],
      registers: [deps.registry],
    });
    new Gauge({
      name: "tickerplant_analyzer_composite_sources",
      help: "live venues in each asset's composite price",
      labelNames: ["asset"],
      registers: [deps.registry],
      collect: function (this: Gauge) {
        this.reset();
        for (const [asset, c] of self.latest) this.set({ asset }, c.sources.length);
      },
    });
  }

  /** The latest composite of every asset (every replica has them). */
  composites(): ReadonlyMap<string, Composite> {
    return this.latest;
  }

  start(): void {
    this.timer = setInterval(() => {
      if (this.ticking) return;
      this.ticking = true;
      this.running = this.tick()
        .catch((err) => this.deps.log.warn("composite tick failed", { err }))
        .finally(() => {
          this.ticking = false;
        });
    }, this.deps.intervalMs);
  }

  /** A replica that just became active publishes everything again. */
  resend(): void {
    this.sent.clear();
  }

  async tick(): Promise<void> {
    const now = this.now();
    const out: Array<Composite | Spread> = [];
    for (const asset of this.deps.venues.assets()) {
      const inputs = {
        asset,
        venues: this.deps.venues.ofAsset(asset),
        view: (ex: string, mkt: string) => this.deps.stats.view(ex, mkt),
        now,
        staleMs: this.deps.staleMs,
        method: this.deps.method,
      };
      const composite = computeComposite(inputs);
      this.latest.set(asset, composite);
      out.push(composite, computeSpread(inputs));
    }
    if (!this.deps.isActive()) return;
    const changed = out.filter((m) => this.sent.get(`${m.type}:${m.asset}`) !== fingerprint(m));
    if (changed.length === 0) return;
    const tx = this.deps.redis.multi();
    for (const m of changed) {
      const key = redisKeys.asset(m.type, m.asset);
      tx.hset(key, { json: JSON.stringify(m), updatedAt: String(now) });
    }
    await tx.exec();
    for (const m of changed) {
      await this.deps.publisher.publish(
        assetSubject(m.type, m.asset),
        JSON.stringify(m),
        `${m.type}:${m.asset}:${m.ts}`,
      );
      this.sent.set(`${m.type}:${m.asset}`, fingerprint(m));
      this.published.inc({ type: m.type });
    }
    await this.deps.publisher.flush();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }
}
