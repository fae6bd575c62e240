import type { BookSyncRules } from "./book/sync.ts";
import type { ContractSpec } from "./contracts.ts";
import type { MarketInfo } from "./schemas/market-info.ts";
import type { Book, Candle, CandleInterval, MarketMessage, Trade } from "./schemas/messages.ts";

/**
 * The exchange adapter contract. An adapter is data plus pure functions: no sockets, no timers,
 * no environment. The runtime's WebSocket client and REST executor drive it.
 */

export type FeedChannel = "trade" | "bbo" | "ticker" | "candle" | "book" | "deriv" | "liquidation";

export interface Subscription {
  channel: FeedChannel;
  market: string;
  interval?: CandleInterval;
}

/** How a connection is kept alive. */
export type KeepaliveRule =
  /** The server sends WebSocket ping frames and the client answers pong (the socket does it). */
  | { kind: "server-ping"; serverIntervalMs: number }
  /** The client sends an application message every intervalMs. */
  | { kind: "client-ping"; intervalMs: number; message: string }
  /** A heartbeat channel keeps the stream busy; nothing to send. */
  | { kind: "heartbeat-channel" };

export interface ConnectionPlan {
  url: string;
  subscriptions: Subscription[];
}

export interface WsLimits {
  streamsPerConnection: number;
  argsPerSubscribe: number;
  /** Control messages (subscribe, unsubscribe, pings) per second, per connection. */
  messagesPerSecond: number;
  /** Connection attempts allowed per window, per IP. */
  connectionAttempts: { count: number; windowMs: number };
}

export interface WsSpec {
  defaultUrl: string;
  limits: WsLimits;
  keepalive: KeepaliveRule;
  /** Reconnect on our own before the exchange cuts the connection (Binance: 24 h). */
  maxConnectionAgeMs: number;
  /** No frame at all (data or keepalive) for this long means the stream is stale. */
  staleAfterMs: number;
  /**
   * Market data expected at least this often on a connection carrying the channel: longer without
   * a data frame, while keepalives may still arrive, means the stream stalled (the runtime's defaults
   * fill channels not named; trades are never expected, a quiet market has none for minutes).
   */
  dataStallMs?: Partial<Record<FeedChannel, number>>;
  /** Splits subscriptions into connections that respect the limits. */
  plan(subscriptions: Subscription[], baseUrl: string): ConnectionPlan[];
  subscribeFrames(subscriptions: Subscription[], nextId: () => number): string[];
  unsubscribeFrames(subscriptions: Subscription[], nextId: () => number): string[];
  /**
   * Frames that make the exchange send `subscriptions` afresh (a new book snapshot for one market),
   * given everything subscribed on the connection. Default: unsubscribe then subscribe them; an
   * exchange whose subscribe replaces the whole set (WhiteBIT) overrides it.
   */
  resubscribeFrames?(subscriptions: Subscription[], all: Subscription[], nextId: () => number): string[];
}

export interface ParseContext {
  recvTs: number;
  /** Normalized market name for an exchange symbol, or undefined when not subscribed/known. */
  marketOf(symbol: string): string | undefined;
  /**
   * Per-connection parser state, owned by the caller and emptied on every (re)connect: what an
   * exchange's protocol makes a parser remember (Bybit ticker snapshots to merge deltas into,
   * Coinbase's per-connection sequence number). Parsers stay functions of (frame, state).
   */
  state: Map<string, unknown>;
  /**
   * A contract-sized market's contract (from its instrument info): the adapter publishes its sizes
   * in base units. Without it (tools reading recordings) sizes stay in contracts.
   */
  contractOf?(market: string): ContractSpec | undefined;
}

/**
 * Frames missing from an exchange's per-connection numbering (Coinbase `sequence_num`, counted across
 * all channels of the connection): `fromSeq`..`toSeq` (inclusive) never arrived, so any stream on the
 * connection may have lost data (books must resync, trades be healed). Which market lost what is
 * unknowable.
 */
export interface SequenceGap {
  fromSeq: number;
  toSeq: number;
}

export type FrameResult = (
  | { kind: "data"; messages: MarketMessage[] }
  | { kind: "ack"; id: string | number | null }
  | { kind: "error"; id: string | number | null; message: string }
  /** The exchange asked for an application-level answer (e.g. a JSON pong). */
  | { kind: "reply"; frame: string }
  | { kind: "control"; event: "pong" | "heartbeat" | "server-shutdown" }
  /** Understood but carries nothing we normalize. */
  | { kind: "ignored"; reason: string }
  /** Malformed or unknown: counted per reason and logged with a sample. */
  | { kind: "invalid"; reason: string; detail: string }
) & {
  /** Set on the first frame after a hole in the connection's sequence; the result itself still counts. */
  gap?: SequenceGap;
};

export interface RestRequest {
  method: "GET";
  path: string;
  query: Record<string, string | number>;
  /** The exchange's cost of this call in its rate-limit unit. */
  weight: number;
}

