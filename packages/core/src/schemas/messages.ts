import { type Static, Type as T } from "@sinclair/typebox";
import { MAX_MARKET_NAME_LENGTH } from "../markets.ts";

/**
 * Normalized market-data messages. Timestamps are epoch milliseconds (float64; the fraction carries
 * microseconds where the exchange has them). Prices and amounts are JSON numbers.
 */

export const ExchangeIdSchema = T.String({
  pattern: "^[a-z0-9]+$",
  maxLength: 32,
  description: "exchange id",
});
export const MarketNameSchema = T.String({
  pattern: "^[A-Z0-9]+-[A-Z0-9]+(-PERP|-[0-9]{6})?$",
  maxLength: MAX_MARKET_NAME_LENGTH,
  description: "BASE-QUOTE, BASE-QUOTE-PERP or BASE-QUOTE-YYMMDD",
});
export const EpochMs = T.Number({ description: "epoch milliseconds (fraction = microseconds)" });

const base = {
  exchange: ExchangeIdSchema,
  market: MarketNameSchema,
  symbol: T.String({ description: "the exchange's own symbol" }),
  ts: EpochMs,
  recvTs: EpochMs,
  simulated: T.Optional(T.Boolean({ description: "true when the source is the exchange simulator" })),
  backfilled: T.Optional(
    T.Boolean({ description: "true when fetched over REST by a backfill or gap heal, not received live" }),
  ),
};

export const SideSchema = T.Union([T.Literal("buy"), T.Literal("sell"), T.Literal("unknown")]);

/** Contract-sized venues (OKX swaps): the amounts are base units converted from contracts. */
const rawContracts = T.Optional(
  T.Number({
    description: "the size as the exchange sent it, in contracts (contract-sized venues); amount is in base",
  }),
);
const contractValue = T.Optional(
  T.Number({
    description:
      "amounts were converted from contracts of this value (base units per contract; quote units on inverse contracts, whose base amount = contracts × value / price)",
  }),
);

export const TradeSchema = T.Object(
  {
    type: T.Literal("trade"),
    ...base,
    id: T.String(),
    price: T.Number(),
    amount: T.Number(),
    side: SideSchema,
    contracts: rawContracts,
  },
  { $id: "Trade" },
);

export const BboSchema = T.Object(
  {
    type: T.Literal("bbo"),
    ...base,
    bidPrice: T.Number(),
    bidAmount: T.Number(),
    askPrice: T.Number(),
    askAmount: T.Number(),
    seq: T.Optional(T.Number({ description: "exchange book update id, when it has one" })),
    contractValue,
  },
  { $id: "Bbo" },
);

const NullableNumber = T.Union([T.Number(), T.Null()]);

export const TickerSchema = T.Object(
  {
    type: T.Literal("ticker"),
    ...base,
    last: T.Number(),
    open: T.Number(),
    high: T.Number(),
    low: T.Number(),
    volume: T.Number({ description: "24h base volume" }),
    quoteVolume: T.Union([T.Number(), T.Null()], {
      description: "24h quote volume; null when the exchange does not send it",
    }),
    change: T.Number(),
    changePct: T.Number(),
    bid: NullableNumber,
    ask: NullableNumber,
  },
  { $id: "Ticker" },
);

export const CANDLE_INTERVALS = [
  "1s",
  "1m",
  "3m",
  "5m",
  "15m",
  "30m",
  "1h",
  "2h",
  "4h",
  "6h",
  "8h",
  "12h",
  "1d",
  "3d",
  "1w",
  "1M",
] as const;
export type CandleInterval = (typeof CANDLE_INTERVALS)[number];
// Spelled out (not mapped from CANDLE_INTERVALS) so the static type stays a union of literals.
export const CandleIntervalSchema = T.Union([
  T.Literal("1s"),
  T.Literal("1m"),
  T.Literal("3m"),
  T.Literal("5m"),
  T.Literal("15m"),
  T.Literal("30m"),
  T.Literal("1h"),
  T.Literal("2h"),
  T.Literal("4h"),
  T.Literal("6h"),
  T.Literal("8h"),
  T.Literal("12h"),
  T.Literal("1d"),
  T.Literal("3d"),
  T.Literal("1w"),
  T.Literal("1M"),
]);

