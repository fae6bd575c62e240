import type { Category } from "./symbols.ts";
import type { SimTopic } from "./topics.ts";

/** Per-connection state of a Bybit public connection. */
export interface BybitSession {
  /** From the path: /v5/public/spot or /v5/public/linear. */
  category: Category;
  /** Bybit's connection id, echoed in every op reply. */
  connId: string;
  /** Subscribed topics by name, in subscription order. */
  topics: Map<string, SimTopic>;
  /** Characters of the subscribed args (Bybit allows 21 000 per connection). */
  argsChars: number;
  /** Last client ping, and last time a frame went out (the 10-minute idle rule needs neither). */
  lastPingAt: number;
  lastActiveAt: number;
  framesSeen: number;
}

export function newSession(category: Category, connId: string, now: number): BybitSession {
  return {
    category,
    connId,
    topics: new Map(),
    argsChars: 0,
    lastPingAt: now,
    lastActiveAt: now,
    framesSeen: 0,
  };
}

/** Characters a topic takes in an args array: the string, its quotes and a comma. */
export function argChars(topic: string): number {
  return topic.length + 3;
}
