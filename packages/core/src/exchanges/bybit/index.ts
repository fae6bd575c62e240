import type { ExchangeAdapter } from "../../adapter.ts";
import { finiteOnly } from "../wire/finite.ts";
import { rememberMarkets } from "../wire/remembered-markets.ts";
import { bookSync } from "./book.ts";
import { parseFrame } from "./parse.ts";
import { restSpec } from "./rest.ts";
import { guessLinearMarket, guessSpotMarket, linearSymbolOf, spotSymbolOf } from "./symbols.ts";
import { BYBIT_INTERVALS, LINEAR_CHANNELS, SPOT_CHANNELS } from "./topics.ts";
import { wsSpec } from "./ws.ts";

/** Bybit v5 spot (`/v5/public/spot`, category=spot). */
export const bybitSpot: ExchangeAdapter = {
  id: "bybit",
  name: "Bybit",
  marketType: "spot",
  channels: SPOT_CHANNELS,
  intervals: BYBIT_INTERVALS,
  symbolOf: spotSymbolOf,
  marketOfSymbol: rememberMarkets(guessSpotMarket),
  ws: wsSpec("spot"),
  parseFrame: finiteOnly((frame, ctx) => parseFrame(frame, ctx, "spot")),
  rest: restSpec("spot"),
  bookSync,
};

/** Bybit v5 linear: USDT/USDC perpetuals (and USDT/USDC futures) (`/v5/public/linear`, category=linear). */
export const bybitLinear: ExchangeAdapter = {
  id: "bybit",
  name: "Bybit",
  marketType: "perp",
  channels: LINEAR_CHANNELS,
  intervals: BYBIT_INTERVALS,
  symbolOf: linearSymbolOf,
  marketOfSymbol: rememberMarkets(guessLinearMarket),
  ws: wsSpec("linear"),
  parseFrame: finiteOnly((frame, ctx) => parseFrame(frame, ctx, "linear")),
  rest: restSpec("linear"),
  bookSync,
};

export { bookSync } from "./book.ts";
export { parseFrame } from "./parse.ts";
export {
  DEPTH_MAX_LIMIT,
  KLINES_PAGE_LIMIT,
  REST_DEFAULT_URL,
  REST_LIMITS,
  restSpec,
  TRADES_LIMIT,
} from "./rest.ts";
export { INVALID_REASONS, type InvalidReason } from "./results.ts";
export {
  type Category,
  guessLinearMarket,
  guessSpotMarket,
  KNOWN_QUOTES,
  linearSymbolOf,
  spotSymbolOf,
} from "./symbols.ts";
export { tickerState } from "./tickers.ts";
export {
  BBO_DEPTH,
  BOOK_DEPTH,
  BYBIT_INTERVALS,
  type BybitInterval,
  candleCloseTime,
  INTERVAL_NAMES,
  intervalFromName,
  isBybitInterval,
  LINEAR_CHANNELS,
  parseTopic,
  SPOT_CHANNELS,
  type TopicRef,
  topicOf,
} from "./topics.ts";
export {
  connectionUrl,
  MAX_ARGS_CHARS,
  PING_FRAME,
  WS_DEFAULT_URL,
  WS_PATHS,
  wsLimits,
  wsSpec,
} from "./ws.ts";
