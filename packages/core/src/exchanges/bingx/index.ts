import type { ExchangeAdapter } from "../../adapter.ts";
import { finiteOnly } from "../wire/finite.ts";
import { rememberMarkets } from "../wire/remembered-markets.ts";
import { bookSync } from "./book.ts";
import { BINGX_INTERVALS } from "./intervals.ts";
import { createParser } from "./parse.ts";
import { spotRest } from "./rest-spot.ts";
import { swapRest } from "./rest-swap.ts";
import { SPOT_CHANNELS, SWAP_CHANNELS } from "./streams.ts";
import { spotMarketOf, spotSymbolOf, swapMarketOf, swapSymbolOf } from "./symbols.ts";
import { createWsSpec } from "./ws.ts";

/** BingX spot: data and pure functions; the runtime owns sockets, timers and HTTP. */
export const bingxSpot: ExchangeAdapter = {
  id: "bingx",
  name: "BingX",
  marketType: "spot",
  channels: SPOT_CHANNELS,
  intervals: BINGX_INTERVALS,
  symbolOf: spotSymbolOf,
  marketOfSymbol: rememberMarkets(spotMarketOf),
  ws: createWsSpec("spot"),
  parseFrame: finiteOnly(createParser("spot")),
  rest: spotRest,
  bookSync,
};

/** BingX USDT-M perpetual swaps (`BTC-USDT-PERP` ↔ `BTC-USDT` on the swap host). */
export const bingxSwap: ExchangeAdapter = {
  id: "bingx",
  name: "BingX",
  marketType: "perp",
  channels: SWAP_CHANNELS,
  intervals: BINGX_INTERVALS,
  symbolOf: swapSymbolOf,
  marketOfSymbol: rememberMarkets(swapMarketOf),
  ws: createWsSpec("swap"),
  parseFrame: finiteOnly(createParser("swap")),
  rest: swapRest,
  bookSync,
};

export { bookSync } from "./book.ts";
export {
  BINGX_INTERVALS,
  closeTimeOf,
  SPOT_STREAM_INTERVAL,
  spotIntervalOf,
  swapIntervalOf,
} from "./intervals.ts";
export { REST_DEFAULT_URL, REST_LIMITS } from "./rest-common.ts";
export { SPOT_PATHS } from "./rest-spot.ts";
export { SWAP_PATHS, swapDepthLimit } from "./rest-swap.ts";
export { INVALID_REASONS, type InvalidReason } from "./results.ts";
export { type BingxVenue, dataTypeOf, SPOT_CHANNELS, SWAP_CHANNELS } from "./streams.ts";
export { spotMarketOf, spotSymbolOf, swapMarketOf, swapSymbolOf } from "./symbols.ts";
export { SPOT_WS_URL, SWAP_WS_URL, WS_LIMITS, WS_PATHS, wsUrlOf } from "./ws.ts";
