import { roundTo } from "../../../core/decimal.ts";
import { isInterval } from "../../../core/intervals.ts";
import type { MarketGenerator } from "../../../market/generator.ts";
import type { SimTrade } from "../../../market/types.ts";
import type { GroundTruth } from "../../../truth/ground-truth.ts";
import type { HttpReply, RestBudget, RestRoute } from "../../types.ts";
import { BinanceError, invalidSymbol, limitParam, mandatory, optionalInt } from "../rest-params.ts";
import { depthSnapshotBody, klineRow, type WireFormat } from "./payloads.ts";
import type { UsdmSymbolMap } from "./symbols.ts";

/**
 * Binance USD-M REST (fapi.binance.com/fapi/v1/*) for the perpetual markets, on its own weight
 * budget (2400 per minute). Weights as documented; historicalTrades would need an API key on the
 * real exchange (not checked here).
 */

export interface UsdmRestDeps {
  generator: MarketGenerator;
  truth: GroundTruth;
  symbols: UsdmSymbolMap;
  format(market: string): WireFormat;
  budget: RestBudget;
}

type Handler = (q: URLSearchParams, d: UsdmRestDeps) => RestRoute;

const HOUR_MS = 3_600_000;
/** Depth limits fapi accepts; others are taken as the next one up. */
const DEPTH_LIMITS = [5, 10, 20, 50, 100, 500, 1000];

