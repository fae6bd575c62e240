import { Type as T, type TArray, type TLiteral, type TObject, type TUnsafe } from "@sinclair/typebox";
import {
  CANDLE_INTERVALS,
  type Candle,
  type CandleInterval,
  CandleSchema,
  LiquidationSchema,
  TradeSchema,
} from "@tickerplant/core";
import { CANDLE_TEXT_LISTED, selectCandleRowText, selectLiquidations, selectTrades } from "@tickerplant/db";
import { Elysia, t } from "elysia";
import { candlesBody } from "../candles-json.ts";
import { ErrorBodySchema, unknownMarket } from "../errors.ts";
import { InFlight } from "../in-flight.ts";
import { parseTimeRange } from "../time-param.ts";
import { jsonResponse, q, type RouteDeps, requireExchange, requireMarket, symbolFor } from "./common.ts";

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

const windowFields = {
  exchange: q.exchange,
  market: q.market,
  from: t.Optional(q.from),
  to: t.Optional(q.to),
  limit: t.Optional(q.limit),
};
const errors = { 400: ErrorBodySchema, 404: ErrorBodySchema, 503: ErrorBodySchema };

type TimeRange = ReturnType<typeof parseTimeRange>;

/** Checks the exchange, the window and the market, reads the rows, and fills a missing symbol. */
async function readWindow<R extends { market: string; symbol: string }>(
  deps: RouteDeps,
  query: { exchange: string; market: string; from?: string; to?: string },
  read: (range: TimeRange) => Promise<R[]>,
): Promise<{ data: R[] }> {
  const exchange = requireExchange(deps, query.exchange);
  const range = parseTimeRange(query.from, query.to);
  await requireMarket(deps, query.exchange, query.market);
  const rows = await read(range);
  for (const r of rows) if (r.symbol === "") r.symbol = symbolFor(exchange, r.market);
  return { data: rows };
}

/** With `from`, the first rows after it; without, the latest ones — ascending either way. */
async function ascendingWindow<R>(
  range: TimeRange,
  select: (order: "asc" | "desc") => Promise<R[]>,
): Promise<R[]> {
  const forward = range.from !== undefined;
  const rows = await select(forward ? "asc" : "desc");
  return forward ? rows : rows.reverse();
}

/** Trades, candles and liquidations from TimescaleDB. */
export function historyRoutes(deps: RouteDeps) {
  const candleReads = new InFlight<Uint8Array>();
  return new Elysia()
    .get(
      "/trades",
      ({ query }) =>
        readWindow(deps, query, (range) =>
          ascendingWindow(range, (order) =>
            selectTrades(deps.sql, {
              exchange: query.exchange,
              market: query.market,
              ...range,
              limit: query.limit,
              order,
            }),
          ),
        ),
      {
        query: t.Object(windowFields),
        detail: { tags: ["market data"], summary: "Trade history", description: WINDOW_DOC },
        response: { 200: T.Object({ data: T.Array(TradeSchema) }), ...errors },
      },
    )
    .get(
      "/liquidations",
      ({ query }) =>
        readWindow(deps, query, (range) =>
          ascendingWindow(range, (order) =>
            selectLiquidations(deps.sql, {
              exchange: query.exchange,
              market: query.market,
              ...range,
              limit: query.limit,
              order,
            }),
          ),
        ),
      {
        query: t.Object(windowFields),
        detail: {
          tags: ["market data"],
          summary: "Liquidation history",
          description: `${WINDOW_DOC} \`side\` is the liquidation order's side (sell: a long was liquidated).`,
        },
        response: { 200: T.Object({ data: T.Array(LiquidationSchema) }), ...errors },
      },
    )
    .get(
      "/candles",
      async ({ query, set }) => {
        const exchange = requireExchange(deps, query.exchange);
        const range = parseTimeRange(query.from, query.to);
        const { market, interval, limit } = query;
        // Same query, same answer: requests that arrive while it is read share the read and the body.
        const key = `${query.exchange}\u0000${market}\u0000${interval}\u0000${range.from}\u0000${range.to}\u0000${limit}`;
        const body = await candleReads.share(key, async () => {
          const rows = await selectCandleRowText(deps.sql, {
            exchange: query.exchange,
            market,
            interval,
            ...range,
            limit,
          });
          // The rows say whether the market is listed; only an empty answer needs the query of its own.
          if (rows.length === 0) await requireMarket(deps, query.exchange, market);
          else if (rows[0]![CANDLE_TEXT_LISTED]?.[0] !== 0x74) throw unknownMarket(query.exchange, market); // t
          // Written here, checked by the rows' types: the response schema stays the documented contract.
          return candlesBody(rows, query, () => symbolFor(exchange, market));
        });
        return jsonResponse(body, set);
      },
      {
        query: t.Object({ ...windowFields, interval }),
        detail: {
          tags: ["market data"],
          summary: "Candles (OHLCV) of one interval",
          description: `${WINDOW_DOC} Windows select by open time; the current candle is included with closed: false.`,
        },
        response: { 200: CandlesResponse, ...errors },
      },
    );
}
