import { Type as T, type TArray, type TLiteral, type TObject, type TUnsafe } from "@sinclair/typebox";
import {
  CANDLE_INTERVALS,
  type Candle,
  type CandleInterval,
  CandleSchema,
  LiquidationSchema,
  TradeSchema,
} from "@tickerplant/core";
import { selectCandles, selectLiquidations, selectTrades } from "@tickerplant/db";
import { Elysia, t } from "elysia";
import { ErrorBodySchema } from "../errors.ts";
import { parseTimeRange } from "../time-param.ts";
import { q, type RouteDeps, requireExchange, requireMarket, symbolFor } from "./common.ts";

const WINDOW_DOC =
  "Results are in ascending time order. With `from`: the first `limit` items at or after `from` (and at or before `to`). " +
  "Without `from`: the latest `limit` items at or before `to` (or now), still in ascending order. Page forward by passing the last item's time as the next `from`.";

// Core's interval union is built from an array, which Elysia's types read as `never`; the
// schema is unchanged, only its static type is restated.
const CandlesResponse = T.Object({ data: T.Array(CandleSchema) }) as unknown as TObject<{
  data: TArray<TUnsafe<Candle>>;
}>;

const interval = t.Union(
  CANDLE_INTERVALS.map((i) => t.Literal(i)) as unknown as [
    TLiteral<CandleInterval>,
    ...TLiteral<CandleInterval>[],
  ],
  { description: "candle interval", error: `interval must be one of ${CANDLE_INTERVALS.join(", ")}` },
);

/** Trades, candles and liquidations from TimescaleDB. */
export function historyRoutes(deps: RouteDeps) {
  return new Elysia()
    .get(
      "/trades",
      async ({ query }) => {
        const adapter = requireExchange(deps, query.exchange);
        const range = parseTimeRange(query.from, query.to);
        await requireMarket(deps, query.exchange, query.market);
        const forward = range.from !== undefined;
        const trades = await selectTrades(deps.sql, {
          exchange: query.exchange,
          market: query.market,
          ...range,
          limit: query.limit,
          order: forward ? "asc" : "desc",
        });
        if (!forward) trades.reverse();
        for (const tr of trades) if (tr.symbol === "") tr.symbol = symbolFor(adapter, tr.market);
        return { data: trades };
      },
      {
        query: t.Object({
          exchange: q.exchange,
          market: q.market,
          from: t.Optional(q.from),
          to: t.Optional(q.to),
          limit: t.Optional(q.limit),
        }),
        detail: { tags: ["market data"], summary: "Trade history", description: WINDOW_DOC },
        response: {
          200: T.Object({ data: T.Array(TradeSchema) }),
          400: ErrorBodySchema,
          404: ErrorBodySchema,
          503: ErrorBodySchema,
        },
      },
    )
    .get(
      "/liquidations",
      async ({ query }) => {
        const adapter = requireExchange(deps, query.exchange);
        const range = parseTimeRange(query.from, query.to);
        await requireMarket(deps, query.exchange, query.market);
        const forward = range.from !== undefined;
        const liquidations = await selectLiquidations(deps.sql, {
          exchange: query.exchange,
          market: query.market,
          ...range,
          limit: query.limit,
          order: forward ? "asc" : "desc",
        });
        if (!forward) liquidations.reverse();
        for (const l of liquidations) if (l.symbol === "") l.symbol = symbolFor(adapter, l.market);
        return { data: liquidations };
      },
      {
        query: t.Object({
          exchange: q.exchange,
          market: q.market,
          from: t.Optional(q.from),
          to: t.Optional(q.to),
          limit: t.Optional(q.limit),
        }),
        detail: {
          tags: ["market data"],
          summary: "Liquidation history",
          description: `${WINDOW_DOC} \`side\` is the liquidation order's side (sell: a long was liquidated).`,
        },
        response: {
          200: T.Object({ data: T.Array(LiquidationSchema) }),
          400: ErrorBodySchema,
          404: ErrorBodySchema,
          503: ErrorBodySchema,
        },
      },
    )
    .get(
      "/candles",
      async ({ query }) => {
        const adapter = requireExchange(deps, query.exchange);
        const range = parseTimeRange(query.from, query.to);
        await requireMarket(deps, query.exchange, query.market);
        const candles = await selectCandles(deps.sql, {
          exchange: query.exchange,
          market: query.market,
          interval: query.interval,
          ...range,
          limit: query.limit,
        });
        for (const c of candles) if (c.symbol === "") c.symbol = symbolFor(adapter, c.market);
        return { data: candles };
      },
      {
        query: t.Object({
          exchange: q.exchange,
          market: q.market,
          interval,
          from: t.Optional(q.from),
          to: t.Optional(q.to),
          limit: t.Optional(q.limit),
        }),
        detail: {
          tags: ["market data"],
          summary: "Candles (OHLCV) of one interval",
          description: `${WINDOW_DOC} Windows select by open time; the current candle is included with closed: false.`,
        },
        response: {
          200: CandlesResponse,
          400: ErrorBodySchema,
          404: ErrorBodySchema,
          503: ErrorBodySchema,
        },
      },
    );
}