function route(d: UsdmRestDeps, weight: number, fn: () => unknown): RestRoute {
  return {
    weight,
    budget: d.budget,
    run(): HttpReply {
      try {
        return { status: 200, body: fn() };
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

function marketOf(q: URLSearchParams, d: UsdmRestDeps): string {
  const m = d.symbols.market(mandatory(q, "symbol"));
  if (!m) throw invalidSymbol();
  return m;
}

/** The one market asked for, or all when `symbol` is absent. */
function marketsOf(q: URLSearchParams, d: UsdmRestDeps): string[] {
  return q.get("symbol") === null ? d.symbols.markets() : [marketOf(q, d)];
}

export function depthLimit(limit: number): number {
  return DEPTH_LIMITS.find((l) => limit <= l) ?? 1000;
}

export function depthWeight(limit: number): number {
  if (limit <= 50) return 2;
  if (limit <= 100) return 5;
  if (limit <= 500) return 10;
  return 20;
}

export function klinesWeight(limit: number): number {
  if (limit < 100) return 1;
  if (limit < 500) return 2;
  if (limit <= 1000) return 5;
  return 10;
}

function symbolInfo(market: string, d: UsdmRestDeps): Record<string, unknown> {
  const s = d.generator.spec(market);
  const f = d.format(market);
  const maxQty = Math.max(s.stepSize, roundTo((9000 * 60000) / s.baseUsd, s.qtyDecimals));
  return {
    symbol: d.symbols.symbol(market),
    pair: d.symbols.symbol(market),
    contractType: "PERPETUAL",
    deliveryDate: 4133404800000,
    onboardDate: d.generator.startTime,
    status: "TRADING",
    maintMarginPercent: "2.5000",
    requiredMarginPercent: "5.0000",
    baseAsset: s.base,
    quoteAsset: s.quote,
    marginAsset: s.quote,
    pricePrecision: s.priceDecimals,
    quantityPrecision: s.qtyDecimals,
    baseAssetPrecision: 8,
    quotePrecision: 8,
    underlyingType: "COIN",
    underlyingSubType: [],
    settlePlan: 0,
    triggerProtect: "0.0500",
    liquidationFee: "0.012500",
    marketTakeBound: "0.05",
    maxMoveOrderLimit: 10000,
    filters: [
      {
        filterType: "PRICE_FILTER",
        minPrice: f.price(s.tickSize),
        maxPrice: f.price(roundTo(s.startPrice * 100, s.priceDecimals)),
        tickSize: f.price(s.tickSize),
      },
      {
        filterType: "LOT_SIZE",
        minQty: f.qty(s.stepSize),
        maxQty: f.qty(maxQty),
        stepSize: f.qty(s.stepSize),
      },
      {
        filterType: "MARKET_LOT_SIZE",
        minQty: f.qty(s.stepSize),
        maxQty: f.qty(maxQty),
        stepSize: f.qty(s.stepSize),
      },
      { filterType: "MAX_NUM_ORDERS", limit: 200 },
      { filterType: "MAX_NUM_ALGO_ORDERS", limit: 10 },
      { filterType: "MIN_NOTIONAL", notional: String(s.minNotional) },
      {
        filterType: "PERCENT_PRICE",
        multiplierUp: "1.0500",
        multiplierDown: "0.9500",
        multiplierDecimal: "4",
      },
    ],
    orderTypes: [
      "LIMIT",
      "MARKET",
      "STOP",
      "STOP_MARKET",
      "TAKE_PROFIT",
      "TAKE_PROFIT_MARKET",
      "TRAILING_STOP_MARKET",
    ],
    timeInForce: ["GTC", "IOC", "FOK", "GTX", "GTD"],
  };
}

function restAggTrade(f: WireFormat, t: SimTrade): Record<string, unknown> {
  return {
    a: t.id,
    p: f.price(t.price),
    q: f.qty(t.amount),
    f: t.id,
    l: t.id,
    T: t.ts,
    m: t.side === "sell",
  };
}

function restTrade(f: WireFormat, t: SimTrade): Record<string, unknown> {
  return {
    id: t.id,
    price: f.price(t.price),
    qty: f.qty(t.amount),
    quoteQty: f.quote(t.price * t.amount),
    time: t.ts,
    isBuyerMaker: t.side === "sell",
  };
}

function ticker24h(market: string, d: UsdmRestDeps): Record<string, unknown> {
  const s = d.generator.ticker(market);
  const f = d.format(market);
  return {
    symbol: d.symbols.symbol(market),
    priceChange: f.price(s.last - s.open),
    priceChangePercent: s.open === 0 ? "0.000" : (((s.last - s.open) / s.open) * 100).toFixed(3),
    weightedAvgPrice: f.price(s.volume > 0 ? s.quoteVolume / s.volume : 0),
    lastPrice: f.price(s.last),
    lastQty: f.qty(s.lastAmount),
    openPrice: f.price(s.open),
    highPrice: f.price(s.high),
    lowPrice: f.price(s.low),
    volume: f.qty(s.volume),
    quoteVolume: f.quote(s.quoteVolume),
    openTime: s.openTime,
    closeTime: Date.now(),
    firstId: s.firstId,
    lastId: s.lastId,
    count: s.count,
  };
}

function premiumIndex(market: string, d: UsdmRestDeps): Record<string, unknown> {
  const x = d.generator.deriv(market);
  return {
    symbol: d.symbols.symbol(market),
    markPrice: x.markPrice.toFixed(8),
    indexPrice: x.indexPrice.toFixed(8),
    estimatedSettlePrice: x.indexPrice.toFixed(8),
    lastFundingRate: x.fundingRate.toFixed(8),
    interestRate: "0.00010000",
    nextFundingTime: x.nextFundingTime,
    time: Date.now(),
  };
}

const ROUTES: Record<string, Handler> = {
  "/fapi/v1/ping": (_q, d) => route(d, 1, () => ({})),
  "/fapi/v1/time": (_q, d) => route(d, 1, () => ({ serverTime: Date.now() })),
  "/fapi/v1/exchangeInfo": (_q, d) =>
    route(d, 1, () => ({
      timezone: "UTC",
      serverTime: Date.now(),
      futuresType: "U_MARGINED",
      rateLimits: [
        {
          rateLimitType: "REQUEST_WEIGHT",
          interval: "MINUTE",
          intervalNum: 1,
          limit: d.budget.limiter.limit,
        },
        { rateLimitType: "ORDERS", interval: "MINUTE", intervalNum: 1, limit: 1200 },
        { rateLimitType: "ORDERS", interval: "SECOND", intervalNum: 10, limit: 300 },
      ],
      exchangeFilters: [],
      assets: [],
      symbols: d.symbols.markets().map((m) => symbolInfo(m, d)),
      simulated: true,
    })),
  "/fapi/v1/depth": (q, d) => {
    const limit = depthLimit(safe(() => limitParam(q, 500, 1000), 500));
    return route(d, depthWeight(limit), () => {
      const m = marketOf(q, d);
      limitParam(q, 500, 1000);
      return depthSnapshotBody(d.format(m), d.generator.book(m).snapshot(limit), Date.now());
    });
  },
  "/fapi/v1/trades": (q, d) =>
    route(d, 5, () => {
      const m = marketOf(q, d);
      return d.truth.recentTrades(m, limitParam(q, 500, 1000)).map((t) => restTrade(d.format(m), t));
    }),
  "/fapi/v1/historicalTrades": (q, d) =>
    route(d, 20, () => {
      const m = marketOf(q, d);
      const limit = limitParam(q, 500, 1000);
      const fromId = optionalInt(q, "fromId");
      const trades =
        fromId === undefined
          ? d.truth.recentTrades(m, limit)
          : d.truth.servedTrades(m, { fromId: Math.max(1, fromId), limit });
      return trades.map((t) => restTrade(d.format(m), t));
    }),
  "/fapi/v1/aggTrades": (q, d) =>
    route(d, 20, () => {
      const m = marketOf(q, d);
      const limit = limitParam(q, 500, 1000);
      const fromId = optionalInt(q, "fromId");
      const from = optionalInt(q, "startTime");
      const to = optionalInt(q, "endTime");
      if (from !== undefined && to !== undefined && to - from >= HOUR_MS) {
        throw new BinanceError(400, -1127, "More than 1 hours between startTime and endTime.");
      }
      const f = d.format(m);
      if (fromId === undefined && from === undefined && to === undefined) {
        return d.truth.recentTrades(m, limit).map((t) => restAggTrade(f, t));
      }
      return d.truth
        .servedTrades(m, {
          ...(fromId !== undefined ? { fromId: Math.max(1, fromId) } : {}),
          ...(from !== undefined ? { from } : {}),
          ...(to !== undefined ? { to } : {}),
          limit,
        })
        .map((t) => restAggTrade(f, t));
    }),
  "/fapi/v1/klines": (q, d) => {
    const weight = klinesWeight(safe(() => limitParam(q, 500, 1500), 500));
    return route(d, weight, () => {
      const m = marketOf(q, d);
      const interval = mandatory(q, "interval");
      if (!isInterval(interval) || interval === "1s") throw new BinanceError(400, -1120, "Invalid interval.");
      const limit = limitParam(q, 500, 1500);
      const from = optionalInt(q, "startTime");
      const to = optionalInt(q, "endTime");
      const f = d.format(m);
      return d.truth
        .candles(m, interval, {
          ...(from !== undefined ? { from } : {}),
          ...(to !== undefined ? { to } : {}),
          limit,
        })
        .map((c) => klineRow(f, c));
    });
  },
  "/fapi/v1/ticker/24hr": (q, d) =>
    route(d, q.get("symbol") === null ? 40 : 1, () => {
      const markets = marketsOf(q, d);
      return q.get("symbol") === null ? markets.map((m) => ticker24h(m, d)) : ticker24h(markets[0]!, d);
    }),
  "/fapi/v1/premiumIndex": (q, d) =>
    route(d, q.get("symbol") === null ? 10 : 1, () => {
      const markets = marketsOf(q, d);
      return q.get("symbol") === null ? markets.map((m) => premiumIndex(m, d)) : premiumIndex(markets[0]!, d);
    }),
  "/fapi/v1/openInterest": (q, d) =>
    route(d, 1, () => {
      const m = marketOf(q, d);
      return {
        openInterest: d.format(m).qty(d.generator.deriv(m).openInterest),
        symbol: d.symbols.symbol(m),
        time: Date.now(),
      };
    }),
};

/** The fapi endpoints the project uses, with their weights; undefined for other paths. */
export function matchUsdmRest(method: string, url: URL, deps: UsdmRestDeps): RestRoute | undefined {
  if (method !== "GET" && method !== "HEAD") return undefined;
  const handler = ROUTES[url.pathname];
  return handler ? handler(url.searchParams, deps) : undefined;
}

export const USDM_REST_PATHS = Object.keys(ROUTES);
