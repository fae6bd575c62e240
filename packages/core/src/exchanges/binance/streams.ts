import type { FeedChannel, Subscription } from "../../adapter.ts";
import type { CandleInterval } from "../../schemas/messages.ts";
import { streamSymbol } from "./symbols.ts";

/**
 * Binance spot stream names: `<symbol>@trade`, `<symbol>@bookTicker`, `<symbol>@ticker`,
 * `<symbol>@kline_<interval>`, `<symbol>@depth@100ms` (symbol lowercase).
 */

/** Kline intervals Binance spot serves (WS streams and REST klines): all 16 normalized intervals. */
export const BINANCE_INTERVALS = [
  "1s",
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

const INTERVAL_SET: ReadonlySet<string> = new Set<string>(BINANCE_INTERVALS);

export function isBinanceInterval(v: unknown): v is CandleInterval {
  return typeof v === "string" && INTERVAL_SET.has(v);
}

/** Normalized channels the spot adapter serves. */
export const BINANCE_CHANNELS = [
  "trade",
  "bbo",
  "ticker",
  "candle",
  "book",
] as const satisfies readonly FeedChannel[];

/** Stream-name suffix per channel (candle takes `@kline_<interval>`). */
export const STREAM_SUFFIX = {
  trade: "@trade",
  bbo: "@bookTicker",
  ticker: "@ticker",
  book: "@depth@100ms",
} as const;

/** The Binance stream name of a subscription. Throws on a channel or interval Binance spot lacks. */
export function streamName(sub: Subscription): string {
  const symbol = streamSymbol(sub.market);
  switch (sub.channel) {
    case "trade":
    case "bbo":
    case "ticker":
    case "book":
      return symbol + STREAM_SUFFIX[sub.channel];
    case "candle":
      if (!isBinanceInterval(sub.interval)) {
        throw new Error(
          `binance: candle subscription for ${sub.market} needs an interval (${BINANCE_INTERVALS.join(", ")})`,
        );
      }
      return `${symbol}@kline_${sub.interval}`;
    default:
      throw new Error(`binance (spot) has no "${sub.channel}" channel`);
  }
}

export interface StreamRef {
  /** Uppercase exchange symbol. */
  symbol: string;
  channel: (typeof BINANCE_CHANNELS)[number];
  interval?: CandleInterval;
}

/**
 * The reverse of streamName (for the simulator and for logs): `btcusdt@kline_1m` →
 * `{ symbol: "BTCUSDT", channel: "candle", interval: "1m" }`; undefined for other streams.
 * `@depth` (1000 ms) is read as the book channel too.
 */
export function parseStreamName(name: string): StreamRef | undefined {
  const at = name.indexOf("@");
  if (at <= 0) return undefined;
  const symbol = name.slice(0, at).toUpperCase();
  const rest = name.slice(at);
  switch (rest) {
    case "@trade":
      return { symbol, channel: "trade" };
    case "@bookTicker":
      return { symbol, channel: "bbo" };
    case "@ticker":
      return { symbol, channel: "ticker" };
    case "@depth":
    case "@depth@100ms":
      return { symbol, channel: "book" };
  }
  if (rest.startsWith("@kline_")) {
    const interval = rest.slice(7);
    if (isBinanceInterval(interval)) return { symbol, channel: "candle", interval };
  }
  return undefined;
}