export interface RestLimits {
  /** Budget per window in the exchange's unit (Binance: request weight per minute). */
  budget: number;
  windowMs: number;
  /** Response header that reports the budget used in the current window, if any. */
  usedHeader?: string;
  /**
   * HTTP statuses that also mean "over the limit", besides 429 and 418 (Bybit: 403 "access too
   * frequent"), and the back-off when such an answer has no Retry-After (Bybit bans for ≥ 10 min).
   */
  rateLimitStatuses?: readonly number[];
  rateLimitBackoffMs?: number;
  /**
   * Which budget the calls draw from: the exchange id by default (one budget per IP for all of the
   * exchange's market types); an adapter the exchange meters apart names its own (Binance USD-M).
   */
  scope?: string;
}

/** The shared budget an adapter's REST calls count against. */
export function budgetScope(adapter: { id: string; rest: { limits: RestLimits } }): string {
  return adapter.rest.limits.scope ?? adapter.id;
}

export interface KlinesQuery {
  market: string;
  interval: CandleInterval;
  startTime?: number;
  endTime?: number;
  limit?: number;
}

export interface RestContext {
  recvTs: number;
  market: string;
  /** The market's contract where sizes are in contracts (see ParseContext.contractOf). */
  contract?: ContractSpec;
}

export interface RestSpec {
  defaultUrl: string;
  limits: RestLimits;
  /** Most candles one klines call returns. */
  klinesPageLimit: number;
  marketsRequest(): RestRequest;
  parseMarkets(body: unknown): MarketInfo[];
  klinesRequest(q: KlinesQuery): RestRequest;
  parseKlines(body: unknown, ctx: RestContext & { interval: CandleInterval }): Candle[];
  tradesRequest(q: {
    market: string;
    fromId?: string;
    startTime?: number;
    endTime?: number;
    limit?: number;
  }): RestRequest;
  parseTrades(body: unknown, ctx: RestContext): Trade[];
  /**
   * How past trades can be fetched: `id` pages forward from a trade id (sequential numeric ids),
   * `recent` only the most recent page (the default: the exchange keeps nothing older over REST).
   */
  tradesPaging?: "id" | "recent";
  /**
   * Where trades page by id: the first trade id at or after a time in one call (Binance: the
   * aggregate trade at `startTime`, whose `f` is its first trade id), so a backfill need not
   * search ids. `parse` gives undefined when no trade follows within the request's range.
   */
  firstTradeId?: {
    request(market: string, time: number): RestRequest;
    parse(body: unknown): string | undefined;
  };
  depthRequest(market: string, limit: number): RestRequest;
  parseDepth(body: unknown, ctx: RestContext): Book;
  /** Data the exchange streams nowhere, fetched by the scheduler on a period (see RestPoll). */
  polls?: readonly RestPoll[];
}

/** Names of REST polls: each is one scheduler job kind with its own period. */
export const REST_POLL_NAMES = ["deriv", "candles"] as const;
export type RestPollName = (typeof REST_POLL_NAMES)[number];

export interface RestPollQuery {
  market: string;
  /** The window the poll covers (candles: a few periods back, so a missed poll is filled). */
  from: number;
  to: number;
}

/**
 * A periodic REST poll for what an exchange streams nowhere (Binance USD-M open interest, BingX
 * funding and open interest, Coinbase 1m candles). The scheduler runs its requests for each
 * market through the exchange's weight budget and publishes what `parse` returns on the normal
 * subjects.
 */
export interface RestPoll {
  name: RestPollName;
  /** One market's requests; their bodies reach `parse` in the same order. */
  requests(q: RestPollQuery): RestRequest[];
  parse(bodies: unknown[], ctx: RestContext): MarketMessage[];
}

export interface ExchangeAdapter {
  id: string;
  name: string;
  marketType: "spot" | "perp";
  channels: readonly FeedChannel[];
  intervals: readonly CandleInterval[];
  /** Normalized market → the exchange's symbol. */
  symbolOf(market: string): string;
  /**
   * The exchange's symbol → normalized market without a market list, when the symbol alone says
   * it (for tools like `tickerplant normalize`); undefined when it cannot be known.
   */
  marketOfSymbol(symbol: string): string | undefined;
  ws: WsSpec;
  parseFrame(frame: string | Uint8Array, ctx: ParseContext): FrameResult;
  rest: RestSpec;
  /**
   * The exchange numbers each market's trades one by one (id n+1 follows n), so a skipped id is a
   * missed trade. Unset where ids are random, global or aggregated.
   */
  tradeIdsSequential?: boolean;
  /**
   * Trade, book and liquidation sizes are in contracts: callers pass each market's ContractSpec
   * (ParseContext.contractOf, RestContext.contract) from the instrument info the markets refresh
   * stores, and get base units.
   */
  contractSized?: boolean;
  /** How the exchange's order books stay in sync (continuity rule, snapshot source, checksum). */
  bookSync?: BookSyncRules;
}
