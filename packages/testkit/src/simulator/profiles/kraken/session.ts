/** One subscription of a connection, keyed by channel + symbol (+ interval for ohlc). */
export interface KrakenSub {
  key: string;
  /** Fan-out topic: `trade:<market>`, `ticker:<market>:<trigger>`, `book:<market>:<depth>`, `ohlc:<market>:<minutes>`. */
  topic: string;
  market: string;
  /** The `result` object of the acknowledgement. */
  result: Record<string, unknown>;
}

/** Per-connection state of a Kraken v2 connection. */
export interface KrakenSession {
  subs: Map<string, KrakenSub>;
  /** Times of recent requests (Kraken answers "Exceeded msg rate" beyond its request rate). */
  requests: number[];
  /** framesSent when the heartbeat timer last looked: unchanged means the connection was quiet. */
  framesAtLastBeat: number;
}
