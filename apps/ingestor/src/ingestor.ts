import {
  budgetScope,
  type ExchangeAdapter,
  getExchange,
  redisKeys,
  type Subscription,
  type SubscriptionEntry,
} from "@tickerplant/core";
import {
  type JetStreamPublisher,
  type Logger,
  parsePairs,
  type Redis,
  RestExecutor,
  resolveContracts,
  type SubscriptionsStore,
  WeightBudget,
} from "@tickerplant/runtime";
import type { Registry } from "prom-client";
import { type BookMetrics, createBookMetrics } from "./book-metrics.ts";
import type { IngestorConfig } from "./config.ts";
import { type DesiredFeeds, desiredFeeds, signature } from "./desired-state.ts";
import { ExchangeFeed } from "./exchange-feed.ts";
import { createFeedMetrics, type FeedMetrics } from "./feed-metrics.ts";
import { MessageRate } from "./message-rate.ts";
import { unsupportedChannels } from "./subscriptions.ts";

/** How long a replacement feed may take to connect before the old one is retired anyway. */
const HANDOVER_TIMEOUT_MS = 10_000;

/**
 * Runs one ExchangeFeed per configured exchange and market type. The desired set is the
 * configuration plus the `subscriptions` KV bucket; on a change the affected exchange's feeds are
 * replaced make-before-break (duplicates during the overlap are dropped by their message ids).
 */
export class Ingestor {
  private readonly feeds = new Map<string, { signature: string; feeds: ExchangeFeed[] }>();
  private readonly metrics: FeedMetrics;
  private readonly bookMetrics: BookMetrics;
  private readonly restExecutors = new Map<ExchangeAdapter, RestExecutor>();
  private readonly overrides: Record<string, string>;
  private stopWatch: (() => void) | undefined;
  private reconciling: Promise<void> = Promise.resolve();
  private stopped = false;
  private readonly rate = new MessageRate();

  constructor(
    private readonly deps: {
      config: IngestorConfig;
      publisher: JetStreamPublisher;
      redis: Redis;
      registry: Registry;
      log: Logger;
      subscriptions?: SubscriptionsStore;
      /** The stream's last message on a subject (restart gap check; see ExchangeFeed). */
      lastPublished?: (subject: string) => Promise<string | undefined>;
    },
  ) {
    this.metrics = createFeedMetrics(deps.registry);
    this.bookMetrics = createBookMetrics(deps.registry, () => this.bookAges());
    this.overrides = parsePairs(deps.config.EXCHANGE_URL_OVERRIDES);
  }

  async start(): Promise<void> {
    const { config } = this.deps;
    for (const id of config.EXCHANGES) {
      const exchange = getExchange(id);
      if (!exchange) throw new Error(`EXCHANGES: unknown exchange "${id}"`);
      // One channel list serves every exchange: a channel an exchange lacks (Coinbase has no
      // liquidations) is skipped for it; validation of the names themselves is the config's.
      const missing = unsupportedChannels(exchange.adapters, config.CHANNELS);
      if (missing.length > 0)
        this.deps.log.warn("channels this exchange does not have are skipped", {
          exchange: id,
          channels: missing,
        });
      if (this.sourceOf(id) === "simulated" && !this.overrides[`${id}.ws`]) {
        throw new Error(
          `${id} is simulated: it needs EXCHANGE_URL_OVERRIDES ${id}.ws pointing at the simulator`,
        );
      }
      await this.advertiseSource(id);
    }
    if (this.deps.subscriptions) {
      this.stopWatch = await this.deps.subscriptions.watch((entries) => this.reconcile(entries));
    } else {
      this.reconcile([]);
    }
    await this.reconciling;
  }

  private async advertiseSource(id: string): Promise<void> {
    const simulated = this.sourceOf(id) === "simulated";
    const url =
      this.overrides[`${id}.ws`] ??
      getExchange(id)!
        .adapters.map((a) => a.ws.defaultUrl)
        .join(" ");
    await this.deps.redis.hset(redisKeys.source(id), {
      source: simulated ? "simulated" : "live",
      url,
      updatedAt: String(Date.now()),
    });
    if (simulated) {
      this.deps.log.warn("SIMULATED DATA: this feed is the exchange simulator, not the live exchange", {
        exchange: id,
        url,
      });
    }
  }

  /** SOURCES names an exchange's source (as `infra/up.sh` decides per exchange); SOURCE is the default. */
  sourceOf(id: string): "live" | "simulated" {
    return this.deps.config.SOURCES[id] ?? this.deps.config.SOURCE;
  }

  /** Serialized: one reconciliation at a time, each against the newest desired set. */
  private reconcile(entries: SubscriptionEntry[]): void {
    this.reconciling = this.reconciling
      .then(() => this.apply(entries))
      .catch((err) => this.deps.log.error("reconciling subscriptions failed", { err }));
  }

