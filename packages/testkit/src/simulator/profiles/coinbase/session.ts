/** The channels of Coinbase Advanced Trade's public market-data WebSocket. */
export const WS_CHANNELS = [
  "heartbeats",
  "candles",
  "status",
  "ticker",
  "ticker_batch",
  "level2",
  "market_trades",
] as const;
export type WsChannel = (typeof WS_CHANNELS)[number];

/** Channels that need a JWT (user data); this simulator has no accounts. */
export const AUTH_CHANNELS = ["user", "futures_balance_summary"] as const;

/** Per-connection state of a Coinbase market-data connection. */
export interface CoinbaseSession {
  /** Next `sequence_num`: per connection, across every channel, from 0. */
  seq: number;
  /** Subscribed products per channel, in subscription order. */
  subscriptions: Map<WsChannel, Set<string>>;
  /** When each channel last got an update (a channel idle too long without heartbeats is closed). */
  lastUpdate: Map<WsChannel, number>;
  heartbeatCounter: number;
  /** A first subscribe arrived (Coinbase disconnects after 5 s without one). */
  subscribed: boolean;
}

export function newSession(): CoinbaseSession {
  return { seq: 0, subscriptions: new Map(), lastUpdate: new Map(), heartbeatCounter: 0, subscribed: false };
}

/** Product × channel pairs, heartbeats not counted (what the stream limit counts). */
export function streamCount(s: CoinbaseSession): number {
  let n = 0;
  for (const [channel, products] of s.subscriptions) if (channel !== "heartbeats") n += products.size;
  return n;
}
