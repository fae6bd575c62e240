import type { Interval } from "../../core/intervals.ts";
import type { DepthSubscription } from "./depth.ts";

/** A channel's market set on one connection: "all" (subscribed with an empty list) or the markets. */
export type MarketSet = "all" | Set<string>;

/** Channels whose subscribe request carries the connection's whole market list. */
export const LIST_CHANNELS = ["trades", "market", "marketToday", "lastprice", "bookTicker"] as const;
export type ListChannel = (typeof LIST_CHANNELS)[number];

/** Per-connection state of a WhiteBIT WebSocket connection. */
export interface WhitebitSession {
  lists: Map<ListChannel, MarketSet>;
  /** depth subscriptions by market (added one at a time with the multiple-subscription flag). */
  depth: Map<string, DepthSubscription>;
  /** The connection's one candle stream. */
  candle: { market: string; interval: Interval; seconds: number } | undefined;
  /** Time of the last message from the client (the 60 s inactivity rule). */
  lastMessageAt: number;
  /** Times of the client's requests in the last minute (200 per minute). */
  requestTimes: number[];
}

export function newSession(now: number): WhitebitSession {
  return { lists: new Map(), depth: new Map(), candle: undefined, lastMessageAt: now, requestTimes: [] };
}

export function listens(set: MarketSet | undefined, market: string): boolean {
  return set === "all" || set?.has(market) === true;
}
