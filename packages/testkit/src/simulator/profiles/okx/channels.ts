import type { Interval } from "../../core/intervals.ts";
import type { InstMap } from "./symbols.ts";

/**
 * The OKX channels the simulator serves, where, and for which instruments. Defined here on their
 * own (not taken from the adapter) so that the adapter is tested against an independent reading
 * of the protocol.
 */

export type Endpoint = "public" | "business";

export const ENDPOINT_OF_PATH: Readonly<Record<string, Endpoint>> = {
  "/ws/v5/public": "public",
  "/ws/v5/business": "business",
};

/** UTC-aligned candle channels (the simulator's candles are UTC-aligned; OKX has no 8h bar). */
export const CANDLE_CHANNELS: Readonly<Record<string, Interval>> = {
  candle1s: "1s",
  candle1m: "1m",
  candle3m: "3m",
  candle5m: "5m",
  candle15m: "15m",
  candle30m: "30m",
  candle1H: "1h",
  candle2H: "2h",
  candle4H: "4h",
  candle6Hutc: "6h",
  candle12Hutc: "12h",
  candle1Dutc: "1d",
  candle3Dutc: "3d",
  candle1Wutc: "1w",
  candle1Mutc: "1M",
};

export const CHANNEL_OF_INTERVAL: Readonly<Partial<Record<Interval, string>>> = Object.fromEntries(
  Object.entries(CANDLE_CHANNELS).map(([c, i]) => [i, c]),
);

const MARKET_CHANNELS = new Set(["trades", "tickers", "books", "books5", "bbo-tbt"]);
const PERP_CHANNELS = new Set(["mark-price", "funding-rate", "open-interest"]);
const LIQUIDATION_TYPES = new Set(["SWAP", "FUTURES", "MARGIN", "OPTION"]);

export interface Arg {
  channel: string;
  instId?: string;
  instType?: string;
}

/** A subscribed topic: its fan-out key and what it carries. */
export type Topic =
  | {
      kind: "trades" | "trades-all" | "tickers" | "books" | "books5" | "bbo-tbt";
      key: string;
      arg: Arg;
      market: string;
    }
  | { kind: "candle"; key: string; arg: Arg; market: string; interval: Interval }
  | {
      kind: "mark-price" | "funding-rate" | "open-interest" | "index-tickers";
      key: string;
      arg: Arg;
      market: string;
    }
  | { kind: "liquidation-orders"; key: string; arg: Arg; instType: string };

export function topicKey(channel: string, id: string): string {
  return `${channel}:${id}`;
}

export type ArgParse = { ok: true; topic: Topic } | { ok: false; code: string; msg: string };

function endpointOf(channel: string): Endpoint {
  return channel === "trades-all" || channel.startsWith("candle") ? "business" : "public";
}

function wrong(arg: Arg): ArgParse {
  const what = arg.instId !== undefined ? `instId:${arg.instId}` : `instType:${arg.instType ?? ""}`;
  return {
    ok: false,
    code: "60018",
    msg: `Wrong URL or channel:${arg.channel},${what} doesn't exist. Please use the correct URL, channel and parameters referring to API document.`,
  };
}

/** Validates one subscribe argument on an endpoint; OKX answers 60018 for a wrong URL or channel. */
export function parseArg(
  arg: Arg,
  endpoint: Endpoint,
  insts: InstMap,
  isPerp: (m: string) => boolean,
): ArgParse {
  const { channel } = arg;
  if (endpointOf(channel) !== endpoint) return wrong(arg);
  if (channel === "liquidation-orders") {
    if (arg.instType === undefined || !LIQUIDATION_TYPES.has(arg.instType)) return wrong(arg);
    return {
      ok: true,
      topic: {
        kind: channel,
        key: topicKey(channel, arg.instType),
        arg: { channel, instType: arg.instType },
        instType: arg.instType,
      },
    };
  }
  const instId = arg.instId;
  if (instId === undefined) return wrong(arg);
  const key = topicKey(channel, instId);
  const clean = { channel, instId };
  if (channel === "index-tickers") {
    const market = insts.perpOfIndex(instId);
    return market ? { ok: true, topic: { kind: channel, key, arg: clean, market } } : wrong(arg);
  }
  const market = insts.market(instId);
  if (market === undefined) return wrong(arg);
  if (MARKET_CHANNELS.has(channel) || channel === "trades-all") {
    return { ok: true, topic: { kind: channel as "trades", key, arg: clean, market } };
  }
  if (PERP_CHANNELS.has(channel)) {
    return isPerp(market)
      ? { ok: true, topic: { kind: channel as "mark-price", key, arg: clean, market } }
      : wrong(arg);
  }
  const interval = CANDLE_CHANNELS[channel];
  if (interval) return { ok: true, topic: { kind: "candle", key, arg: clean, market, interval } };
  return wrong(arg);
}
