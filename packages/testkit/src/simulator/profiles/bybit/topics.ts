import type { Interval } from "../../core/intervals.ts";
import type { Category, SymbolMaps } from "./symbols.ts";

/** Order-book depths Bybit serves on spot and linear, with their push periods (ms). */
export const DEPTH_PERIOD_MS = { 1: 10, 50: 20, 200: 100, 1000: 200 } as const;
export type Depth = keyof typeof DEPTH_PERIOD_MS;
export const DEPTHS = Object.keys(DEPTH_PERIOD_MS).map(Number) as Depth[];

/** Bybit kline interval names and the simulator intervals they are. */
export const KLINE_INTERVALS: ReadonlyMap<string, Interval> = new Map<string, Interval>([
  ["1", "1m"],
  ["3", "3m"],
  ["5", "5m"],
  ["15", "15m"],
  ["30", "30m"],
  ["60", "1h"],
  ["120", "2h"],
  ["240", "4h"],
  ["360", "6h"],
  ["720", "12h"],
  ["D", "1d"],
  ["W", "1w"],
  ["M", "1M"],
]);
export const KLINE_NAMES: ReadonlyMap<Interval, string> = new Map(
  [...KLINE_INTERVALS].map(([name, i]): [Interval, string] => [i, name]),
);

/** A subscribed topic, e.g. `orderbook.50.BTCUSDT` or `kline.D.BTCUSDT`. */
export type SimTopic =
  | { kind: "trade" | "ticker" | "liquidation"; name: string; market: string }
  | { kind: "book"; name: string; market: string; depth: Depth }
  | { kind: "kline"; name: string; market: string; interval: Interval; code: string };

export type TopicParse = { ok: true; topic: SimTopic } | { ok: false; reason: string };

/**
 * Parses a topic of a category. Unknown symbols and unknown topic forms are refused with Bybit's
 * messages, so a typo in a test shows up as an error instead of silence.
 */
export function parseTopic(category: Category, raw: string, symbols: SymbolMaps): TopicParse {
  const parts = raw.split(".");
  const symbol = parts[parts.length - 1] ?? "";
  const head = parts[0];
  const notFound: TopicParse = { ok: false, reason: `error:handler not found,topic:${raw}` };
  let topic: SimTopic | undefined;
  const market = symbols.market(category, symbol);
  const name = raw;
  if (parts.length === 2 && head === "publicTrade")
    topic = market ? { kind: "trade", name, market } : undefined;
  else if (parts.length === 2 && head === "tickers")
    topic = market ? { kind: "ticker", name, market } : undefined;
  else if (parts.length === 2 && head === "allLiquidation") {
    if (category !== "linear") return notFound;
    topic = market ? { kind: "liquidation", name, market } : undefined;
  } else if (parts.length === 3 && head === "orderbook") {
    const depth = Number(parts[1]) as Depth;
    if (!(depth in DEPTH_PERIOD_MS) || String(depth) !== parts[1]) return notFound;
    topic = market ? { kind: "book", name, market, depth } : undefined;
  } else if (parts.length === 3 && head === "kline") {
    const interval = KLINE_INTERVALS.get(parts[1]!);
    if (!interval) return notFound;
    topic = market ? { kind: "kline", name, market, interval, code: parts[1]! } : undefined;
  } else return notFound;
  return topic ? { ok: true, topic } : { ok: false, reason: `Invalid symbol :[${raw}]` };
}
