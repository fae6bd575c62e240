import type { FeedChannel, Subscription } from "../../../adapter.ts";
import type { CandleInterval } from "../../../schemas/messages.ts";
import {
  BINANCE_INTERVALS,
  intervalGuard,
  parseStreamNameWith,
  type StreamFormat,
  type StreamRefOf,
  streamNameWith,
} from "../streams.ts";
import { streamSymbol } from "./symbols.ts";

/**
 * Binance USD-M stream names and their routes. Since 2026 fstream.binance.com routes streams by
 * path: `/public` carries the high-frequency book streams (`@depth*`, `@bookTicker`), `/market`
 * everything else (`@aggTrade`, `@markPrice`, `@kline_*`, `@ticker`, `@forceOrder`, …). A stream
 * subscribed on the wrong route is acknowledged and then never delivers; an unrouted connection
 * (`/ws`, `/stream`) gets only `/public` data.
 */

export type UsdmRoute = "public" | "market";

/** Kline intervals of USD-M (WS and REST): every normalized interval except 1s. */
export const USDM_INTERVALS: readonly CandleInterval[] = BINANCE_INTERVALS.filter((i) => i !== "1s");

export const isUsdmInterval: (v: unknown) => v is CandleInterval = intervalGuard(USDM_INTERVALS);

/** Normalized channels the USD-M adapter serves. */
export const USDM_CHANNELS = [
  "trade",
  "bbo",
  "ticker",
  "candle",
  "book",
  "deriv",
  "liquidation",
] as const satisfies readonly FeedChannel[];

/**
 * Stream-name suffix per channel (candle takes `@kline_<interval>`). Trades come from `@aggTrade`:
 * it is documented (the raw `@trade` is not), and REST `/fapi/v1/aggTrades` pages it by id or
 * time without an API key, so gaps heal in the same id space.
 */
export const USDM_STREAM_SUFFIX = {
  trade: "@aggTrade",
  bbo: "@bookTicker",
  ticker: "@ticker",
  book: "@depth@100ms",
  deriv: "@markPrice@1s",
  liquidation: "@forceOrder",
} as const;

/** The route a stream name belongs to: book streams are `/public`, the rest `/market`. */
export function routeOf(stream: string): UsdmRoute {
  const at = stream.indexOf("@");
  const kind = at < 0 ? stream : stream.slice(at);
  return kind.startsWith("@depth") || kind === "@bookTicker" ? "public" : "market";
}

const USDM_FORMAT: StreamFormat<(typeof USDM_CHANNELS)[number]> = {
  streamSymbol,
  suffix: USDM_STREAM_SUFFIX,
  intervals: USDM_INTERVALS,
  isInterval: isUsdmInterval,
  // the other speeds of the same data read back too (`@depth@250ms`, `@markPrice` every 3 s, …)
  names: new Map([
    ["@aggTrade", "trade"],
    ["@bookTicker", "bbo"],
    ["@ticker", "ticker"],
    ["@depth", "book"],
    ["@depth@0ms", "book"],
    ["@depth@100ms", "book"],
    ["@depth@250ms", "book"],
    ["@depth@500ms", "book"],
    ["@markPrice", "deriv"],
    ["@markPrice@1s", "deriv"],
    ["@forceOrder", "liquidation"],
  ]),
  label: "binance USD-M",
  owner: "binance USD-M",
};

/** The USD-M stream name of a subscription. Throws on a channel or interval USD-M lacks. */
export function streamName(sub: Subscription): string {
  return streamNameWith(sub, USDM_FORMAT);
}

export type UsdmStreamRef = StreamRefOf<(typeof USDM_CHANNELS)[number]>;

/**
 * The reverse of streamName (for the simulator and for logs), also reading the other speeds of
 * the same data (`@depth`, `@depth@250ms|500ms|0ms`, `@markPrice` every 3 s); undefined otherwise.
 */
export function parseStreamName(name: string): UsdmStreamRef | undefined {
  return parseStreamNameWith(name, USDM_FORMAT);
}
