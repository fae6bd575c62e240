import { adapterForMarket, getExchange } from "@tickerplant/core";
import { type JetStreamPublisher, type Logger, parsePairs, type Redis } from "@tickerplant/runtime";
import type { Registry } from "prom-client";
import type { IngestorConfig } from "./config.ts";
import { ExchangeFeed } from "./exchange-feed.ts";
import { createFeedMetrics } from "./feed-metrics.ts";
import { buildSubscriptions, unsupportedChannels } from "./subscriptions.ts";

/** Runs one ExchangeFeed per configured exchange and market type, and advertises each exchange's source in Redis. */
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
      const exchange = getExchange(id);
      if (!exchange) throw new Error(`EXCHANGES: unknown exchange "${id}"`);
      const missing = unsupportedChannels(exchange.adapters, config.CHANNELS);
      if (missing.length > 0) throw new Error(`CHANNELS: ${id} has no channel(s) ${missing.join(", ")}`);
      const wsUrl = overrides[`${id}.ws`];
      if (simulated && !wsUrl) {
        throw new Error(`SOURCE=simulated needs EXCHANGE_URL_OVERRIDES ${id}.ws pointing at the simulator`);
      }
      const source = simulated ? "simulated" : "live";
      await this.deps.redis.hset(`source:${id}`, {
        source,
        url: wsUrl ?? exchange.adapters.map((a) => a.ws.defaultUrl).join(" "),
        updatedAt: String(Date.now()),
      });
      if (simulated) {
        log.warn("SIMULATED DATA: this feed is the exchange simulator, not the live exchange", {
          exchange: id,
          url: wsUrl,
        });
      }
      for (const adapter of exchange.adapters) {
        const markets = config.MARKETS.filter((m) => adapterForMarket(id, m) === adapter);
        if (markets.length === 0) continue;
        const subscriptions = buildSubscriptions(adapter, markets, config.CHANNELS, config.CANDLE_INTERVALS);
        if (subscriptions.length === 0) continue;
        const feed = new ExchangeFeed({
          adapter,
          subscriptions,
          wsUrl: overrides[`${id}.${adapter.marketType}.ws`] ?? wsUrl ?? adapter.ws.defaultUrl,
          simulated,
          publisher: this.deps.publisher,
          metrics,
          log: log.child({ exchange: id, marketType: adapter.marketType }),
          maxConnectionAgeMs: config.MAX_CONNECTION_AGE_MS,
          staleAfterMs: config.STALE_AFTER_MS,
        });
        feed.start();
        this.feeds.push(feed);
      }
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
