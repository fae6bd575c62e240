import type { FeedChannel, Subscription } from "../../adapter.ts";
import { isOkxInterval, OKX_BARS, OKX_INTERVALS } from "./intervals.ts";

/**
 * Normalized channels → OKX channel arguments and the endpoint that serves them.
 *
 * | channel     | OKX argument(s)                                              | endpoint   |
 * |-------------|--------------------------------------------------------------|------------|
 * | trade       | `trades-all` (one trade per push; `trades` aggregates fills) | /business  |
 * | bbo         | `bbo-tbt` (tick-by-tick top of book, with seqId)             | /public    |
 * | ticker      | `tickers`                                                    | /public    |
 * | book        | `books` (400 levels: snapshot, then updates with seqId)      | /public    |
 * | candle      | `candle<bar>` (UTC bars, see intervals.ts)                   | /business  |
 * | deriv       | `mark-price`, `funding-rate`, `open-interest` on the swap,   | /public    |
 * |             | `index-tickers` on its index (`BTC-USDT`)                    |            |
 * | liquidation | `liquidation-orders` by instType SWAP (every swap at once)   | /public    |
 */

export type OkxEndpoint = "public" | "business";

export const ENDPOINT_PATHS: Readonly<Record<OkxEndpoint, string>> = {
  public: "/ws/v5/public",
  business: "/ws/v5/business",
};

/** One element of a subscribe request's `args`. */
export interface OkxArg {
  channel: string;
  instId?: string;
  instType?: string;
}

export interface ChannelRef {
  endpoint: OkxEndpoint;
  arg: OkxArg;
  /** Identifies the argument: `books:BTC-USDT`, `liquidation-orders:SWAP`. */
  key: string;
}

export const SPOT_CHANNELS = [
  "trade",
  "bbo",
  "ticker",
  "candle",
  "book",
] as const satisfies readonly FeedChannel[];
export const SWAP_CHANNELS = [
  ...SPOT_CHANNELS,
  "deriv",
  "liquidation",
] as const satisfies readonly FeedChannel[];

/** The channels of the deriv subscription on a swap. */
export const DERIV_CHANNELS = ["mark-price", "index-tickers", "funding-rate", "open-interest"] as const;

/** Channels the /business endpoint serves (everything else we use is on /public). */
export function endpointOfChannel(channel: string): OkxEndpoint {
  return channel === "trades-all" ||
    channel.startsWith("candle") ||
    channel.startsWith("mark-price-candle") ||
    channel.startsWith("index-candle")
    ? "business"
    : "public";
}

export function argKey(arg: OkxArg): string {
  return `${arg.channel}:${arg.instId ?? arg.instType ?? ""}`;
}

function ref(channel: string, instId: string): ChannelRef {
  const arg = { channel, instId };
  return { endpoint: endpointOfChannel(channel), arg, key: argKey(arg) };
}

const LIQUIDATION_ARG: OkxArg = { channel: "liquidation-orders", instType: "SWAP" };
const LIQUIDATION_REF: ChannelRef = {
  endpoint: "public",
  arg: LIQUIDATION_ARG,
  key: argKey(LIQUIDATION_ARG),
};

/**
 * The OKX arguments of one subscription. `instId` is the adapter's symbol of the market; deriv and
 * liquidation exist for swaps only. Throws on a channel or interval the market type lacks.
 */
export function channelRefs(sub: Subscription, instId: string, swap: boolean): ChannelRef[] {
  switch (sub.channel) {
    case "trade":
      return [ref("trades-all", instId)];
    case "bbo":
      return [ref("bbo-tbt", instId)];
    case "ticker":
      return [ref("tickers", instId)];
    case "book":
      return [ref("books", instId)];
    case "candle":
      if (!isOkxInterval(sub.interval)) {
        throw new Error(
          `okx: candle subscription for ${sub.market} needs an interval (${OKX_INTERVALS.join(", ")})`,
        );
      }
      return [ref(`candle${OKX_BARS[sub.interval]}`, instId)];
    case "deriv":
      if (!swap) break;
      return [
        ref("mark-price", instId),
        ref("index-tickers", instId.slice(0, -"-SWAP".length)),
        ref("funding-rate", instId),
        ref("open-interest", instId),
      ];
    case "liquidation":
      if (!swap) break;
      return [LIQUIDATION_REF];
  }
  throw new Error(`okx (${swap ? "swap" : "spot"}) has no "${sub.channel}" channel`);
}
