import type { FeedChannel, Subscription } from "../../../adapter.ts";
import type { CandleInterval } from "../../../schemas/messages.ts";
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
export const USDM_INTERVALS = [
  "1m",
  "3m",
  "5m",
  "15m",
  "30m",
  "1h",
  "2h",
  "4h",
  "6h",
  "8h",
  "12h",
  "1d",
  "3d",
  "1w",
  "1M",
] as const satisfies readonly CandleInterval[];

const INTERVAL_SET: ReadonlySet<string> = new Set<string>(USDM_INTERVALS);

export function isUsdmInterval(v: unknown): v is CandleInterval {
  return typeof v === "string" && INTERVAL_SET.has(v);
}

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

/** The USD-M stream name of a subscription. Throws on a channel or interval USD-M lacks. */
export function streamName(sub: Subscription): string {
  const symbol = streamSymbol(sub.market);
  switch (sub.channel) {
    case "trade":
    case "bbo":
    case "ticker":
    case "book":
    case "deriv":
    case "liquidation":
      return symbol + USDM_STREAM_SUFFIX[sub.channel];
    case "candle":
      if (!isUsdmInterval(sub.interval)) {
        throw new Error(
          `binance USD-M: candle subscription for ${sub.market} needs an interval (${USDM_INTERVALS.join(", ")})`,
        );
      }
      return `${symbol}@kline_${sub.interval}`;
    default:
      throw new Error(`binance USD-M has no "${String(sub.channel)}" channel`);
  }
}

export interface UsdmStreamRef {
  /** Uppercase exchange symbol. */
  symbol: string;
  channel: (typeof USDM_CHANNELS)[number];
  interval?: CandleInterval;
}

/**
 * The reverse of streamName (for the simulator and for logs), also reading the other speeds of
 * the same data (`@depth`, `@depth@250ms|500ms|0ms`, `@markPrice` every 3 s); undefined otherwise.
 */
export function parseStreamName(name: string): UsdmStreamRef | undefined {
  const at = name.indexOf("@");
  if (at <= 0) return undefined;
  const symbol = name.slice(0, at).toUpperCase();
  const rest = name.slice(at);
  switch (rest) {
    case "@aggTrade":
      return { symbol, channel: "trade" };
    case "@bookTicker":
      return { symbol, channel: "bbo" };
    case "@ticker":
      return { symbol, channel: "ticker" };
    case "@depth":
    case "@depth@0ms":
    case "@depth@100ms":
    case "@depth@250ms":
    case "@depth@500ms":
      return { symbol, channel: "book" };
    case "@markPrice":
    case "@markPrice@1s":
      return { symbol, channel: "deriv" };
    case "@forceOrder":
      return { symbol, channel: "liquidation" };
  }
  if (rest.startsWith("@kline_")) {
    const interval = rest.slice(7);
    if (isUsdmInterval(interval)) return { symbol, channel: "candle", interval };
  }
  return undefined;
}
