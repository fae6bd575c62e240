import type { FeedChannel, Subscription } from "../../adapter.ts";
import { BINGX_INTERVALS, isBingxInterval, SPOT_STREAM_INTERVAL } from "./intervals.ts";
import { spotSymbolOf, swapSymbolOf } from "./symbols.ts";

/**
 * BingX `dataType`s (one topic per subscribe message): `<SYMBOL>@trade`, `@bookTicker`, `@ticker`,
 * `@kline_<interval>`, `@incrDepth` (the book: a full depth, then +1-sequenced updates), and on
 * swap `@markPrice`. BingX has no public liquidation, funding, index or open-interest stream.
 */

export type BingxVenue = "spot" | "swap";

export const SPOT_CHANNELS = [
  "trade",
  "bbo",
  "ticker",
  "candle",
  "book",
] as const satisfies readonly FeedChannel[];
export const SWAP_CHANNELS = [
  "trade",
  "bbo",
  "ticker",
  "candle",
  "book",
  "deriv",
] as const satisfies readonly FeedChannel[];

const SUFFIX: Partial<Record<FeedChannel, string>> = {
  trade: "@trade",
  bbo: "@bookTicker",
  ticker: "@ticker",
  book: "@incrDepth",
};

/** The dataType of a subscription. Throws on a channel or interval the venue lacks. */
export function dataTypeOf(sub: Subscription, venue: BingxVenue): string {
  const symbol = venue === "spot" ? spotSymbolOf(sub.market) : swapSymbolOf(sub.market);
  const suffix = SUFFIX[sub.channel];
  if (suffix !== undefined) return symbol + suffix;
  if (sub.channel === "candle") {
    if (!isBingxInterval(sub.interval)) {
      throw new Error(
        `bingx: candle subscription for ${sub.market} needs an interval (${BINGX_INTERVALS.join(", ")})`,
      );
    }
    const name = venue === "spot" ? SPOT_STREAM_INTERVAL[sub.interval] : sub.interval;
    return `${symbol}@kline_${name}`;
  }
  if (sub.channel === "deriv" && venue === "swap") return `${symbol}@markPrice`;
  throw new Error(`bingx (${venue}) has no "${sub.channel}" channel`);
}
