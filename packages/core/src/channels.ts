import { CANDLE_INTERVALS, type CandleInterval, MESSAGE_TYPES } from "./schemas/messages.ts";
import { ALL_MARKETS_TOKEN } from "./subjects.ts";

/**
 * Gateway WebSocket channel names: `<type>:<exchange>:<market>` and
 * `candle:<exchange>:<market>:<interval>`; `*` may stand for the exchange or the market
 * (and for the interval of a candle channel).
 */

export const CHANNEL_TYPES = [...MESSAGE_TYPES, "stats", "alert"] as const;
export type ChannelType = (typeof CHANNEL_TYPES)[number];

export interface ChannelSpec {
  type: ChannelType;
  exchange: string; // id or "*"
  market: string; // market name or "*"
  interval?: CandleInterval | "*";
}

export class ChannelError extends Error {
  constructor(
    readonly code: "invalid_channel" | "unknown_channel_type" | "invalid_interval",
    message: string,
  ) {
    super(message);
    this.name = "ChannelError";
  }
}

const EXCHANGE_RE = /^([a-z0-9]+|\*)$/;
const MARKET_RE = /^([A-Z0-9]+-[A-Z0-9]+(-PERP|-[0-9]{6})?|\*)$/;

export function parseChannel(name: string): ChannelSpec {
  if (typeof name !== "string" || name.length === 0 || name.length > 100) {
    throw new ChannelError("invalid_channel", "channel must be a non-empty string of at most 100 characters");
  }
  const parts = name.split(":");
  const [type, exchange, market, interval] = parts;
  if (!CHANNEL_TYPES.includes(type as ChannelType)) {
    throw new ChannelError(
      "unknown_channel_type",
      `unknown channel type "${type}" (one of ${CHANNEL_TYPES.join(", ")})`,
    );
  }
  const expected = type === "candle" ? 4 : 3;
  if (parts.length !== expected) {
    const shape = type === "candle" ? "candle:<exchange>:<market>:<interval>" : `${type}:<exchange>:<market>`;
    throw new ChannelError("invalid_channel", `channel "${name}" must look like ${shape}`);
  }
  if (!EXCHANGE_RE.test(exchange!))
    throw new ChannelError("invalid_channel", `invalid exchange "${exchange}"`);
  if (!MARKET_RE.test(market!)) throw new ChannelError("invalid_channel", `invalid market "${market}"`);
  const spec: ChannelSpec = { type: type as ChannelType, exchange: exchange!, market: market! };
  if (type === "candle") {
    if (interval !== "*" && !CANDLE_INTERVALS.includes(interval as CandleInterval)) {
      throw new ChannelError(
        "invalid_interval",
        `invalid interval "${interval}" (one of ${CANDLE_INTERVALS.join(", ")})`,
      );
    }
    spec.interval = interval as CandleInterval | "*";
  }
  return spec;
}

export function formatChannel(spec: ChannelSpec): string {
  const head = `${spec.type}:${spec.exchange}:${spec.market}`;
  return spec.type === "candle" ? `${head}:${spec.interval ?? "*"}` : head;
}

export function isPattern(spec: ChannelSpec): boolean {
  return spec.exchange === "*" || spec.market === "*" || spec.interval === "*";
}

/** The concrete channel a message belongs to. */
export function channelOf(type: ChannelType, exchange: string, market: string, interval?: string): string {
  const mkt = market === ALL_MARKETS_TOKEN ? "*" : market;
  return type === "candle" ? `${type}:${exchange}:${mkt}:${interval}` : `${type}:${exchange}:${mkt}`;
}

export function channelMatches(spec: ChannelSpec, channel: string): boolean {
  const [type, exchange, market, interval] = channel.split(":");
  if (type !== spec.type) return false;
  if (spec.exchange !== "*" && spec.exchange !== exchange) return false;
  if (spec.market !== "*" && spec.market !== market) return false;
  if (spec.type === "candle" && spec.interval !== "*" && spec.interval !== interval) return false;
  return true;
}

/** The NATS subject filter that carries a channel's data. */
export function channelSubjectFilter(spec: ChannelSpec): string {
  const root = spec.type === "stats" || spec.type === "alert" ? "an" : "md";
  const market = spec.type === "status" && spec.market === "*" ? "*" : spec.market;
  const head = `${root}.${spec.type}.${spec.exchange}.${market}`;
  return spec.type === "candle" ? `${head}.${spec.interval ?? "*"}` : head;
}
