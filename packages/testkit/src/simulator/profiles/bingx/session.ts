import type { Topic } from "./topics.ts";
import type { Venue } from "./venue.ts";

/** Per-connection state of a BingX market socket. */
export interface BingxSession {
  venue: Venue;
  /** Subscribed topics by dataType. */
  topics: Map<string, Topic>;
  /** Heartbeats sent (their ids). */
  pings: number;
}
