import { getAdapter } from "@tickerplant/core";
import { type JetStreamPublisher, type Logger, parsePairs, type Redis } from "@tickerplant/runtime";
import type { Registry } from "prom-client";
import type { IngestorConfig } from "./config.ts";
import { ExchangeFeed } from "./exchange-feed.ts";
import { createFeedMetrics } from "./feed-metrics.ts";
import { buildSubscriptions } from "./subscriptions.ts";

/** Runs one ExchangeFeed per configured exchange and advertises each feed's source in Redis. */
export class Ingestor {
  private readonly feeds: ExchangeFeed[] = [];

  constructor(
    private readonly deps: {
      config: IngestorConfig;
      publisher: JetStreamPublisher;
      redis: Redis;
      registry: Registry;
      log: Logger;
    },
  ) {}

  async start(): Promise<void> {
    const { config, log } = this.deps;
    const overrides = parsePairs(config.EXCHANGE_URL_OVERRIDES);
    const metrics = createFeedMetrics(this.deps.registry);
    const simulated = config.SOURCE === "simulated";
    for (const id of config.EXCHANGES) {
      const adapter = getAdapter(id);
      if (!adapter) throw new Error(`EXCHANGES: unknown exchange "${id}"`);
      const wsUrl = overrides[`${id}.ws`] ?? adapter.ws.defaultUrl;
      if (simulated && !overrides[`${id}.ws`]) {
        throw new Error(`SOURCE=simulated needs EXCHANGE_URL_OVERRIDES ${id}.ws pointing at the simulator`);
      }
      const subscriptions = buildSubscriptions(
        adapter,
        config.MARKETS,
        config.CHANNELS,
        config.CANDLE_INTERVALS,
      );
      const source = simulated ? "simulated" : "live";
      await this.deps.redis.hset(`source:${id}`, { source, url: wsUrl, updatedAt: String(Date.now()) });
      if (simulated)
        log.warn("SIMULATED DATA: this feed is the exchange simulator, not the live exchange", {
          exchange: id,
          url: wsUrl,
        });
      const feed = new ExchangeFeed({
        adapter,
        subscriptions,
        wsUrl,
        simulated,
        publisher: this.deps.publisher,
        metrics,
        log: log.child({ exchange: id }),
        maxConnectionAgeMs: config.MAX_CONNECTION_AGE_MS,
        staleAfterMs: config.STALE_AFTER_MS,
      });
      feed.start();
      this.feeds.push(feed);
    }
  }

  info(): Record<string, unknown> {
    return { connections: this.feeds.reduce((n, f) => n + f.connectedCount, 0) };
  }

  async stop(): Promise<void> {
    // Close the feeds first so their "disconnected" status events are still published.
    await Promise.all(this.feeds.map((feed) => feed.stop()));
    await this.deps.publisher.stop();
  }
}
