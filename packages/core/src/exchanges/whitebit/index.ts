import type { ExchangeAdapter } from "../../adapter.ts";
import { finiteOnly } from "../wire/finite.ts";
import { rememberMarkets } from "../wire/remembered-markets.ts";
import { bookSync } from "./book.ts";
import { WHITEBIT_CHANNELS } from "./channels.ts";
import { WHITEBIT_INTERVALS } from "./intervals.ts";
import { parseFrame } from "./parse.ts";
import { rest } from "./rest.ts";
import { guessMarket, symbolOf } from "./symbols.ts";
import { ws } from "./ws.ts";

/** WhiteBIT spot (v4 WebSocket, v1/v4 REST): data and pure functions; the runtime owns I/O. */
export const whitebit: ExchangeAdapter = {
  id: "whitebit",
  name: "WhiteBIT",
  marketType: "spot",
  channels: WHITEBIT_CHANNELS,
  intervals: WHITEBIT_INTERVALS,
  symbolOf,
  marketOfSymbol: rememberMarkets(guessMarket),
  ws,
  parseFrame: finiteOnly(parseFrame),
  rest,
  bookSync,
};

export { bookSync } from "./book.ts";
export { isWhitebitChannel, METHOD_PREFIX, WHITEBIT_CHANNELS, type WhitebitChannel } from "./channels.ts";
export {
  closeTimeOf,
  INTERVAL_SECONDS,
  intervalOfSeconds,
  isRestInterval,
  isWhitebitInterval,
  REST_INTERVALS,
  WHITEBIT_INTERVALS,
} from "./intervals.ts";
export { parseFrame } from "./parse.ts";
export {
  DEPTH_MAX_LIMIT,
  HISTORY_MAX_LIMIT,
  KLINES_PAGE_LIMIT,
  REST_DEFAULT_URL,
  REST_LIMITS,
  rest,
  WEIGHTS,
} from "./rest.ts";
export { INVALID_REASONS, type InvalidReason } from "./results.ts";
export { guessMarket, symbolOf } from "./symbols.ts";
export {
  CANDLE_REQUEST_ID_BASE,
  candleRequestId,
  DEPTH_LIMIT,
  intervalOfRequestId,
  MARKETS_PER_CONNECTION,
  PING_FRAME,
  PING_INTERVAL_MS,
  WS_DEFAULT_URL,
  WS_LIMITS,
  WS_PATH,
  ws,
} from "./ws.ts";
