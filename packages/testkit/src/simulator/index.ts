export {
  INTERVALS,
  type Interval,
  intervalClose,
  intervalOpen,
  isInterval,
  nextIntervalOpen,
} from "./core/intervals.ts";
export { hashString, Prng } from "./core/prng.ts";
export type { BookSnapshot, DepthDiff, Level, TopOfBook } from "./market/book.ts";
export { nextFundingTime } from "./market/deriv.ts";
export {
  MarketGenerator,
  type MarketGeneratorOptions,
  type MarketListener,
  type TradeBatch,
} from "./market/generator.ts";
export {
  buildMarketSpec,
  type MarketInput,
  type MarketKind,
  type MarketSpec,
  parseMarketName,
} from "./market/spec.ts";
export type {
  Bbo,
  Candle,
  Side,
  SimDeriv,
  SimLiquidation,
  SimTrade,
  TickerState,
} from "./market/types.ts";
export { DEFAULT_MARKETS, type SimulatorOptions } from "./options.ts";
export { binanceProfile } from "./profiles/binance/index.ts";
export { BOOK_FAULTS, type BookFault } from "./profiles/book-faults.ts";
export { getProfile, PROFILES } from "./profiles/index.ts";
export { refusedMarkets } from "./profiles/market-kinds.ts";
export type { ExchangeProfile, ProfileContext, ProfileDefaults, ProfileRuntime } from "./profiles/types.ts";
export { CONTROL_PATHS } from "./server/control-api.ts";
export { SIMULATED_HEADER } from "./server/http-server.ts";
export { ExchangeSimulator, type StartedSimulator, startSimulator } from "./simulator.ts";
export type { CandleQuery } from "./truth/candles.ts";
export { GroundTruth, type TradeQuery } from "./truth/ground-truth.ts";
