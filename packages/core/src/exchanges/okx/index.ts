import type { ExchangeAdapter } from "../../adapter.ts";
import { inBaseUnits } from "../wire/contracts.ts";
import { finiteOnly } from "../wire/finite.ts";
import { rememberMarkets } from "../wire/remembered-markets.ts";
import { bookSync } from "./book.ts";
import { SPOT_CHANNELS, SWAP_CHANNELS } from "./channels.ts";
import { OKX_INTERVALS } from "./intervals.ts";
import { parseFrame } from "./parse.ts";
import { createRest } from "./rest.ts";
import { derivMarketOf, spotMarketOf, spotSymbolOf, swapSymbolOf } from "./symbols.ts";
import { createWs } from "./ws.ts";

/** OKX v5 spot (instType SPOT): `BTC-USDT` ↔ `BTC-USDT`. */
export const okxSpot: ExchangeAdapter = {
  id: "okx",
  name: "OKX",
  marketType: "spot",
  channels: SPOT_CHANNELS,
  intervals: OKX_INTERVALS,
  symbolOf: spotSymbolOf,
  marketOfSymbol: rememberMarkets(spotMarketOf),
  ws: createWs(spotSymbolOf, false),
  parseFrame: finiteOnly(parseFrame),
  rest: createRest(spotSymbolOf, "SPOT"),
  tradeIdsSequential: true,
  bookSync,
};

/**
 * OKX v5 perpetual swaps (instType SWAP): `BTC-USDT-PERP` ↔ `BTC-USDT-SWAP`. Trade, book, bbo and
 * liquidation sizes are in contracts (ctVal each, from the instruments list): converted to base
 * with the market's contract from the context (raw kept); ticker, candle and open-interest
 * volumes are in base currency already.
 */
export const okxSwap: ExchangeAdapter = {
  id: "okx",
  name: "OKX",
  marketType: "perp",
  channels: SWAP_CHANNELS,
  intervals: OKX_INTERVALS,
  symbolOf: swapSymbolOf,
  marketOfSymbol: rememberMarkets(derivMarketOf),
  ws: createWs(swapSymbolOf, true),
  parseFrame: finiteOnly(inBaseUnits(parseFrame)),
  rest: createRest(swapSymbolOf, "SWAP"),
  tradeIdsSequential: true,
  contractSized: true,
  bookSync,
};

export { bookSync } from "./book.ts";
export {
  argKey,
  type ChannelRef,
  channelRefs,
  DERIV_CHANNELS,
  ENDPOINT_PATHS,
  endpointOfChannel,
  type OkxArg,
  type OkxEndpoint,
  SPOT_CHANNELS,
  SWAP_CHANNELS,
} from "./channels.ts";
export { CHECKSUM_LEVELS, checksumString, crc32Signed, okxChecksum } from "./checksum.ts";
export {
  closeTimeOf,
  intervalOfBar,
  isOkxInterval,
  OKX_BARS,
  OKX_INTERVALS,
  type OkxInterval,
  UNSUPPORTED_BARS,
} from "./intervals.ts";
export { parseFrame } from "./parse.ts";
export {
  createRest,
  DEPTH_MAX_LIMIT,
  HISTORY_TRADES_LIMIT,
  KLINES_PAGE_LIMIT,
  PAGING,
  RECENT_KLINES_LIMIT,
  RECENT_TRADES_LIMIT,
  REST_DEFAULT_URL,
  REST_LIMITS,
  WEIGHTS,
} from "./rest.ts";
export { INVALID_REASONS, type InvalidReason } from "./results.ts";
export {
  derivMarketOf,
  marketOfInstId,
  spotMarketOf,
  spotSymbolOf,
  swapOfIndex,
  swapSymbolOf,
} from "./symbols.ts";
export {
  createWs,
  MAX_ARGS_BYTES,
  MAX_CONNECTION_AGE_MS,
  PING_INTERVAL_MS,
  WS_DEFAULT_URL,
  WS_LIMITS,
} from "./ws.ts";
