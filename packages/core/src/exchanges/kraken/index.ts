import type { ExchangeAdapter } from "../../adapter.ts";
import { finiteOnly } from "../wire/finite.ts";
import { rememberMarkets } from "../wire/remembered-markets.ts";
import { bookSync } from "./book.ts";
import { KRAKEN_CHANNELS, KRAKEN_INTERVALS } from "./channels.ts";
import { parseFrame } from "./parse.ts";
import { rest } from "./rest.ts";
import { marketOfSymbol, symbolOf } from "./symbols.ts";
import { ws } from "./ws.ts";

/** Kraken spot (WebSocket v2, with v1 frames understood too): data and pure functions. */
export const kraken: ExchangeAdapter = {
  id: "kraken",
  name: "Kraken",
  marketType: "spot",
  channels: KRAKEN_CHANNELS,
  intervals: KRAKEN_INTERVALS,
  symbolOf,
  marketOfSymbol: rememberMarkets(marketOfSymbol),
  ws,
  parseFrame: finiteOnly(parseFrame),
  rest,
  bookSync,
};

export {
  applyKrakenBook,
  bookSync,
  createKrakenBook,
  type KrakenBook,
  type KrakenLevel,
  krakenBookChecksum,
  krakenBookSync,
  verifyKrakenBook,
} from "./book.ts";
export {
  BOOK_DEPTHS,
  CHECKSUM_LEVELS,
  intervalMinutes,
  intervalOfMinutes,
  isKrakenInterval,
  KRAKEN_BOOK_DEPTH,
  KRAKEN_CHANNELS,
  KRAKEN_INTERVALS,
} from "./channels.ts";
export { checksumField, checksumInput, crc32, type ExactLevel, krakenChecksum } from "./checksum.ts";
export { parseFrame, preserveBookNumbers } from "./parse.ts";
export {
  DEPTH_MAX_COUNT,
  OHLC_PAGE_LIMIT,
  REST_DEFAULT_URL,
  REST_LIMITS,
  rest,
  TRADES_PAGE_LIMIT,
} from "./rest.ts";
export { INVALID_REASONS, type InvalidReason } from "./results.ts";
export { isoAsset, legacyAsset, marketOfSymbol, restPair, symbolOf, v2Symbol } from "./symbols.ts";
export { epochSecondsMs, rfc3339Ms } from "./time.ts";
export {
  type KrakenStream,
  krakenStreams,
  MAX_CONNECTION_AGE_MS,
  WS_DEFAULT_URL,
  WS_LIMITS,
  WS_PATH,
  ws,
} from "./ws.ts";
