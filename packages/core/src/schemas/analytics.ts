import { type Static, Type as T } from "@sinclair/typebox";
import { EpochMs, ExchangeIdSchema, MarketNameSchema } from "./messages.ts";

/** The rolling windows the analyzer keeps per market. */
export const STATS_WINDOWS = ["1m", "5m", "1h", "24h"] as const;
export type StatsWindow = (typeof STATS_WINDOWS)[number];
export const StatsWindowSchema = T.Union([
  T.Literal("1m"),
  T.Literal("5m"),
  T.Literal("1h"),
  T.Literal("24h"),
]);
export const STATS_WINDOW_MS: Record<StatsWindow, number> = {
  "1m": 60_000,
  "5m": 300_000,
  "1h": 3_600_000,
  "24h": 86_400_000,
};

/** One window's figures. `volatility` = standard deviation of the log returns between trades. */
export const WindowFiguresSchema = T.Object({
  last: T.Number(),
  open: T.Number(),
  change: T.Number(),
  changePct: T.Number(),
  high: T.Number(),
  low: T.Number(),
  volume: T.Number(),
  quoteVolume: T.Number(),
  vwap: T.Number(),
  trades: T.Number(),
  volatility: T.Number({ description: "standard deviation of trade-to-trade log returns in the window" }),
});
export type WindowFigures = Static<typeof WindowFiguresSchema>;

/**
 * Rolling statistics of one market, computed by the analyzer from the trade stream. The top level
 * is the 24 h window (as before); `windows` holds 1m, 5m, 1h and 24h (a window without trades is
 * left out).
 */
export const StatsSchema = T.Object(
  {
    type: T.Literal("stats"),
    exchange: ExchangeIdSchema,
    market: MarketNameSchema,
    window: T.Literal("24h"),
    ts: EpochMs,
    last: T.Number(),
    open: T.Number(),
    change: T.Number(),
    changePct: T.Number(),
    high: T.Number(),
    low: T.Number(),
    volume: T.Number(),
    quoteVolume: T.Number(),
    vwap: T.Number(),
    trades: T.Number(),
    volatility: T.Optional(T.Number()),
    windows: T.Optional(
      T.Object({
        "1m": T.Optional(WindowFiguresSchema),
        "5m": T.Optional(WindowFiguresSchema),
        "1h": T.Optional(WindowFiguresSchema),
        "24h": T.Optional(WindowFiguresSchema),
      }),
    ),
    simulated: T.Optional(T.Boolean()),
  },
  { $id: "Stats" },
);
export type Stats = Static<typeof StatsSchema>;

export const AssetSchema = T.String({
  pattern: "^[A-Z0-9]{1,20}$",
  description: "asset (base currency), e.g. BTC",
});

export const CompositeSourceSchema = T.Object({
  exchange: ExchangeIdSchema,
  market: MarketNameSchema,
  price: T.Number({ description: "the venue's last trade price" }),
  volume24h: T.Number({ description: "the venue's 24 h base volume (the weight)" }),
  weight: T.Number({ description: "share of the composite, 0..1" }),
  lastTs: EpochMs,
  ageMs: T.Number({ description: "now − the venue's last update (ingestor receive time)" }),
});

export const ExcludedSourceSchema = T.Object({
  exchange: ExchangeIdSchema,
  market: MarketNameSchema,
  reason: T.Union([T.Literal("stale"), T.Literal("disconnected"), T.Literal("gap"), T.Literal("no_price")]),
  detail: T.String(),
});

/** A composite price per asset across every live venue quoting it in USD, USDT or USDC. */
export const CompositeSchema = T.Object(
  {
    type: T.Literal("composite"),
    asset: AssetSchema,
    quote: T.Literal("USD"),
    method: T.Union([T.Literal("volume_weighted"), T.Literal("median")]),
    ts: EpochMs,
    price: T.Union([T.Number(), T.Null()], { description: "null when no venue is live" }),
    open24h: T.Union([T.Number(), T.Null()], {
      description: "the same weighting over the venues' 24 h opens",
    }),
    changePct24h: T.Union([T.Number(), T.Null()]),
    sources: T.Array(CompositeSourceSchema),
    excluded: T.Array(ExcludedSourceSchema),
    simulated: T.Optional(T.Boolean()),
  },
  { $id: "Composite" },
);
export type Composite = Static<typeof CompositeSchema>;
export type CompositeSource = Static<typeof CompositeSourceSchema>;
export type ExcludedSource = Static<typeof ExcludedSourceSchema>;

const VenueQuote = T.Object({
  exchange: ExchangeIdSchema,
  market: MarketNameSchema,
  price: T.Number(),
  amount: T.Number(),
});

/** Best bid/ask across venues for one asset. */
export const SpreadSchema = T.Object(
  {
    type: T.Literal("spread"),
    asset: AssetSchema,
    ts: EpochMs,
    bestBid: T.Union([VenueQuote, T.Null()]),
    bestAsk: T.Union([VenueQuote, T.Null()]),
    spread: T.Union([T.Number(), T.Null()], { description: "bestAsk − bestBid" }),
    spreadPct: T.Union([T.Number(), T.Null()], { description: "spread / mid × 100" }),
    arbitrage: T.Number({ description: "max(0, bestBid − bestAsk): buy on one venue, sell on another" }),
    arbitragePct: T.Number(),
    venues: T.Array(
      T.Object({
        exchange: ExchangeIdSchema,
        market: MarketNameSchema,
        bid: T.Number(),
        ask: T.Number(),
        ageMs: T.Number(),
      }),
    ),
    excluded: T.Array(ExcludedSourceSchema),
    simulated: T.Optional(T.Boolean()),
  },
  { $id: "Spread" },
);
export type Spread = Static<typeof SpreadSchema>;
