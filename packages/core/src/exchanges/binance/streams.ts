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

/** A type guard for the intervals of `list` (spot's and USD-M's lists differ). */
export function intervalGuard(list: readonly CandleInterval[]): (v: unknown) => v is CandleInterval {
  const set: ReadonlySet<string> = new Set<string>(list);
  return (v: unknown): v is CandleInterval => typeof v === "string" && set.has(v);
}

export const isBinanceInterval: (v: unknown) => v is CandleInterval = intervalGuard(BINANCE_INTERVALS);

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

/** What a Binance market's stream names are made of: spot and USD-M differ only in these. */
export interface StreamFormat<C extends FeedChannel> {
  /** A market's symbol as stream names spell it (markets differ in kind: spot, perp/future). */
  streamSymbol: (market: string) => string;
  /** Stream-name suffix per channel other than candle. */
  suffix: Readonly<Record<Exclude<C, "candle">, string>>;
  intervals: readonly CandleInterval[];
  isInterval: (v: unknown) => v is CandleInterval;
  /** Stream suffix (after the symbol) → channel, for reading names back (other speeds included). */
  names: ReadonlyMap<string, Exclude<C, "candle">>;
  /** How errors name the market: in the candle-interval error, and in the no-such-channel error. */
  label: string;
  owner: string;
}

const SPOT_FORMAT: StreamFormat<(typeof BINANCE_CHANNELS)[number]> = {
  streamSymbol,
  suffix: STREAM_SUFFIX,
  intervals: BINANCE_INTERVALS,
  isInterval: isBinanceInterval,
  names: new Map([
    ["@trade", "trade"],
    ["@bookTicker", "bbo"],
    ["@ticker", "ticker"],
    ["@depth", "book"],
    ["@depth@100ms", "book"],
  ]),
  label: "binance",
  owner: "binance (spot)",
};

/** The Binance stream name of a subscription. Throws on a channel or interval Binance spot lacks. */
export function streamName(sub: Subscription): string {
  return streamNameWith(sub, SPOT_FORMAT);
}

/** A subscription's stream name in `format`; throws on a channel or interval it lacks. */
export function streamNameWith<C extends FeedChannel>(sub: Subscription, format: StreamFormat<C>): string {
  const symbol = format.streamSymbol(sub.market);
  if (sub.channel === "candle") {
    if (!format.isInterval(sub.interval)) {
      throw new Error(
        `${format.label}: candle subscription for ${sub.market} needs an interval (${format.intervals.join(", ")})`,
      );
    }
    return `${symbol}@kline_${sub.interval}`;
  }
  if (!Object.hasOwn(format.suffix, sub.channel)) {
    throw new Error(`${format.owner} has no "${String(sub.channel)}" channel`);
  }
  return symbol + (format.suffix as Readonly<Record<string, string>>)[sub.channel];
}

/** A stream name read back: uppercase exchange symbol, channel and (candles) interval. */
export interface StreamRefOf<C extends FeedChannel> {
  /** Uppercase exchange symbol. */
  symbol: string;
  channel: C;
  interval?: CandleInterval;
}

export type StreamRef = StreamRefOf<(typeof BINANCE_CHANNELS)[number]>;

/**
 * The reverse of streamName (for the simulator and for logs): `btcusdt@kline_1m` →
 * `{ symbol: "BTCUSDT", channel: "candle", interval: "1m" }`; undefined for other streams.
 * `@depth` (1000 ms) is read as the book channel too.
 */
export function parseStreamName(name: string): StreamRef | undefined {
  return parseStreamNameWith(name, SPOT_FORMAT);
}

/** The reverse of streamNameWith; undefined for a stream `format` does not know. */
export function parseStreamNameWith<C extends FeedChannel>(
  name: string,
  format: StreamFormat<C>,
): StreamRefOf<C | "candle"> | undefined {
  const at = name.indexOf("@");
  if (at <= 0) return undefined;
  const symbol = name.slice(0, at).toUpperCase();
  const rest = name.slice(at);
  const channel = format.names.get(rest);
  if (channel !== undefined) return { symbol, channel };
  if (rest.startsWith("@kline_")) {
    const interval = rest.slice(7);
    if (format.isInterval(interval)) return { symbol, channel: "candle", interval };
  }
  return undefined;
}
