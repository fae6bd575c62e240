import type { ConnectionPlan, Subscription, WsLimits, WsSpec } from "../../adapter.ts";
import type { CandleInterval } from "../../schemas/messages.ts";
import { isWhitebitChannel, METHOD_PREFIX, type WhitebitChannel } from "./channels.ts";
import { INTERVAL_SECONDS, intervalOfSeconds, isWhitebitInterval } from "./intervals.ts";
import { symbolOf } from "./symbols.ts";

/**
 * WhiteBIT WebSocket rules (docs.whitebit.com/websocket/*):
 * - one endpoint `wss://api.whitebit.com/ws`, JSON-RPC requests `{id, method, params}`;
 * - a `<x>_subscribe` REPLACES the channel's whole market set on that connection (there is no
 *   incremental add): each channel is subscribed with ONE request carrying every market of the
 *   connection, and a connection holds at most as many markets as fit one request;
 * - `depth_subscribe [market, limit, "0", true]` is the exception: `true` adds one market;
 * - `candles_subscribe [market, periodSeconds]` takes one market and one period, and a second one
 *   replaces the first: ONE candle stream per connection, so plan() opens a connection per extra
 *   candle stream;
 * - 200 requests per minute per connection (pings included), 1000 new connections per minute;
 * - the server closes a connection after 60 s without a client message: ping every ≤ 50 s.
 */

export const WS_DEFAULT_URL = "wss://api.whitebit.com";
export const WS_PATH = "/ws";

/** Markets per connection: each channel's list must fit one subscribe request. */
export const MARKETS_PER_CONNECTION = 100;
/** Levels per side of a depth subscription (WhiteBIT's maximum). */
export const DEPTH_LIMIT = 100;

export const WS_LIMITS: WsLimits = {
  // four market-set channels per market, plus the connection's one candle stream
  streamsPerConnection: MARKETS_PER_CONNECTION * 4 + 1,
  argsPerSubscribe: MARKETS_PER_CONNECTION,
  /**
   * 200 requests per minute is 3.3 per second; the runtime paces subscribe frames at one less than
   * this (2/s: ≤ 104 frames of a full connection take 52 s, 106 requests with its pings).
   */
  messagesPerSecond: 3,
  connectionAttempts: { count: 1000, windowMs: 60_000 },
};

export const PING_FRAME = JSON.stringify({ id: 0, method: "ping", params: [] });
/** The server's 60 s inactivity limit minus a margin for timers. */
export const PING_INTERVAL_MS = 40_000;
/** No documented maximum age: reconnect daily anyway, staggered by the runtime. */
export const MAX_CONNECTION_AGE_MS = 24 * 3_600_000;

/**
 * Candle pushes do not name their period, so the request id of `candles_subscribe` does: the
 * parser reads the period back from the subscription's ack (ids below this base come from the
 * runtime's counter and never reach it).
 */
export const CANDLE_REQUEST_ID_BASE = 1_000_000_000;

export function candleRequestId(seconds: number): number {
  return CANDLE_REQUEST_ID_BASE + seconds;
}

/** The interval a `candles_subscribe` request id stands for, if it is one. */
export function intervalOfRequestId(id: unknown): CandleInterval | undefined {
  if (typeof id !== "number" || id <= CANDLE_REQUEST_ID_BASE) return undefined;
  return intervalOfSeconds(id - CANDLE_REQUEST_ID_BASE);
}

function validate(sub: Subscription): WhitebitChannel {
  if (!isWhitebitChannel(sub.channel)) throw new Error(`whitebit (spot) has no "${sub.channel}" channel`);
  symbolOf(sub.market);
  if (sub.channel === "candle" && !isWhitebitInterval(sub.interval)) {
    throw new Error(`whitebit: candle subscription for ${sub.market} needs a supported interval`);
  }
  return sub.channel;
}

function key(sub: Subscription): string {
  return sub.channel === "candle" ? `candle|${sub.market}|${sub.interval}` : `${sub.channel}|${sub.market}`;
}

/**
 * Splits subscriptions into connections: markets (with all their non-candle channels) in groups
 * of MARKETS_PER_CONNECTION, then each candle stream onto a connection that has none yet (one that
 * holds its market first), opening candle-only connections when they run out. Duplicates are
 * dropped; an unsupported channel or interval throws.
 */
