import type { FeedChannel } from "../../adapter.ts";

/** Normalized channels the spot adapter serves. */
export const WHITEBIT_CHANNELS = [
  "trade",
  "bbo",
  "ticker",
  "candle",
  "book",
] as const satisfies readonly FeedChannel[];

export type WhitebitChannel = (typeof WHITEBIT_CHANNELS)[number];

/**
 * JSON-RPC method prefix per channel: `<prefix>_subscribe`, `<prefix>_unsubscribe`, and the server's
 * `<prefix>_update` pushes. `market` is the rolling 24 h ticker (period 86400).
 */
export const METHOD_PREFIX: Readonly<Record<WhitebitChannel, string>> = {
  trade: "trades",
  bbo: "bookTicker",
  ticker: "market",
  candle: "candles",
  book: "depth",
};

export function isWhitebitChannel(v: unknown): v is WhitebitChannel {
  return typeof v === "string" && (WHITEBIT_CHANNELS as readonly string[]).includes(v);
}
