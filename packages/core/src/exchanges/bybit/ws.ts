import type { ConnectionPlan, Subscription, WsLimits, WsSpec } from "../../adapter.ts";
import type { Category } from "./symbols.ts";
import { topicOf } from "./topics.ts";

/**
 * Bybit v5 public WebSocket rules (v5/ws/connect, v5/rate-limit):
 * - one path per category on one host: `/v5/public/spot`, `/v5/public/linear`;
 * - subscribe `{"req_id","op":"subscribe","args":[topics]}`; spot takes ≤ 10 args per request,
 *   linear has no per-request limit; the args of one connection total ≤ 21 000 characters;
 * - the client sends `{"op":"ping"}` (every 20 s recommended); without pings or data the server
 *   cuts the connection after 10 minutes;
 * - ≤ 500 new connections per 5 minutes per domain (spot and linear share stream.bybit.com);
 * - no maximum connection age.
 */

export const WS_DEFAULT_URL = "wss://stream.bybit.com";
export const WS_PATHS = { spot: "/v5/public/spot", linear: "/v5/public/linear" } as const;

/** Total characters of a connection's subscribed args (as the JSON array's contents). */
export const MAX_ARGS_CHARS = 21_000;

export const PING_FRAME = '{"req_id":"ping","op":"ping"}';

/** Spot's documented per-request maximum; linear has none, we keep frames small anyway. */
const ARGS_PER_SUBSCRIBE: Record<Category, number> = { spot: 10, linear: 100 };

export function wsLimits(category: Category): WsLimits {
  return {
    // Our own cap (the exchange caps characters, not topics): spreads load over connections.
    streamsPerConnection: 200,
    argsPerSubscribe: ARGS_PER_SUBSCRIBE[category],
    // Bybit documents no per-connection message rate for public streams: pace ourselves.
    messagesPerSecond: 10,
    // 500 per 5 min per domain, shared by the spot and linear feeds: half each.
    connectionAttempts: { count: 250, windowMs: 5 * 60_000 },
  };
}

const HOUR = 3_600_000;

/** Characters a topic takes in the args array: the string, its quotes and a comma. */
function argChars(topic: string): number {
  return topic.length + 3;
}

/** Unique topics in first-seen order (linear ticker and deriv share `tickers.<S>`). */
function uniqueTopics(category: Category, subs: readonly Subscription[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const sub of subs) {
    const t = topicOf(category, sub);
    if (!seen.has(t)) {
      seen.add(t);
      out.push(t);
    }
  }
  return out;
}

/** The connection URL: the category's path on the host, unless the base already names a path. */
export function connectionUrl(category: Category, baseUrl: string): string {
  const base = baseUrl.replace(/\/+$/, "");
  return /\/v5\/public\/[a-z]+$/.test(base) ? base : base + WS_PATHS[category];
}

function subKey(sub: Subscription): string {
  return `${sub.channel}|${sub.market}|${sub.interval ?? ""}`;
}

/**
 * Splits subscriptions into connections of at most `streamsPerConnection` topics and
 * MAX_ARGS_CHARS characters. All subscriptions of one market stay on one connection unless the
 * market alone exceeds a limit. Duplicates are dropped.
 */
function plan(category: Category, subscriptions: Subscription[], baseUrl: string): ConnectionPlan[] {
  const maxTopics = wsLimits(category).streamsPerConnection;
  const url = connectionUrl(category, baseUrl);

  const byMarket = new Map<string, Array<{ sub: Subscription; topic: string }>>();
  const seen = new Set<string>();
  for (const sub of subscriptions) {
    const topic = topicOf(category, sub); // validates the subscription
    const key = subKey(sub);
    if (seen.has(key)) continue;
    seen.add(key);
    const group = byMarket.get(sub.market);
    if (group) group.push({ sub, topic });
    else byMarket.set(sub.market, [{ sub, topic }]);
  }

  const plans: ConnectionPlan[] = [];
  let current: Subscription[] = [];
  let topics = new Set<string>();
  let chars = 0;
  const flush = () => {
    if (current.length > 0) plans.push({ url, subscriptions: current });
    current = [];
    topics = new Set();
    chars = 0;
  };
  const fits = (newTopics: string[]) => {
    let n = topics.size;
    let c = chars;
    for (const t of new Set(newTopics)) {
      if (topics.has(t)) continue;
      n++;
      c += argChars(t);
    }
    return n <= maxTopics && c <= MAX_ARGS_CHARS;
  };
  for (const group of byMarket.values()) {
    if (!fits(group.map((g) => g.topic))) flush();
    for (const { sub, topic } of group) {
      if (!fits([topic])) flush();
      current.push(sub);
      if (!topics.has(topic)) {
        topics.add(topic);
        chars += argChars(topic);
      }
    }
  }
  flush();
  return plans;
}

function frames(
  category: Category,
  op: "subscribe" | "unsubscribe",
  subs: Subscription[],
  nextId: () => number,
): string[] {
  const topics = uniqueTopics(category, subs);
  const size = ARGS_PER_SUBSCRIBE[category];
  const out: string[] = [];
  for (let i = 0; i < topics.length; i += size) {
    out.push(JSON.stringify({ req_id: String(nextId()), op, args: topics.slice(i, i + size) }));
  }
  return out;
}

export function wsSpec(category: Category): WsSpec {
  return {
    defaultUrl: WS_DEFAULT_URL,
    limits: wsLimits(category),
    keepalive: { kind: "client-ping", intervalMs: 20_000, message: PING_FRAME },
    // No exchange limit; a daily make-before-break reconnect keeps connections from living forever.
    maxConnectionAgeMs: 24 * HOUR,
    // Pongs count as frames: a stream without pongs or data for 3 ping periods is dead.
    staleAfterMs: 60_000,
    plan: (subs, baseUrl) => plan(category, subs, baseUrl),
    subscribeFrames: (subs, nextId) => frames(category, "subscribe", subs, nextId),
    unsubscribeFrames: (subs, nextId) => frames(category, "unsubscribe", subs, nextId),
  };
}
