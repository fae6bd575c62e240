import type { ExchangeAdapter } from "../../../adapter.ts";
import { finiteOnly } from "../../wire/finite.ts";
import { rememberMarkets } from "../../wire/remembered-markets.ts";
import { usdmBookSync } from "./book.ts";
import { parseUsdmFrame } from "./parse.ts";
import { usdmRest } from "./rest.ts";
import { USDM_CHANNELS, USDM_INTERVALS } from "./streams.ts";
import { guessMarket, symbolOf } from "./symbols.ts";
import { usdmWs } from "./ws.ts";

/** Binance USD-M futures (fstream/fapi): the perp adapter of exchange "binance". */
export const binanceUsdm: ExchangeAdapter = {
  id: "binance",
  name: "Binance",
  marketType: "perp",
  channels: USDM_CHANNELS,
  intervals: USDM_INTERVALS,
  symbolOf,
  marketOfSymbol: rememberMarkets(guessMarket),
  ws: usdmWs,
  parseFrame: finiteOnly(parseUsdmFrame),
  rest: usdmRest,
  tradeIdsSequential: true,
  bookSync: usdmBookSync,
};

export { usdmBookSync } from "./book.ts";
export { parseOpenInterestBody, parseUsdmFrame } from "./parse.ts";
export {
  AGG_TRADES_MAX_WINDOW_MS,
  USDM_DEPTH_LIMITS,
  USDM_KLINES_MAX,
  USDM_KLINES_PAGE,
  USDM_REST_DEFAULT_URL,
  USDM_REST_LIMITS,
  USDM_TRADES_PAGE,
  USDM_WEIGHTS,
  usdmDepthLimit,
  usdmDepthWeight,
  usdmKlinesWeight,
  usdmRest,
} from "./rest.ts";
export {
  isUsdmInterval,
  parseStreamName as parseUsdmStreamName,
  routeOf,
  streamName as usdmStreamName,
  USDM_CHANNELS,
  USDM_INTERVALS,
  USDM_STREAM_SUFFIX,
  type UsdmRoute,
  type UsdmStreamRef,
} from "./streams.ts";
export {
  guessMarket as guessUsdmMarket,
  streamSymbol as usdmStreamSymbol,
  symbolOf as usdmSymbolOf,
} from "./symbols.ts";
export { routeOfSubscription, USDM_WS_DEFAULT_URL, USDM_WS_LIMITS, usdmWs } from "./ws.ts";
