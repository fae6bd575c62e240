import type { BinanceStream } from "./streams.ts";

/** Per-connection state of a Binance stream connection. */
export interface BinanceSession {
  /** Payloads wrapped as {"stream","data"}: true on /stream, false on /ws (SET_PROPERTY changes it). */
  combined: boolean;
  /** Subscribed streams by canonical name, in subscription order. */
  streams: Map<string, BinanceStream>;
}