function plan(subscriptions: Subscription[], baseUrl: string): ConnectionPlan[] {
  const url = `${baseUrl.replace(/\/+$/, "")}${WS_PATH}`;
  const seen = new Set<string>();
  const byMarket = new Map<string, Subscription[]>();
  const candles: Subscription[] = [];
  for (const sub of subscriptions) {
    const channel = validate(sub);
    const k = key(sub);
    if (seen.has(k)) continue;
    seen.add(k);
    if (channel === "candle") {
      candles.push(sub);
      continue;
    }
    const group = byMarket.get(sub.market);
    if (group) group.push(sub);
    else byMarket.set(sub.market, [sub]);
  }

  const plans: Array<ConnectionPlan & { markets: Set<string>; candle: boolean }> = [];
  let current: (typeof plans)[number] | undefined;
  for (const [market, group] of byMarket) {
    if (!current || current.markets.size === MARKETS_PER_CONNECTION) {
      current = { url, subscriptions: [], markets: new Set(), candle: false };
      plans.push(current);
    }
    current.markets.add(market);
    current.subscriptions.push(...group);
  }
  for (const sub of candles) {
    const free = plans.find((p) => !p.candle && p.markets.has(sub.market)) ?? plans.find((p) => !p.candle);
    const target = free ?? { url, subscriptions: [], markets: new Set<string>(), candle: false };
    if (!free) plans.push(target);
    target.candle = true;
    target.subscriptions.push(sub);
  }
  return plans.map((p) => ({ url: p.url, subscriptions: p.subscriptions }));
}

interface ConnectionSets {
  /** Symbols per market-set channel, first-seen order. */
  lists: Map<"trade" | "bbo" | "ticker", string[]>;
  depth: string[];
  candle?: { symbol: string; seconds: number };
}

/** One connection's subscriptions as WhiteBIT request parameters; throws where one request cannot hold them. */
function connectionSets(subs: readonly Subscription[]): ConnectionSets {
  const lists = new Map<"trade" | "bbo" | "ticker", string[]>();
  const depth: string[] = [];
  let candle: ConnectionSets["candle"];
  for (const sub of subs) {
    const channel = validate(sub);
    const symbol = symbolOf(sub.market);
    if (channel === "candle") {
      const seconds = INTERVAL_SECONDS[sub.interval!];
      if (candle && (candle.symbol !== symbol || candle.seconds !== seconds)) {
        throw new Error(
          "whitebit: one candle stream per connection (a second candles_subscribe replaces it)",
        );
      }
      candle = { symbol, seconds };
      continue;
    }
    let list = depth;
    if (channel !== "book") {
      list = lists.get(channel) ?? [];
      lists.set(channel, list);
    }
    if (!list.includes(symbol)) list.push(symbol);
  }
  for (const [channel, list] of [...lists.entries(), ["book", depth] as const]) {
    if (list.length > MARKETS_PER_CONNECTION) {
      throw new Error(
        `whitebit: ${list.length} ${channel} markets on one connection; at most ${MARKETS_PER_CONNECTION} (plan() splits them)`,
      );
    }
  }
  return candle ? { lists, depth, candle } : { lists, depth };
}

/**
 * The candle stream first (its ack tells the parser the period), then one request per market-set
 * channel with the connection's FULL market list, then one `depth_subscribe` per market.
 */
function subscribeFrames(subs: Subscription[], nextId: () => number): string[] {
  const sets = connectionSets(subs);
  const frames: string[] = [];
  if (sets.candle) {
    frames.push(
      JSON.stringify({
        id: candleRequestId(sets.candle.seconds),
        method: "candles_subscribe",
        params: [sets.candle.symbol, sets.candle.seconds],
      }),
    );
  }
  for (const [channel, symbols] of sets.lists) {
    frames.push(
      JSON.stringify({ id: nextId(), method: `${METHOD_PREFIX[channel]}_subscribe`, params: symbols }),
    );
  }
  for (const symbol of sets.depth) {
    frames.push(
      JSON.stringify({ id: nextId(), method: "depth_subscribe", params: [symbol, DEPTH_LIMIT, "0", true] }),
    );
  }
  return frames;
}

/**
 * There is no per-market unsubscribe for the market-set channels: `<x>_unsubscribe []` clears the
 * channel on the connection (the caller subscribes the markets that stay with subscribeFrames).
 * Depth subscriptions are added per market and removed per market.
 */
function unsubscribeFrames(subs: Subscription[], nextId: () => number): string[] {
  const sets = connectionSets(subs);
  const frames: string[] = [];
  if (sets.candle) frames.push(JSON.stringify({ id: nextId(), method: "candles_unsubscribe", params: [] }));
  for (const channel of sets.lists.keys()) {
    frames.push(
      JSON.stringify({ id: nextId(), method: `${METHOD_PREFIX[channel]}_unsubscribe`, params: [] }),
    );
  }
  for (const symbol of sets.depth) {
    frames.push(JSON.stringify({ id: nextId(), method: "depth_unsubscribe", params: [symbol] }));
  }
  return frames;
}

export const ws: WsSpec = {
  defaultUrl: WS_DEFAULT_URL,
  limits: WS_LIMITS,
  keepalive: { kind: "client-ping", intervalMs: PING_INTERVAL_MS, message: PING_FRAME },
  maxConnectionAgeMs: MAX_CONNECTION_AGE_MS,
  staleAfterMs: 60_000,
  plan,
  subscribeFrames,
  unsubscribeFrames,
};
