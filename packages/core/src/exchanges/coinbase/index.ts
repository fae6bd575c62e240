import type { ExchangeAdapter } from "../../adapter.ts";
import { finiteOnly } from "../wire/finite.ts";
import { rememberMarkets } from "../wire/remembered-markets.ts";
import { bookSync } from "./book.ts";
import { COINBASE_CHANNELS, WS_INTERVALS } from "./channels.ts";
import { parseFrame } from "./parse.ts";
import { rest } from "./rest.ts";
import { marketOfSymbol, symbolOf } from "./symbols.ts";
import { ws } from "./ws.ts";

/**
 * Coinbase Advanced Trade, spot (plus the legacy Exchange feed's recordings): data and pure
 * functions; the runtime owns sockets, timers and HTTP. `intervals` are the WebSocket's (5m only);
 * REST candles serve REST_INTERVALS.
 */
export const coinbase: ExchangeAdapter = {
  id: "coinbase",
  name: "Coinbase",
  marketType: "spot",
  channels: COINBASE_CHANNELS,
  intervals: WS_INTERVALS,
  symbolOf,
  marketOfSymbol: rememberMarkets(marketOfSymbol),
  ws,
  parseFrame: finiteOnly(parseFrame),
  rest,
  tradeIdsSequential: true,
  bookSync,
};

export { bookSync } from "./book.ts";
export {
  CHANNEL_ORDER,
  COINBASE_CHANNELS,
  type CoinbaseChannel,
  channelsOfMarket,
  GRANULARITY,
  GRANULARITY_SECONDS,
  isRestInterval,
  REST_INTERVALS,
  type RestInterval,
  WS_CANDLE_MS,
  WS_INTERVALS,
} from "./channels.ts";
export { parseFrame } from "./parse.ts";
export {
  CANDLES_PAGE_LIMIT,
  DEPTH_MAX_LIMIT,
  REST_DEFAULT_URL,
  REST_LIMITS,
  rest,
  TRADES_PAGE_LIMIT,
  WEIGHT,
} from "./rest.ts";
export { INVALID_REASONS, type InvalidReason } from "./results.ts";
export { marketOfSymbol, resolveMarket, symbolOf } from "./symbols.ts";
export { isoMs, toMicros } from "./time.ts";
export { MAX_CONNECTION_AGE_MS, STALE_AFTER_MS, WS_DEFAULT_URL, WS_LIMITS, ws } from "./ws.ts";
