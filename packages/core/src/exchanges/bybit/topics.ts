import type { FeedChannel, Subscription } from "../../adapter.ts";
import type { CandleInterval } from "../../schemas/messages.ts";
import { type Category, linearSymbolOf, spotSymbolOf } from "./symbols.ts";

/**
 * Bybit v5 public topics: `publicTrade.<S>`, `orderbook.<depth>.<S>`, `tickers.<S>`,
 * `kline.<interval>.<S>`, `allLiquidation.<S>` (linear). The symbol is the last dot-separated part.
 */

/** Normalized interval → Bybit's kline interval name (minutes, D, W, M). */
export const INTERVAL_NAMES = {
  "1m": "1",
  "3m": "3",
  "5m": "5",
  "15m": "15",
  "30m": "30",
  "1h": "60",
  "2h": "120",
  "4h": "240",
  "6h": "360",
  "12h": "720",
  "1d": "D",
  "1w": "W",
  "1M": "M",
} as const satisfies Partial<Record<CandleInterval, string>>;

export type BybitInterval = keyof typeof INTERVAL_NAMES;

/** Every interval Bybit serves that exists among the normalized ones (no 1s, 8h, 3d). */
export const BYBIT_INTERVALS = Object.keys(INTERVAL_NAMES) as BybitInterval[];

const FROM_NAME: ReadonlyMap<string, BybitInterval> = new Map(
  BYBIT_INTERVALS.map((i): [string, BybitInterval] => [INTERVAL_NAMES[i], i]),
);

export function isBybitInterval(v: unknown): v is BybitInterval {
  return typeof v === "string" && Object.hasOwn(INTERVAL_NAMES, v);
}

/** Bybit's interval name (`"60"`, `"D"`) → normalized; undefined for anything else. */
export function intervalFromName(name: unknown): BybitInterval | undefined {
  return typeof name === "string" ? FROM_NAME.get(name) : undefined;
}

const MINUTE = 60_000;
const DAY = 1440 * MINUTE;

/**
 * Last millisecond of the candle that opens at `openTime`. Bybit aligns minutes and days to the
 * epoch, weeks to Monday 00:00 UTC and months to the 1st, so only months need the calendar.
 */
export function candleCloseTime(interval: BybitInterval, openTime: number): number {
  const name = INTERVAL_NAMES[interval];
  if (name === "M") {
    const d = new Date(openTime);
    return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1) - 1;
  }
  const len = name === "D" ? DAY : name === "W" ? 7 * DAY : Number(name) * MINUTE;
  return openTime + len - 1;
}

/** Shortest length of one interval in ms (a month counts 28 days): bounds a page of klines. */
export function minIntervalMs(interval: BybitInterval): number {
  const name = INTERVAL_NAMES[interval];
  if (name === "M") return 28 * DAY;
  if (name === "W") return 7 * DAY;
  if (name === "D") return DAY;
  return Number(name) * MINUTE;
}

/**
 * Order-book depth behind the `book` channel (200 ms pushes, spot and linear): the REST orderbook's
 * `u` follows the 1000-level stream, so a REST snapshot and the WebSocket deltas share one sequence.
 */
export const BOOK_DEPTH = 1000;
export const BBO_DEPTH = 1;

export const SPOT_CHANNELS = [
  "trade",
  "bbo",
  "ticker",
  "candle",
  "book",
] as const satisfies readonly FeedChannel[];
export const LINEAR_CHANNELS = [
  ...SPOT_CHANNELS,
  "deriv",
  "liquidation",
] as const satisfies readonly FeedChannel[];

export function symbolOf(category: Category, market: string): string {
  return category === "spot" ? spotSymbolOf(market) : linearSymbolOf(market);
}

/**
 * The topic of a subscription. Linear `ticker` and `deriv` share `tickers.<S>` (one tickers push
 * carries both). Throws on a channel or interval the category lacks.
 */
export function topicOf(category: Category, sub: Subscription): string {
  const symbol = symbolOf(category, sub.market);
  switch (sub.channel) {
    case "trade":
      return `publicTrade.${symbol}`;
    case "bbo":
      return `orderbook.${BBO_DEPTH}.${symbol}`;
    case "book":
      return `orderbook.${BOOK_DEPTH}.${symbol}`;
    case "ticker":
      return `tickers.${symbol}`;
    case "candle":
      if (!isBybitInterval(sub.interval)) {
        throw new Error(
          `bybit: candle subscription for ${sub.market} needs an interval (${BYBIT_INTERVALS.join(", ")})`,
        );
      }
      return `kline.${INTERVAL_NAMES[sub.interval]}.${symbol}`;
    case "deriv":
      if (category === "linear") return `tickers.${symbol}`;
      break;
    case "liquidation":
      if (category === "linear") return `allLiquidation.${symbol}`;
      break;
  }
  throw new Error(`bybit (${category}) has no "${sub.channel}" channel`);
}

export type TopicRef =
  | { kind: "trade" | "ticker" | "liquidation"; symbol: string }
  | { kind: "book"; symbol: string; depth: number }
  | { kind: "candle"; symbol: string; interval: BybitInterval };

const DEPTHS: ReadonlySet<string> = new Set(["1", "50", "200", "1000"]);

/** The reverse of topicOf (for the simulator and logs); undefined for a topic we do not serve. */
export function parseTopic(topic: string): TopicRef | undefined {
  const parts = topic.split(".");
  const symbol = parts[parts.length - 1];
  if (!symbol || !/^[A-Z0-9-]+$/.test(symbol)) return undefined;
  if (parts.length === 2) {
    switch (parts[0]) {
      case "publicTrade":
        return { kind: "trade", symbol };
      case "tickers":
        return { kind: "ticker", symbol };
      case "allLiquidation":
        return { kind: "liquidation", symbol };
    }
    return undefined;
  }
  if (parts.length !== 3) return undefined;
  if (parts[0] === "orderbook" && DEPTHS.has(parts[1]!)) {
    return { kind: "book", symbol, depth: Number(parts[1]) };
  }
  const interval = parts[0] === "kline" ? intervalFromName(parts[1]) : undefined;
  return interval ? { kind: "candle", symbol, interval } : undefined;
}

/**
 * The frame's own copy of its topic's symbol (`data.s`, `data.symbol`) when it is the same: JSON.parse
 * interns short strings, so the market and state lookups by it do not hash a fresh slice of the
 * topic for every frame (~50 ns a lookup). The characters are the same either way.
 */
export function framedSymbol(symbol: string, own: unknown): string {
  return own === symbol ? (own as string) : symbol;
}
