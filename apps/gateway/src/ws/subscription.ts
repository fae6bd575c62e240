import { type ChannelSpec, channelSubjectFilter } from "@tickerplant/core";
import type { Delivery, Sink } from "./delivery.ts";
import type { FanoutHub } from "./hub.ts";
import type { ReplayFeed } from "./replay-feed.ts";

/**
 * One channel a client subscribed to. Deliveries are held back until `activate` (called right
 * after the client got its `subscribed` reply), so data never precedes the acknowledgement.
 */
export interface Subscription {
  readonly name: string;
  readonly spec: ChannelSpec;
  readonly resumed: boolean;
  start(): Promise<void>;
  activate(): void;
  stop(): void;
}

/** Attached to the shared live feed of its subject filter. */
export class LiveSubscription implements Subscription {
  readonly resumed = false;
  private active = false;
  private readonly filter: string;
  private readonly sink: Sink;

  constructor(
    readonly name: string,
    readonly spec: ChannelSpec,
    private readonly hub: FanoutHub,
    deliver: (d: Delivery) => void,
  ) {
    this.filter = channelSubjectFilter(spec);
    this.sink = (d) => {
      if (this.active) deliver(d);
    };
  }

  start(): Promise<void> {
    return this.hub.add(this.filter, this.sink);
  }

  activate(): void {
    this.active = true;
  }

  stop(): void {
    this.active = false;
    this.hub.remove(this.filter, this.sink);
  }
}

/** Replays from `since` on a private consumer, then continues live on it. */
export class ResumedSubscription implements Subscription {
  readonly resumed = true;

  constructor(
    readonly name: string,
    readonly spec: ChannelSpec,
    private readonly feed: ReplayFeed,
  ) {}

  start(): Promise<void> {
    return this.feed.open();
  }

  activate(): void {
    this.feed.run();
  }

  stop(): void {
    this.feed.stop();
  }
}
