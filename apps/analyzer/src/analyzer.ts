import type { JetStreamPublisher, Logger, Nats, ReadinessCheck, Redis, Sql } from "@tickerplant/runtime";
import { Counter, type Registry } from "prom-client";
import { AlertEvaluator } from "./alerts/alert-evaluator.ts";
import { FiringOutbox } from "./alerts/firing-outbox.ts";
import { WebhookDeliverer } from "./alerts/webhook-deliverer.ts";
import { AssetAnalyzer } from "./assets/asset-analyzer.ts";
import { MarketReader } from "./assets/market-reader.ts";
import { Venues } from "./assets/venues.ts";
import type { AnalyzerConfig } from "./config.ts";
import { PortfolioPublisher } from "./portfolios/portfolio-publisher.ts";
import { StatsAnalyzer } from "./stats-analyzer.ts";

export interface AnalyzerDeps {
  config: AnalyzerConfig;
  nats: Nats;
  redis: Redis;
  sql: Sql;
  publisher: JetStreamPublisher;
  registry: Registry;
  log: Logger;
  /** Tests narrow the market-data subjects to their own exchange. */
  exchange?: string;
}

/**
 * Everything the analyzer computes, wired together: rolling windows per market (StatsAnalyzer),
 * venue state from quotes and status events (MarketReader → Venues), composite prices and spreads
 * per asset (AssetAnalyzer), alert rules (AlertEvaluator → FiringOutbox, WebhookDeliverer) and
 * portfolio valuations (PortfolioPublisher). Every replica computes; `isActive` (the lease) decides
 * who writes, fires and delivers.
 */
export class Analyzer {
  isActive: () => boolean = () => true;
  readonly venues: Venues;
  readonly stats: StatsAnalyzer;
  readonly assets: AssetAnalyzer;
  readonly alerts: AlertEvaluator;
  private readonly reader: MarketReader;
  private readonly outbox: FiringOutbox;
  private readonly webhooks: WebhookDeliverer;
  private readonly portfolios: PortfolioPublisher;

  constructor(deps: AnalyzerDeps) {
    const { config, nats, redis, sql, publisher, registry, log } = deps;
    const active = () => this.isActive();
    this.venues = new Venues(new Set(config.COMPOSITE_QUOTES));
    this.stats = new StatsAnalyzer({
      nats,
      redis,
      registry,
      log,
      publisher,
      statsIntervalMs: config.STATS_INTERVAL_MS,
      checkpointMs: config.STATS_CHECKPOINT_MS,
      durable:
        config.CONSUMER_NAME ??
        (config.REPLICA_ID ? `analyzer-stats-${config.REPLICA_ID}` : "analyzer-stats"),
      ...(deps.exchange ? { filterSubject: `md.trade.${deps.exchange}.>` } : {}),
      isActive: active,
      onTrades: (trades) => {
        for (const t of trades) this.venues.onTrade(t);
        this.alerts.onTrades(trades);
      },
    });
    const invalid = new Counter({
      name: "tickerplant_analyzer_invalid_messages_total",
      help: "market-data messages the analyzer could not read, by kind",
      labelNames: ["kind"],
      registers: [registry],
    });
    this.reader = new MarketReader({
      nats,
      log,
      invalid,
      exchange: deps.exchange,
      onMessage: (m) => {
        if (m.type === "bbo") this.venues.onBbo(m);
        else if (m.type === "ticker") this.venues.onTicker(m);
        else this.venues.onStatus(m);
        if (m.type !== "ticker") this.alerts.onMarkets([`${m.exchange}:${m.market}`]);
      },
    });
    this.assets = new AssetAnalyzer({
      venues: this.venues,
      stats: this.stats.windows,
      redis,
      publisher,
      registry,
      log,
      intervalMs: config.COMPOSITE_INTERVAL_MS,
      staleMs: config.COMPOSITE_STALE_MS,
      method: config.COMPOSITE_METHOD,
      isActive: active,
    });
    this.outbox = new FiringOutbox({ sql, publisher, log, pollMs: config.ALERT_POLL_MS, isActive: active });
    this.webhooks = new WebhookDeliverer({
      sql,
      log,
      registry,
      isActive: active,
      options: {
        pollMs: config.ALERT_POLL_MS,
        timeoutMs: config.WEBHOOK_TIMEOUT_MS,
        maxAttempts: config.WEBHOOK_MAX_ATTEMPTS,
        backoffMs: config.WEBHOOK_BACKOFF_MS,
        backoffMaxMs: config.WEBHOOK_BACKOFF_MAX_MS,
        targets: {
          allowPrivate: config.WEBHOOK_ALLOW_PRIVATE,
          allowedHosts: config.WEBHOOK_ALLOWED_HOSTS.map((h) => h.toLowerCase()),
        },
      },
    });
    this.alerts = new AlertEvaluator({
      sql,
      venues: this.venues,
      stats: this.stats.windows,
      registry,
      log,
      reloadMs: config.ALERT_RELOAD_MS,
      isActive: active,
      onFired: () => {
        this.outbox.wake();
        this.webhooks.wake();
      },
    });
    this.portfolios = new PortfolioPublisher({
      sql,
      publisher,
      log,
      composites: () => this.assets.composites(),
      intervalMs: config.PORTFOLIO_INTERVAL_MS,
      reloadMs: config.PORTFOLIO_RELOAD_MS,
      isActive: active,
    });
  }

  readiness(): ReadinessCheck[] {
    return [this.stats.readiness()];
  }

  async start(): Promise<void> {
    await this.stats.start();
    // Venues learn each market's last trade from the rebuilt windows.
    for (const v of this.stats.windows.views()) this.venues.onTrade(v.lastTrade);
    await this.alerts.start();
    await this.reader.start();
    this.assets.start();
    this.outbox.start();
    this.webhooks.start();
    await this.portfolios.start();
  }

  /** Called by the lease: a replica that becomes active writes everything again. */
  setActive(active: boolean): void {
    if (!active) return;
    this.stats.resend();
    this.assets.resend();
    this.portfolios.resend();
    this.alerts.takeOver();
    this.outbox.wake();
    this.webhooks.wake();
  }

  async stop(): Promise<void> {
    this.alerts.stop();
    await this.portfolios.stop();
    await this.webhooks.stop();
    await this.outbox.stop();
    await this.assets.stop();
    await this.reader.stop();
    await this.stats.stop();
  }
}
