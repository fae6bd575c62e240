import type { StreamSession } from "./fanout.ts";
import type { BinanceStream } from "./streams.ts";

/** Per-connection state of a Binance spot (or unrouted) stream connection. */
export type BinanceSession = StreamSession<BinanceStream>;
