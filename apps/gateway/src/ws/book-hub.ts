import { bookCatchupStart, channelOf, type ReplicaBook } from "@tickerplant/core";
import type { Logger } from "@tickerplant/runtime";
import type { GatewayMetrics } from "../metrics.ts";
import { BookFeed, type BookListener } from "./book-feed.ts";
import type { FanoutHub } from "./hub.ts";

/**
 * Book feeds by md.book subject filter, reference counted by the clients listening, each fed by
 * the FanoutHub's shared live consumer for that filter (started back in time, see bookCatchupStart).
 * The REST order-book route reads the same replicas.
 */
export class BookHub {
  private readonly feeds = new Map<string, BookFeed>();

  constructor(
    private readonly deps: {
      hub: FanoutHub;
      metrics: GatewayMetrics;
      log: Logger;
    },
  ) {}

  /** Attaches a listener; resolves with the feed once its consumer exists. */
  async add(filter: string, listener: BookListener): Promise<BookFeed> {
    let feed = this.feeds.get(filter);
    if (!feed) {
      const created = new BookFeed(filter, this.deps);
      created.ready = this.deps.hub.add(filter, created.sink, {
        startTime: bookCatchupStart(),
      });
      this.feeds.set(filter, created);
      feed = created;
    }
    feed.listeners.add(listener);
    try {
      await feed.ready;
    } catch (err) {
      // Every waiter fails; the next subscribe starts a fresh feed.
      feed.listeners.delete(listener);
      if (this.feeds.get(filter) === feed) {
        this.feeds.delete(filter);
        feed.close();
      }
      throw err;
    }
    return feed;
  }

  remove(filter: string, listener: BookListener): void {
    const feed = this.feeds.get(filter);
    if (!feed?.listeners.delete(listener)) return;
    if (feed.listeners.size === 0) {
      this.feeds.delete(filter);
      this.deps.hub.remove(filter, feed.sink);
      feed.close();
    }
  }

  /** The market's book from any feed that keeps it in sync (a concrete one first, then patterns). */
  live(exchange: string, market: string, depth?: number): ReplicaBook | undefined {
    const channel = channelOf("book", exchange, market);
    for (const filter of [
      `md.book.${exchange}.${market}`,
      `md.book.${exchange}.*`,
      `md.book.*.${market}`,
      "md.book.*.*",
    ]) {
      const book = this.feeds.get(filter)?.snapshot(channel, depth);
      if (book) return book;
    }
    return undefined;
  }

  /** Subject filters with a book feed (for tests and /health info). */
  get filters(): string[] {
    return [...this.feeds.keys()];
  }

  stop(): void {
    for (const feed of this.feeds.values()) feed.close();
    this.feeds.clear();
  }
}
