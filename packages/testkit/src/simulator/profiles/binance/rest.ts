import { fixed8, roundTo } from "../../core/decimal.ts";
import { isInterval } from "../../core/intervals.ts";
import type { MarketGenerator } from "../../market/generator.ts";
import type { SimTrade } from "../../market/types.ts";
import type { GroundTruth } from "../../truth/ground-truth.ts";
import type { HttpReply, RestRoute } from "../types.ts";
import { bookSnapshotPayload, klineRow } from "./payloads.ts";
import {
  BinanceError,
  depthWeight,
  invalidSymbol,
  limitParam,
  mandatory,
  optionalInt,
  symbolsParam,
  tickerWeight,
} from "./rest-params.ts";
import type { SymbolMap } from "./symbols.ts";

export interface RestDeps {
  generator: MarketGenerator;
  truth: GroundTruth;
  symbols: SymbolMap;
  weightLimit: number;
}

type Handler = (q: URLSearchParams, d: RestDeps) => RestRoute;

/** Runs `fn` and turns a BinanceError into its reply. */
function route(weight: number, fn: () => unknown): RestRoute {
  return {
    weight,
    run(): HttpReply {
      try {
        const body = fn();
        return { status: 200, body };
      } catch (e) {
        if (e instanceof BinanceError) return e.reply();
        throw e;
      }
    },
  };
}

/** Weight must be known before the call runs; a bad parameter still costs the default weight. */
function safe<T>(fn: () => T, fallback: T): T {
  try {
    return fn();
  } catch {
    return fallback;
  }
}

function marketOf(q: URLSearchParams, d: RestDeps): string {
  const symbol = mandatory(q, "symbol");
  const m = d.symbols.market(symbol);
  if (!m) throw invalidSymbol();
  return m;
}

function marketsOf(q: URLSearchParams, d: RestDeps): string[] | undefined {
  const one = q.get("symbol");
  if (one !== null) return [marketOf(q, d)];
  const many = symbolsParam(q);
  if (!many) return undefined;
  return many.map((s) => {
    const m = d.symbols.market(s);
    if (!m) throw invalidSymbol();
    return m;
  });
}

function symbolInfo(market: string, d: RestDeps): Record<string, unknown> {
  const s = d.generator.spec(market);
  return {
    symbol: d.symbols.symbol(market),
    status: "TRADING",
    baseAsset: s.base,
    baseAssetPrecision: 8,
    quoteAsset: s.quote,
    quotePrecision: 8,
    quoteAssetPrecision: 8,
    baseCommissionPrecision: 8,
    quoteCommissionPrecision: 8,
    orderTypes: ["LIMIT", "LIMIT_MAKER", "MARKET", "STOP_LOSS_LIMIT", "TAKE_PROFIT_LIMIT"],
    icebergAllowed: true,
    ocoAllowed: true,
    otoAllowed: true,
    quoteOrderQtyMarketAllowed: true,
    allowTrailingStop: true,
    cancelReplaceAllowed: true,
    isSpotTradingAllowed: true,
    isMarginTradingAllowed: false,
    filters: [
      {
        filterType: "PRICE_FILTER",
        minPrice: fixed8(s.tickSize),
        maxPrice: fixed8(roundTo(s.startPrice * 100, s.priceDecimals)),
        tickSize: fixed8(s.tickSize),
      },
      {
        filterType: "LOT_SIZE",
        minQty: fixed8(s.stepSize),
        maxQty: fixed8(Math.max(s.stepSize, roundTo((9000 * 60000) / s.baseUsd, s.qtyDecimals))),
        stepSize: fixed8(s.stepSize),
      },
      {
        filterType: "NOTIONAL",
        minNotional: fixed8(s.minNotional),
        applyMinToMarket: true,
        maxNotional: "9000000.00000000",
        applyMaxToMarket: false,
        avgPriceMins: 5,
      },
    ],
    permissions: [],
    permissionSets: [["SPOT"]],
    defaultSelfTradePreventionMode: "EXPIRE_MAKER",
    allowedSelfTradePreventionModes: ["EXPIRE_TAKER", "EXPIRE_MAKER", "EXPIRE_BOTH"],
  };
}

function restTrade(t: SimTrade): Record<string, unknown> {
  return {
    id: t.id,
    price: fixed8(t.price),
    qty: fixed8(t.amount),
    quoteQty: fixed8(t.price * t.amount),
    time: t.ts,
    isBuyerMaker: t.side === "sell",
    isBestMatch: true,
  };
}

function restAggTrade(t: SimTrade): Record<string, unknown> {
  return {
    a: t.id,
    p: fixed8(t.price),
    q: fixed8(t.amount),
    f: t.id,
    l: t.id,
    T: t.ts,
    m: t.side === "sell",
    M: true,
  };
}

function ticker24h(market: string, d: RestDeps): Record<string, unknown> {
  const s = d.generator.ticker(market);
  const b = d.generator.bbo(market);
  return {
    symbol: d.symbols.symbol(market),
    priceChange: fixed8(s.last - s.open),
    priceChangePercent: s.open === 0 ? "0.000" : (((s.last - s.open) / s.open) * 100).toFixed(3),
    weightedAvgPrice: fixed8(s.volume > 0 ? s.quoteVolume / s.volume : 0),
    prevClosePrice: fixed8(s.prevPrice),
    lastPrice: fixed8(s.last),
    lastQty: fixed8(s.lastAmount),
    bidPrice: fixed8(b.bidPrice),
    bidQty: fixed8(b.bidAmount),
    askPrice: fixed8(b.askPrice),
    askQty: fixed8(b.askAmount),
    openPrice: fixed8(s.open),
    highPrice: fixed8(s.high),
    lowPrice: fixed8(s.low),
    volume: fixed8(s.volume),
    quoteVolume: fixed8(s.quoteVolume),
    openTime: s.openTime,
    closeTime: Date.now(),
    firstId: s.firstId,
    lastId: s.lastId,
    count: s.count,
  };
}