  private async apply(entries: SubscriptionEntry[]): Promise<void> {
    const { config, log } = this.deps;
    for (const id of config.EXCHANGES) {
      if (this.stopped) return;
      let desired: DesiredFeeds;
      try {
        desired = desiredFeeds(
          id,
          { markets: config.MARKETS, channels: config.CHANNELS, intervals: config.CANDLE_INTERVALS },
          entries,
        );
      } catch (err) {
        log.error("invalid desired subscriptions; keeping the current feeds", { exchange: id, err });
        continue;
      }
      const sig = signature(desired);
      const current = this.feeds.get(id);
      if (current?.signature === sig) continue;
      // Only the first feeds of this process compare with the stream: a replacement's predecessor
      // is still publishing.
      const next = [...desired].map(([adapter, subscriptions]) =>
        this.createFeed(id, adapter, subscriptions, current === undefined),
      );
      for (const feed of next) {
        await feed.prepare();
        feed.start();
      }
      this.feeds.set(id, { signature: sig, feeds: next });
      if (current) {
        const deadline = Date.now() + HANDOVER_TIMEOUT_MS;
        while (Date.now() < deadline && next.some((f) => !f.receiving)) await Bun.sleep(50);
        await Promise.all(current.feeds.map((f) => f.stop()));
        log.info("subscriptions changed; feeds replaced", { exchange: id, feeds: next.length });
      }
    }
  }

  /** One REST executor per adapter, all sharing the exchange's weight budget in Redis. */
  private restFor(id: string, adapter: ExchangeAdapter): RestExecutor {
    let rest = this.restExecutors.get(adapter);
    if (!rest) {
      const baseUrl =
        this.overrides[`${id}.${adapter.marketType}.rest`] ??
        this.overrides[`${id}.rest`] ??
        adapter.rest.defaultUrl;
      rest = new RestExecutor({
        adapter,
        baseUrl,
        budget: new WeightBudget(this.deps.redis, budgetScope(adapter), adapter.rest.limits),
        registry: this.deps.registry,
        log: this.deps.log.child({ exchange: id }),
        timeoutMs: this.deps.config.REST_TIMEOUT_MS,
      });
      this.restExecutors.set(adapter, rest);
    }
    return rest;
  }

  private *bookAges(): Iterable<[string, string, number]> {
    for (const { feeds } of this.feeds.values()) for (const f of feeds) yield* f.bookAges();
  }

  private createFeed(id: string, adapter: ExchangeAdapter, subscriptions: Subscription[], first: boolean) {
    const { config, log } = this.deps;
    return new ExchangeFeed({
      adapter,
      rest: this.restFor(id, adapter),
      books: {
        metrics: this.bookMetrics,
        snapshotLimit: config.BOOK_SNAPSHOT_LIMIT,
        snapshotIntervalMs: config.BOOK_SNAPSHOT_INTERVAL_MS,
      },
      subscriptions,
      wsUrl:
        this.overrides[`${id}.${adapter.marketType}.ws`] ??
        this.overrides[`${id}.ws`] ??
        adapter.ws.defaultUrl,
      simulated: this.sourceOf(id) === "simulated",
      publisher: this.deps.publisher,
      maxBacklog: config.PUBLISH_MAX_BACKLOG,
      ...(first && this.deps.lastPublished ? { lastPublished: this.deps.lastPublished } : {}),
      contracts: (markets, signal) =>
        resolveContracts(this.deps.redis, adapter, this.restFor(id, adapter), markets, signal),
      metrics: this.metrics,
      log: log.child({ exchange: id, marketType: adapter.marketType }),
      maxConnectionAgeMs: config.MAX_CONNECTION_AGE_MS,
      staleAfterMs: config.STALE_AFTER_MS,
      dataStallMs: config.DATA_STALL_MS,
      invalidFrameReportMs: config.INVALID_FRAME_REPORT_MS,
    });
  }

  info(): Record<string, unknown> {
    let connections = 0;
    let subscriptions = 0;
    let receiving = this.feeds.size > 0;
    for (const { feeds } of this.feeds.values()) {
      for (const f of feeds) {
        connections += f.connectedCount;
        subscriptions += f.subscriptions.length;
        receiving &&= f.receiving;
      }
    }
    // receiving: every connection is subscribed and has delivered a frame since.
    return { connections, subscriptions, receiving };
  }

  /**
   * Per exchange: source, connections, how fresh and how late its data is, and its message rate since
   * the previous call (the presence beat) — for /api/v1/status.
   */
  exchanges(now = Date.now()): Record<string, Record<string, unknown>> {
    const out: Record<string, Record<string, unknown>> = {};
    for (const [id, { feeds }] of this.feeds) {
      const last = Math.max(0, ...feeds.map((f) => f.lastFrameAt ?? 0));
      const newest = feeds.find((f) => f.lastFrameAt === last && last > 0);
      out[id] = {
        source: this.sourceOf(id),
        connections: feeds.reduce((n, f) => n + f.connectedCount, 0),
        receiving: feeds.length > 0 && feeds.every((f) => f.receiving),
        markets: [...new Set(feeds.flatMap((f) => f.subscriptions.map((s) => s.market)))].sort(),
        lastMessageAt: last > 0 ? last : null,
        latencyMs: newest?.lastLatencyMs ?? null,
        messagesPerSecond: this.rate.sample(
          id,
          feeds.reduce((n, f) => n + f.messagesPublished, 0),
          now,
        ),
      };
    }
    return out;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.stopWatch?.();
    await this.reconciling;
    // Close the feeds first so their "disconnected" status events are still published.
    await Promise.all([...this.feeds.values()].flatMap((e) => e.feeds.map((f) => f.stop())));
    await this.deps.publisher.stop();
  }
}