export const CandleSchema = T.Object(
  {
    type: T.Literal("candle"),
    ...base,
    interval: CandleIntervalSchema,
    openTime: EpochMs,
    closeTime: EpochMs,
    open: T.Number(),
    high: T.Number(),
    low: T.Number(),
    close: T.Number(),
    volume: T.Number(),
    quoteVolume: T.Union([T.Number(), T.Null()], { description: "null when the exchange does not send it" }),
    trades: T.Union([T.Number(), T.Null()], {
      description: "trade count; null when the exchange does not send it",
    }),
    closed: T.Boolean(),
  },
  { $id: "Candle" },
);

export const LevelSchema = T.Tuple([T.Number(), T.Number()], {
  description: "[price, amount]; amount 0 deletes",
});

export const ExactLevelSchema = T.Tuple([T.String(), T.String()]);

export const BookSchema = T.Object(
  {
    type: T.Literal("book"),
    ...base,
    kind: T.Union([T.Literal("snapshot"), T.Literal("delta")]),
    seq: T.Number(),
    prevSeq: T.Union([T.Number(), T.Null()]),
    bids: T.Array(LevelSchema),
    asks: T.Array(LevelSchema),
    checksum: T.Optional(T.Number({ description: "the exchange's checksum of the book after this message" })),
    exact: T.Optional(
      T.Object(
        { bids: T.Array(ExactLevelSchema), asks: T.Array(ExactLevelSchema) },
        { description: "the exchange's own price/amount strings, where a checksum is computed from them" },
      ),
    ),
    contractValue,
  },
  { $id: "Book" },
);

export const DerivSchema = T.Object(
  {
    type: T.Literal("deriv"),
    ...base,
    markPrice: NullableNumber,
    indexPrice: NullableNumber,
    fundingRate: NullableNumber,
    nextFundingTime: NullableNumber,
    openInterest: NullableNumber,
  },
  { $id: "Deriv" },
);

export const LiquidationSchema = T.Object(
  {
    type: T.Literal("liquidation"),
    ...base,
    id: T.String(),
    price: T.Number(),
    amount: T.Number(),
    side: SideSchema,
    contracts: rawContracts,
  },
  { $id: "Liquidation" },
);

export const STATUS_EVENTS = [
  "connected",
  "disconnected",
  "gap",
  "resync",
  "stale",
  "healed",
  "unhealable",
  "invalid_frames",
] as const;
export const StatusSchema = T.Object(
  {
    type: T.Literal("status"),
    exchange: ExchangeIdSchema,
    market: T.Union([MarketNameSchema, T.Literal("*")], {
      description: "affected market, * for a connection",
    }),
    symbol: T.String(),
    ts: EpochMs,
    recvTs: EpochMs,
    simulated: T.Optional(T.Boolean()),
    event: T.Union(STATUS_EVENTS.map((e) => T.Literal(e))),
    detail: T.String(),
    channels: T.Optional(T.Array(T.String(), { description: "affected normalized channel types" })),
    from: T.Optional(EpochMs),
    to: T.Optional(EpochMs),
    fromSeq: T.Optional(T.Number()),
    toSeq: T.Optional(T.Number()),
    counts: T.Optional(
      T.Record(T.String(), T.Integer(), {
        description: "healed: rows fetched and stored per channel; invalid_frames: frames skipped per reason",
      }),
    ),
  },
  { $id: "Status" },
);

export type Trade = Static<typeof TradeSchema>;
export type Bbo = Static<typeof BboSchema>;
export type Ticker = Static<typeof TickerSchema>;
export type Candle = Static<typeof CandleSchema>;
export type Book = Static<typeof BookSchema>;
export type Deriv = Static<typeof DerivSchema>;
export type Liquidation = Static<typeof LiquidationSchema>;
export type Status = Static<typeof StatusSchema>;
export type Side = Static<typeof SideSchema>;
export type Level = Static<typeof LevelSchema>;

export type MarketMessage = Trade | Bbo | Ticker | Candle | Book | Deriv | Liquidation;
export type NormalizedMessage = MarketMessage | Status;
export type MessageType = NormalizedMessage["type"];

export const MESSAGE_SCHEMAS = {
  trade: TradeSchema,
  bbo: BboSchema,
  ticker: TickerSchema,
  candle: CandleSchema,
  book: BookSchema,
  deriv: DerivSchema,
  liquidation: LiquidationSchema,
  status: StatusSchema,
} as const;

export const MESSAGE_TYPES = Object.keys(MESSAGE_SCHEMAS) as MessageType[];
