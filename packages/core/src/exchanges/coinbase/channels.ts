import type { FeedChannel, Subscription } from "../../adapter.ts";
import type { CandleInterval } from "../../schemas/messages.ts";

/**
 * Normalized channels ↔ Coinbase Advanced Trade channels:
 * - trade  → `market_trades`
 * - book   → `level2` (its frames arrive as channel `l2_data`)
 * - candle → `candles`: 5-minute candles only, nothing else on the WebSocket
 * - bbo    → `ticker` (best bid/ask with sizes, sent on every match); a market that also wants the
 *            ticker gets both from this one channel
 * - ticker → `ticker_batch` (the same 24 h fields every 5 s, without best bid/ask) when the market
 *            does not also want bbo
 * plus `heartbeats` on every connection: without it Coinbase closes a channel after 60–90 s without
 * updates.
 */

export type CoinbaseChannel =
  | "heartbeats"
  | "level2"
  | "market_trades"
  | "ticker"
  | "ticker_batch"
  | "candles";

/** Order of the subscribe frames on a connection: heartbeats first, so no channel idles out. */
export const CHANNEL_ORDER: readonly CoinbaseChannel[] = [
  "heartbeats",
  "level2",
  "market_trades",
  "ticker",
  "ticker_batch",
  "candles",
];

export const COINBASE_CHANNELS = [
  "trade",
  "bbo",
  "ticker",
  "candle",
  "book",
] as const satisfies readonly FeedChannel[];

/** The WebSocket `candles` channel has one granularity: five minutes. */
export const WS_INTERVALS = ["5m"] as const satisfies readonly CandleInterval[];
export const WS_CANDLE_MS = 5 * 60_000;

/** REST `granularity` of each normalized interval (Advanced Trade has no 3m, 4h, 8h, 12h, 3d, 1w, 1M). */
export const GRANULARITY = {
  "1m": "ONE_MINUTE",
  "5m": "FIVE_MINUTE",
  "15m": "FIFTEEN_MINUTE",
  "30m": "THIRTY_MINUTE",
  "1h": "ONE_HOUR",
  "2h": "TWO_HOUR",
  "6h": "SIX_HOUR",
  "1d": "ONE_DAY",
} as const satisfies Partial<Record<CandleInterval, string>>;

export type RestInterval = keyof typeof GRANULARITY;

export const REST_INTERVALS = Object.keys(GRANULARITY) as RestInterval[];

/** Seconds per REST granularity. */
export const GRANULARITY_SECONDS: Readonly<Record<RestInterval, number>> = {
  "1m": 60,
  "5m": 300,
  "15m": 900,
  "30m": 1800,
  "1h": 3600,
  "2h": 7200,
  "6h": 21_600,
  "1d": 86_400,
};

export function isRestInterval(v: unknown): v is RestInterval {
  return typeof v === "string" && Object.hasOwn(GRANULARITY, v);
}

/**
 * The Coinbase channels that serve one market's normalized subscriptions (without heartbeats).
 * Throws on a channel or interval Coinbase's WebSocket does not have.
 */
export function channelsOfMarket(subs: readonly Subscription[]): CoinbaseChannel[] {
  const wanted = new Set<FeedChannel>();
  for (const s of subs) {
    switch (s.channel) {
      case "trade":
      case "bbo":
      case "ticker":
      case "book":
        wanted.add(s.channel);
        break;
      case "candle":
        if (s.interval !== "5m") {
          throw new Error(
            `coinbase: WebSocket candles are 5-minute only; ${s.market} asked for ${s.interval ?? "no interval"}`,
          );
        }
        wanted.add("candle");
        break;
      default:
        throw new Error(`coinbase (spot) has no "${s.channel}" channel`);
    }
  }
  const out: CoinbaseChannel[] = [];
  if (wanted.has("book")) out.push("level2");
  if (wanted.has("trade")) out.push("market_trades");
  if (wanted.has("bbo")) out.push("ticker");
  else if (wanted.has("ticker")) out.push("ticker_batch");
  if (wanted.has("candle")) out.push("candles");
  return out;
}
