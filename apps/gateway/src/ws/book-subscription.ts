import { type ChannelSpec, channelMatches, channelSubjectFilter } from "@tickerplant/core";
import type { BookFeed, BookListener } from "./book-feed.ts";
import type { BookHub } from "./book-hub.ts";
import type { ClientBooks } from "./client-books.ts";
import type { Subscription } from "./subscription.ts";

/**
 * A `book:<ex>:<mkt>` subscription (or a pattern over markets/exchanges): attached to the book
 * feed of its subject filter. Once active, the client gets a snapshot of every in-sync market and
 * then its deltas (ClientBooks). `since` does not apply: a book resumes with a fresh snapshot.
 */
export class BookSubscription implements Subscription {
  readonly resumed = false;
  private active = false;
  private feed: BookFeed | undefined;
  private readonly filter: string;
  private readonly listener: BookListener = (e) => {
    if (this.active) this.books.onEvent(e);
  };

  constructor(
    readonly name: string,
    readonly spec: ChannelSpec,
    private readonly hub: BookHub,
    private readonly books: ClientBooks,
  ) {
    this.filter = channelSubjectFilter(spec);
  }

  async start(): Promise<void> {
    this.feed = await this.hub.add(this.filter, this.listener);
  }

  activate(): void {
    this.active = true;
    if (this.feed) this.books.start(this.feed, (channel) => channelMatches(this.spec, channel));
  }

  stop(): void {
    this.active = false;
    this.hub.remove(this.filter, this.listener);
  }
}
