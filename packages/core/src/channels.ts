import { CANDLE_INTERVALS, type CandleInterval, MESSAGE_TYPES } from "./schemas/messages.ts";
import { ALL_MARKETS_TOKEN, parseSubject } from "./subjects.ts";

/**
 * Gateway WebSocket channel names: `<type>:<exchange>:<market>` and
 * `candle:<exchange>:<market>:<interval>`; `*` may stand for the exchange or the market
 * (and for the interval of a candle channel). Keyed channels have one key instead:
 * `composite:<ASSET>`, `spread:<ASSET>`, `portfolio:<id>` (`*` for every key).
 */

/** Channels named by one key (an asset or a portfolio id) rather than exchange and market. */
export const KEYED_CHANNEL_TYPES = ["composite", "spread", "portfolio"] as const;
export type KeyedChannelType = (typeof KEYED_CHANNEL_TYPES)[number];
export const CHANNEL_TYPES = [...MESSAGE_TYPES, "stats", "alert", ...KEYED_CHANNEL_TYPES] as const;
export type ChannelType = (typeof CHANNEL_TYPES)[number];
/** Channel types whose data the analyzer publishes on `an.*`. */
const ANALYTICS_CHANNEL_TYPES: readonly ChannelType[] = ["stats", "alert", ...KEYED_CHANNEL_TYPES];

export interface ChannelSpec {
  type: ChannelType;
  exchange: string; // id or "*"; "" for a keyed channel
  market: string; // market name or "*"; the key (asset, portfolio id) of a keyed channel
  interval?: CandleInterval | "*";
}

export function isKeyedChannel(type: string): type is KeyedChannelType {
  return (KEYED_CHANNEL_TYPES as readonly string[]).includes(type);
}

const ASSET_RE = /^([A-Z0-9]{1,20}|\*)$/;
const PORTFOLIO_RE = /^([A-Za-z0-9_-]{1,64}|\*)$/;

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
  if (isKeyedChannel(type!)) {
    const key = parts[1] ?? "";
    const re = type === "portfolio" ? PORTFOLIO_RE : ASSET_RE;
    if (parts.length !== 2 || !re.test(key)) {
      const what = type === "portfolio" ? "<portfolio id>" : "<ASSET> (e.g. BTC)";
      throw new ChannelError("invalid_channel", `channel "${name}" must look like ${type}:${what}`);
    }
    return { type: type as ChannelType, exchange: "", market: key };
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
  if (isKeyedChannel(spec.type)) return `${spec.type}:${spec.market}`;
  const head = `${spec.type}:${spec.exchange}:${spec.market}`;
  return spec.type === "candle" ? `${head}:${spec.interval ?? "*"}` : head;
}

export function isPattern(spec: ChannelSpec): boolean {
  if (isKeyedChannel(spec.type)) return spec.market === "*";
  return spec.exchange === "*" || spec.market === "*" || spec.interval === "*";
}

/** The concrete channel a message belongs to. */
export function channelOf(type: ChannelType, exchange: string, market: string, interval?: string): string {
  if (isKeyedChannel(type)) return `${type}:${market}`;
  const mkt = market === ALL_MARKETS_TOKEN ? "*" : market;
  return type === "candle" ? `${type}:${exchange}:${mkt}:${interval}` : `${type}:${exchange}:${mkt}`;
}

export function channelMatches(spec: ChannelSpec, channel: string): boolean {
  const [type, exchange, market, interval] = channel.split(":");
  if (type !== spec.type) return false;
  if (isKeyedChannel(spec.type)) return spec.market === "*" || spec.market === exchange;
  if (spec.exchange !== "*" && spec.exchange !== exchange) return false;
  if (spec.market !== "*" && spec.market !== market) return false;
  if (spec.type === "candle" && spec.interval !== "*" && spec.interval !== interval) return false;
  return true;
}

/** The NATS subject filter that carries a channel's data. */
/**
 * The channel a subject's messages go to: `md.trade.binance.BTC-USDT` → `trade:binance:BTC-USDT`;
 * `an.stats.…` → `stats:…`; `an.composite.BTC` → `composite:BTC`. `marketData`: an `md.*` subject.
 */
export function channelOfSubject(
  subject: string,
): { channel: string; type: ChannelType; marketData: boolean } | undefined {
  const p = parseSubject(subject);
  if (!p) return undefined;
  if ("key" in p) {
    if (!isKeyedChannel(p.type)) return undefined;
    return { channel: channelOf(p.type, "", p.key), type: p.type, marketData: false };
  }
  if (isKeyedChannel(p.type) || !CHANNEL_TYPES.includes(p.type as ChannelType)) return undefined;
  const type = p.type as ChannelType;
  return { channel: channelOf(type, p.exchange, p.market, p.interval), type, marketData: p.root === "md" };
}

export function channelSubjectFilter(spec: ChannelSpec): string {
  if (isKeyedChannel(spec.type)) return `an.${spec.type}.${spec.market}`;
  const root = ANALYTICS_CHANNEL_TYPES.includes(spec.type) ? "an" : "md";
  const market = spec.type === "status" && spec.market === "*" ? "*" : spec.market;
  const head = `${root}.${spec.type}.${spec.exchange}.${market}`;
  return spec.type === "candle" ? `${head}.${spec.interval ?? "*"}` : head;
}
