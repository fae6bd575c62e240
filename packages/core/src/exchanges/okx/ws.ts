import type { ConnectionPlan, Subscription, WsLimits, WsSpec } from "../../adapter.ts";
import { type ChannelRef, channelRefs, ENDPOINT_PATHS, type OkxArg, type OkxEndpoint } from "./channels.ts";

/**
 * OKX v5 WebSocket rules:
 * - `/ws/v5/public` serves books, bbo-tbt, tickers, trades, mark-price, index-tickers,
 *   funding-rate, open-interest, liquidation-orders; `/ws/v5/business` serves candles and
 *   trades-all (a candle subscription on /public fails with 60018). A plan never mixes the two;
 * - subscribe `{"op":"subscribe","args":[{"channel":"books","instId":"BTC-USDT"}]}`, one ack per
 *   argument; the `args` of one request may total at most 64 KB;
 * - 3 connection requests per second per IP; 480 subscribe/unsubscribe/login requests per hour
 *   per connection (so a connection's arguments go in as few requests as possible);
 * - the server drops a connection that has pushed nothing for 30 s: the client sends the text
 *   `ping` when idle (< 30 s) and gets `pong`. No documented connection age limit.
 */

export const WS_DEFAULT_URL = "wss://ws.okx.com:8443";

/** OKX's cap on the serialized `args` of one request. */
export const MAX_ARGS_BYTES = 64 * 1024;

export const WS_LIMITS: WsLimits = {
  /**
   * OKX documents no per-connection cap on public arguments; ours bounds what one reconnect has to
   * resubscribe and re-snapshot.
   */
  streamsPerConnection: 500,
  /** With ≤ 70-byte arguments 500 stay far under 64 KB; frames are cut by bytes as well. */
  argsPerSubscribe: 500,
  /** Pacing of our own control frames (subscribe, ping); the hourly 480 is kept by planning. */
  messagesPerSecond: 3,
  /**
   * 3 per second per IP, shared by the spot and swap feeds (each with its own window): one each
   * per second stays under it.
   */
  connectionAttempts: { count: 1, windowMs: 1000 },
};

/** No forced disconnect is documented; refreshing once a day costs nothing (make-before-break). */
export const MAX_CONNECTION_AGE_MS = 24 * 3_600_000;

/** Ping well inside the 30 s idle cut. */
export const PING_INTERVAL_MS = 20_000;

interface Group {
  subs: Subscription[];
  keys: Set<string>;
}

export function createWs(symbolOf: (market: string) => string, swap: boolean): WsSpec {
  const refsOf = (sub: Subscription): ChannelRef[] => channelRefs(sub, symbolOf(sub.market), swap);

  /**
   * Splits subscriptions by endpoint, then into connections of at most `streamsPerConnection`
   * OKX arguments. A market's subscriptions stay on one connection (its book and bbo share a
   * clock); liquidation subscriptions share the single `liquidation-orders` argument and travel
   * together. Duplicates are dropped.
   */
  function plan(subscriptions: Subscription[], baseUrl: string): ConnectionPlan[] {
    const base = baseUrl.replace(/\/+$/, "");
    const limit = WS_LIMITS.streamsPerConnection;
    const groups: Record<OkxEndpoint, Map<string, Group>> = { public: new Map(), business: new Map() };
    const seen = new Set<string>();
    for (const sub of subscriptions) {
      const refs = refsOf(sub); // validates the subscription
      const id = `${sub.market}|${refs.map((r) => r.key).join("|")}`;
      if (seen.has(id)) continue;
      seen.add(id);
      const endpoint = refs[0]!.endpoint;
      const key = sub.channel === "liquidation" ? "\0liquidation" : sub.market;
      let g = groups[endpoint].get(key);
      if (!g) {
        g = { subs: [], keys: new Set() };
        groups[endpoint].set(key, g);
      }
      g.subs.push(sub);
      for (const r of refs) g.keys.add(r.key);
    }

    const plans: ConnectionPlan[] = [];
    for (const endpoint of ["public", "business"] as const) {
      const url = base + ENDPOINT_PATHS[endpoint];
      let current: Subscription[] = [];
      let keys = new Set<string>();
      const flush = () => {
        if (current.length > 0) plans.push({ url, subscriptions: current });
        current = [];
        keys = new Set();
      };
      for (const g of groups[endpoint].values()) {
        if (keys.size + g.keys.size > limit) flush();
        for (const sub of g.subs) {
          const subKeys = refsOf(sub).map((r) => r.key);
          const fresh = subKeys.filter((k) => !keys.has(k)).length;
          if (keys.size + fresh > limit) flush();
          current.push(sub);
          for (const k of subKeys) keys.add(k);
        }
      }
      flush();
    }
    return plans;
  }

  /** Unique arguments in first-seen order. */
  function argsOf(subs: readonly Subscription[]): OkxArg[] {
    const seen = new Set<string>();
    const out: OkxArg[] = [];
    for (const sub of subs) {
      for (const r of refsOf(sub)) {
        if (seen.has(r.key)) continue;
        seen.add(r.key);
        out.push(r.arg);
      }
    }
    return out;
  }

  /**
   * As few requests as the limits allow: at most `argsPerSubscribe` arguments and 64 KB of `args`
   * each. OKX answers per argument; requests carry no id (acks are matched by their `arg`).
   */
  function frames(op: "subscribe" | "unsubscribe", subs: Subscription[]): string[] {
    const out: string[] = [];
    let batch: string[] = [];
    let bytes = 2; // "[" + "]"
    const flush = () => {
      if (batch.length > 0) out.push(`{"op":"${op}","args":[${batch.join(",")}]}`);
      batch = [];
      bytes = 2;
    };
    for (const arg of argsOf(subs)) {
      const json = JSON.stringify(arg);
      const extra = json.length + (batch.length > 0 ? 1 : 0);
      if (batch.length >= WS_LIMITS.argsPerSubscribe || bytes + extra > MAX_ARGS_BYTES) flush();
      bytes += json.length + (batch.length > 0 ? 1 : 0);
      batch.push(json);
    }
    flush();
    return out;
  }

  return {
    defaultUrl: WS_DEFAULT_URL,
    limits: WS_LIMITS,
    keepalive: { kind: "client-ping", intervalMs: PING_INTERVAL_MS, message: "ping" },
    maxConnectionAgeMs: MAX_CONNECTION_AGE_MS,
    // a pong answers every ping, so 45 s of silence means two pings went unanswered
    staleAfterMs: 45_000,
    plan,
    subscribeFrames: (subs) => frames("subscribe", subs),
    unsubscribeFrames: (subs) => frames("unsubscribe", subs),
  };
}
