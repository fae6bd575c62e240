import type { ExchangeAdapter } from "../../adapter.ts";
import { finiteOnly } from "../wire/finite.ts";
import { rememberMarkets } from "../wire/remembered-markets.ts";
import { bookSync } from "./book.ts";
import { parseFrame } from "./parse.ts";
import { rest } from "./rest.ts";
import { BINANCE_CHANNELS, BINANCE_INTERVALS } from "./streams.ts";
import { guessMarket, symbolOf } from "./symbols.ts";
import { ws } from "./ws.ts";

/** Binance spot: data and pure functions; the runtime owns sockets, timers and HTTP. */
export const binance: ExchangeAdapter = {
  id: "binance",
  name: "Binance",
  marketType: "spot",
  channels: BINANCE_CHANNELS,
  intervals: BINANCE_INTERVALS,
  symbolOf,
  marketOfSymbol: rememberMarkets(guessMarket),
  ws,
  parseFrame: finiteOnly(parseFrame),
  rest,
  tradeIdsSequential: true,
  bookSync,
};

export { INVALID_REASONS, type InvalidReason, parseFrame } from "./parse.ts";
export {
  DEPTH_MAX_LIMIT,
  depthWeight,
  PAGE_LIMIT,
  REST_DEFAULT_URL,
  REST_LIMITS,
  rest,
  WEIGHTS,
} from "./rest.ts";
export {
  BINANCE_CHANNELS,
  BINANCE_INTERVALS,
  isBinanceInterval,
  parseStreamName,
  STREAM_SUFFIX,
  type StreamRef,
  streamName,
} from "./streams.ts";
export { guessMarket, KNOWN_QUOTES, streamSymbol, symbolOf } from "./symbols.ts";
export * from "./usdm/index.ts";
export { MAX_CONNECTION_AGE_MS, WS_DATA_URL, WS_DEFAULT_URL, WS_LIMITS, ws } from "./ws.ts";
