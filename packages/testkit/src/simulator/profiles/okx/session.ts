import type { Endpoint, Topic } from "./channels.ts";

/** Per-connection state of an OKX WebSocket connection. */
export interface OkxSession {
  endpoint: Endpoint;
  /** OKX names each connection in its acks and errors. */
  connId: string;
  /** Subscribed topics by key (`books:BTC-USDT`, `liquidation-orders:SWAP`). */
  topics: Map<string, Topic>;
  /** Times of the subscribe/unsubscribe requests of the last hour (OKX allows 480). */
  ops: number[];
  /** The last books seqId sent per instrument: the next update's prevSeqId. */
  bookSeq: Map<string, number>;
  /** Last time anything went either way: OKX cuts a connection silent for 30 s. */
  lastActivityAt: number;
  lastFramesSent: number;
}

export function newSession(endpoint: Endpoint): OkxSession {
  return {
    endpoint,
    connId: "",
    topics: new Map(),
    ops: [],
    bookSeq: new Map(),
    lastActivityAt: Date.now(),
    lastFramesSent: 0,
  };
}
