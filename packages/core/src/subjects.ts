import type { CandleInterval, MarketMessage, MessageType, NormalizedMessage } from "./schemas/messages.ts";

/**
 * The NATS subject catalog. Every subject is built here; tokens never contain dots.
 *   md.<type>.<exchange>.<market>[.<interval>]   market data
 *   md.status.<exchange>.<market|_all>            connection / gap / resync events
 *   an.<kind>.<exchange>.<market>                 analyzer output per market (stats, alert)
 *   an.<composite|spread>.<ASSET>, an.portfolio.<id>   analyzer output per asset / portfolio
 *   jobs.<kind>                                   scheduler work items
 */

/** NATS has no `*` market token value; a connection-wide status uses `_all`. */
export const ALL_MARKETS_TOKEN = "_all";

function token(value: string): string {
  if (value.length === 0 || /[.\s*>]/.test(value)) throw new Error(`invalid subject token: "${value}"`);
  return value;
}

export function marketSubject(
  type: MessageType,
  exchange: string,
  market: string,
  interval?: string,
): string {
  const mkt = market === "*" && type === "status" ? ALL_MARKETS_TOKEN : token(market);
  const subject = `md.${type}.${token(exchange)}.${mkt}`;
  return interval ? `${subject}.${token(interval)}` : subject;
}

export function subjectOf(msg: NormalizedMessage): string {
  return marketSubject(msg.type, msg.exchange, msg.market, msg.type === "candle" ? msg.interval : undefined);
}

export function analyticsSubject(kind: "stats" | "alert", exchange: string, market: string): string {
  return `an.${kind}.${token(exchange)}.${token(market)}`;
}

/** `an.composite.<ASSET>`, `an.spread.<ASSET>`. */
export function assetSubject(kind: "composite" | "spread", asset: string): string {
  return `an.${kind}.${token(asset)}`;
}

export function portfolioSubject(id: string): string {
  return `an.portfolio.${token(id)}`;
}

export function jobSubject(kind: string): string {
  return `jobs.${token(kind)}`;
}

/**
 * A deterministic Nats-Msg-Id: the same exchange event always maps to the same id, so redundant
 * ingestors and publish retries are deduplicated by the server.
 */
export function messageId(msg: NormalizedMessage): string {
  const key = `${msg.exchange}:${msg.market}`;
  switch (msg.type) {
    case "trade":
      return `trade:${key}:${msg.id}`;
    case "liquidation":
      return `liquidation:${key}:${msg.id}:${msg.ts}`;
    case "bbo":
      return `bbo:${key}:${msg.seq ?? msg.ts}`;
    case "candle":
      return `candle:${key}:${msg.interval}:${msg.openTime}:${msg.ts}:${msg.closed ? 1 : 0}`;
    case "book":
      // A snapshot of an unchanged book is republished for late joiners: the second keeps it apart.
      return msg.kind === "snapshot"
        ? `book:${key}:snapshot:${msg.seq}:${Math.floor(msg.ts / 1000)}`
        : `book:${key}:delta:${msg.seq}`;
    case "status":
      return `status:${key}:${msg.event}:${msg.ts}`;
    case "deriv": {
      // Partial messages (Binance's REST open interest, OKX's channels) can share an exchange time:
      // the values carried keep them apart, while the same message from two ingestors still dedupes.
      const carried = (["markPrice", "indexPrice", "fundingRate", "nextFundingTime", "openInterest"] as const)
        .filter((f) => msg[f] !== null)
        .map((f) => f.slice(0, 2))
        .join("");
      return `deriv:${key}:${msg.ts}:${carried}`;
    }
    default:
      return `${msg.type}:${key}:${msg.ts}`;
  }
}

/** An `md.*` / `an.*` subject parsed back: per market, or per key (an asset, a portfolio id). */
export type ParsedSubject =
  | { root: "md" | "an"; type: string; exchange: string; market: string; interval?: string }
  | { root: "an"; type: string; key: string };

/**
 * The inverse of the builders above (types are not checked here): `md.<type>.<ex>.<mkt>[.<interval>]`,
 * `an.<kind>.<ex>.<mkt>`, `an.<kind>.<key>`; anything else is undefined.
 */
export function parseSubject(subject: string): ParsedSubject | undefined {
  const [root, type, a, b, interval] = subject.split(".");
  if ((root !== "md" && root !== "an") || !type || !a) return undefined;
  if (b === undefined) return root === "an" ? { root, type, key: a } : undefined;
  if (!b) return undefined;
  return { root, type, exchange: a, market: b, ...(interval ? { interval } : {}) };
}

/** Parses `md.<type>.<exchange>.<market>[.<interval>]` back into its parts. */
export function parseMarketSubject(
  subject: string,
): { type: MessageType; exchange: string; market: string; interval?: CandleInterval } | null {
  const p = parseSubject(subject);
  if (!p || p.root !== "md" || !("market" in p)) return null;
  return {
    type: p.type as MessageType,
    exchange: p.exchange,
    market: p.market,
    ...(p.interval ? { interval: p.interval as CandleInterval } : {}),
  };
}

export type { MarketMessage };