const ROUTES: Record<string, Handler> = {
  "/api/v3/ping": () => route(1, () => ({})),
  "/api/v3/time": () => route(1, () => ({ serverTime: Date.now() })),
  "/api/v3/exchangeInfo": (q, d) =>
    route(20, () => {
      const markets = marketsOf(q, d) ?? d.symbols.markets();
      return {
        timezone: "UTC",
        serverTime: Date.now(),
        rateLimits: [
          { rateLimitType: "REQUEST_WEIGHT", interval: "MINUTE", intervalNum: 1, limit: d.weightLimit },
          { rateLimitType: "ORDERS", interval: "SECOND", intervalNum: 10, limit: 100 },
          { rateLimitType: "ORDERS", interval: "DAY", intervalNum: 1, limit: 200000 },
          { rateLimitType: "RAW_REQUESTS", interval: "MINUTE", intervalNum: 5, limit: 61000 },
        ],
        exchangeFilters: [],
        symbols: markets.map((m) => symbolInfo(m, d)),
        simulated: true,
      };
    }),
  "/api/v3/depth": (q, d) => {
    const limit = safe(() => limitParam(q, 100, 5000), 100);
    return route(depthWeight(limit), () => {
      const m = marketOf(q, d);
      limitParam(q, 100, 5000);
      return bookSnapshotPayload(d.generator.book(m).snapshot(limit));
    });
  },
  "/api/v3/trades": (q, d) =>
    route(25, () => {
      const m = marketOf(q, d);
      return d.truth.recentTrades(m, limitParam(q, 500, 1000)).map(restTrade);
    }),
  "/api/v3/historicalTrades": (q, d) =>
    route(25, () => {
      const m = marketOf(q, d);
      const limit = limitParam(q, 500, 1000);
      const fromId = optionalInt(q, "fromId");
      const trades =
        fromId === undefined
          ? d.truth.recentTrades(m, limit)
          : d.truth.servedTrades(m, { fromId: Math.max(1, fromId), limit });
      return trades.map(restTrade);
    }),
  "/api/v3/aggTrades": (q, d) =>
    route(4, () => {
      const m = marketOf(q, d);
      const limit = limitParam(q, 500, 1000);
      const fromId = optionalInt(q, "fromId");
      const from = optionalInt(q, "startTime");
      const to = optionalInt(q, "endTime");
      if (fromId === undefined && from === undefined && to === undefined) {
        return d.truth.recentTrades(m, limit).map(restAggTrade);
      }
      return d.truth
        .servedTrades(m, {
          ...(fromId !== undefined ? { fromId: Math.max(1, fromId) } : {}),
          ...(from !== undefined ? { from } : {}),
          ...(to !== undefined ? { to } : {}),
          limit,
        })
        .map(restAggTrade);
    }),
  "/api/v3/klines": (q, d) =>
    route(2, () => {
      const m = marketOf(q, d);
      const interval = mandatory(q, "interval");
      if (!isInterval(interval)) throw new BinanceError(400, -1120, "Invalid interval.");
      const limit = limitParam(q, 500, 1000);
      const from = optionalInt(q, "startTime");
      const to = optionalInt(q, "endTime");
      return d.truth
        .candles(m, interval, {
          ...(from !== undefined ? { from } : {}),
          ...(to !== undefined ? { to } : {}),
          limit,
        })
        .map(klineRow);
    }),
  "/api/v3/ticker/24hr": (q, d) => {
    const count = q.get("symbol") !== null ? 1 : safe(() => symbolsParam(q)?.length, undefined);
    return route(tickerWeight(count, 2, 80), () => {
      const markets = marketsOf(q, d);
      if (q.get("symbol") !== null) return ticker24h(markets![0]!, d);
      return (markets ?? d.symbols.markets()).map((m) => ticker24h(m, d));
    });
  },
  "/api/v3/ticker/price": (q, d) =>
    route(q.get("symbol") !== null ? 2 : 4, () => {
      const markets = marketsOf(q, d);
      const one = (m: string) => ({ symbol: d.symbols.symbol(m), price: fixed8(d.generator.ticker(m).last) });
      if (q.get("symbol") !== null) return one(markets![0]!);
      return (markets ?? d.symbols.markets()).map(one);
    }),
  "/api/v3/ticker/bookTicker": (q, d) =>
    route(q.get("symbol") !== null ? 2 : 4, () => {
      const markets = marketsOf(q, d);
      const one = (m: string) => {
        const b = d.generator.bbo(m);
        return {
          symbol: d.symbols.symbol(m),
          bidPrice: fixed8(b.bidPrice),
          bidQty: fixed8(b.bidAmount),
          askPrice: fixed8(b.askPrice),
          askQty: fixed8(b.askAmount),
        };
      };
      if (q.get("symbol") !== null) return one(markets![0]!);
      return (markets ?? d.symbols.markets()).map(one);
    }),
};

/** The Binance spot REST endpoints the project uses, with their weights. */
export function matchRest(method: string, url: URL, deps: RestDeps): RestRoute | undefined {
  if (method !== "GET" && method !== "HEAD") return undefined;
  const handler = ROUTES[url.pathname];
  return handler ? handler(url.searchParams, deps) : undefined;
}

export const REST_PATHS = Object.keys(ROUTES);
