import type { Logger, Nats } from "@tickerplant/runtime";
import type { GatewayMetrics } from "../metrics.ts";
import type { Sink } from "./delivery.ts";
import { LiveFeed } from "./live-feed.ts";
import type { SubjectStreams } from "./subjects.ts";

/**
 * Live fan-out: one shared JetStream consumer per distinct subject filter across all clients,
 * reference counted by the sinks attached to it and closed when the last one leaves.
 */
export class FanoutHub {
  private readonly feeds = new Map<string, LiveFeed>();

  constructor(
    private readonly deps: { nats: Nats; streams: SubjectStreams; log: Logger; metrics: GatewayMetrics },
  ) {}

  /**
   * Attaches a sink; resolves once the shared consumer exists (data published after that is
   * delivered). `startTime` (epoch ms) starts a new consumer in the past instead of at the next message.
   */
  async add(filter: string, sink: Sink, options: { startTime?: number } = {}): Promise<void> {
    let feed = this.feeds.get(filter);
    if (!feed) {
      const stream = this.deps.streams.streamOf(filter);
      if (!stream) throw new Error(`no stream holds subject ${filter}`);
      feed = new LiveFeed(filter, stream, this.deps, options.startTime);
      this.feeds.set(filter, feed);
    }
    feed.sinks.add(sink);
    try {
      await feed.ready;
    } catch (err) {
      // Every waiter fails; the next subscribe starts a fresh consumer.
      feed.sinks.delete(sink);
      if (this.feeds.get(filter) === feed) this.feeds.delete(filter);
      throw err;
    }
  }

  remove(filter: string, sink: Sink): void {
    const feed = this.feeds.get(filter);
    if (!feed?.sinks.delete(sink)) return;
    if (feed.sinks.size === 0) {
      this.feeds.delete(filter);
      void feed.close();
    }
  }

  /** Distinct subject filters with a consumer (for tests and /health info). */
  get filters(): string[] {
    return [...this.feeds.keys()];
  }

  async stop(): Promise<void> {
    const feeds = [...this.feeds.values()];
    this.feeds.clear();
    await Promise.all(feeds.map((f) => f.close()));
  }
}
