import type { MarketGenerator } from "../../market/generator.ts";
import type { GroundTruth } from "../../truth/ground-truth.ts";
import type { HttpReply, RestRoute } from "../types.ts";
import { type BookResult, type Decimals, klineRow } from "./payloads.ts";
import type { Category, SymbolMaps } from "./symbols.ts";
import { KLINE_INTERVALS } from "./topics.ts";

/**
 * Bybit v5 market REST: `{retCode, retMsg, result, retExtInfo, time}` envelopes, parameter errors as
 * HTTP 200 with retCode 10001 (as Bybit answers them). Every call costs 1 of the IP budget.
 */

export interface RestDeps {
  generator: MarketGenerator;
  truth: GroundTruth;
  symbols: SymbolMaps;
  decimals(market: string): Decimals;
  /** The `orderbook` result of a market: the 1000-level topic's state, brought up to date first. */
  orderbook(market: string, limit: number): BookResult;
}

class BybitError extends Error {}

function envelope(result: unknown, retCode = 0, retMsg = "OK"): HttpReply {
  return { status: 200, body: { retCode, retMsg, result, retExtInfo: {}, time: Date.now() } };
}

function route(run: () => unknown): RestRoute {
  return {
    weight: 1,
    run(): HttpReply {
      try {
        return envelope(run());
      } catch (e) {
        if (e instanceof BybitError) return envelope({}, 10001, e.message);
        throw e;
      }
    },
  };
}

function category(q: URLSearchParams): Category {
  const c = q.get("category");
  if (c === "spot" || c === "linear") return c;
  throw new BybitError("Illegal category");
}

function marketOf(q: URLSearchParams, d: RestDeps): { cat: Category; market: string; symbol: string } {
  const cat = category(q);
  const symbol = q.get("symbol");
  if (!symbol) throw new BybitError("params error: symbol is required");
  const market = d.symbols.market(cat, symbol);
  if (!market) throw new BybitError("Not supported symbols");
  return { cat, market, symbol };
}

function intParam(q: URLSearchParams, name: string): number | undefined {
  const v = q.get(name);
  if (v === null || v === "") return undefined;
  if (!/^[0-9]{1,16}$/.test(v)) throw new BybitError(`params error: ${name} invalid`);
  return Number(v);
}

/** `limit` with Bybit's default and range (values outside are clamped). */
function limitParam(q: URLSearchParams, def: number, max: number): number {
  const v = intParam(q, "limit");
  return v === undefined ? def : Math.min(max, Math.max(1, v));
}

function instrument(cat: Category, market: string, d: RestDeps): Record<string, unknown> {
  const s = d.generator.spec(market);
  const tick = s.tickSize.toFixed(s.priceDecimals);
  const step = s.stepSize.toFixed(s.qtyDecimals);
  const symbol = d.symbols.symbol(market);
  if (cat === "spot") {
    return {
      symbol,
      baseCoin: s.base,
      quoteCoin: s.quote,
      innovation: "0",
      status: "Trading",
      marginTrading: "none",
      stTag: "0",
      lotSizeFilter: {
        basePrecision: step,
        quotePrecision: "0.00000001",
        minOrderQty: step,
        maxOrderQty: "100000",
        minOrderAmt: String(s.minNotional),
        maxOrderAmt: "2000000",
      },
      priceFilter: { tickSize: tick },
    };
  }
  return {
    symbol,
    contractType: "LinearPerpetual",
    status: "Trading",
    baseCoin: s.base,
    quoteCoin: s.quote,
    launchTime: String(d.generator.startTime),
    deliveryTime: "0",
    deliveryFeeRate: "",
    priceScale: String(s.priceDecimals),
    leverageFilter: { minLeverage: "1", maxLeverage: "100.00", leverageStep: "0.01" },
    priceFilter: { minPrice: tick, maxPrice: (s.startPrice * 100).toFixed(s.priceDecimals), tickSize: tick },
    lotSizeFilter: {
      maxOrderQty: "100000",
      minOrderQty: step,
      qtyStep: step,
      postOnlyMaxOrderQty: "100000",
      minNotionalValue: String(s.minNotional),
    },
    unifiedMarginTrade: true,
    fundingInterval: 480,
    settleCoin: s.quote,
    copyTrading: "none",
    isPreListing: false,
    preListingInfo: null,
  };
}

const ROUTES: Record<string, (q: URLSearchParams, d: RestDeps) => RestRoute> = {
  "/v5/market/time": () =>
    route(() => {
      const now = Date.now();
      return { timeSecond: String(Math.floor(now / 1000)), timeNano: `${now}000000` };
    }),
  "/v5/market/instruments-info": (q, d) =>
    route(() => {
      const cat = category(q);
      const one = q.get("symbol");
      const markets =
        one === null ? d.symbols.markets(cat) : [d.symbols.market(cat, one)].filter((m) => m !== undefined);
      const list = markets.map((m) => instrument(cat, m, d));
      return cat === "spot" ? { category: cat, list } : { category: cat, list, nextPageCursor: "" };
    }),
  "/v5/market/kline": (q, d) =>
    route(() => {
      const { cat, market, symbol } = marketOf(q, d);
      const interval = KLINE_INTERVALS.get(q.get("interval") ?? "");
      if (!interval) throw new BybitError("Invalid period!");
      const limit = limitParam(q, 200, 1000);
      const start = intParam(q, "start");
      const end = intParam(q, "end");
      // Bybit: the newest `limit` candles of [start, end] by open time, newest first
      const candles = d.truth.candles(market, interval, {
        ...(start !== undefined ? { from: start } : {}),
        ...(end !== undefined ? { to: end } : {}),
      });
      const dec = d.decimals(market);
      const list = candles
        .slice(-limit)
        .reverse()
        .map((c) => klineRow(c, dec));
      return { symbol, category: cat, list };
    }),
  "/v5/market/recent-trade": (q, d) =>
    route(() => {
      const { cat, market, symbol } = marketOf(q, d);
      const limit = cat === "spot" ? limitParam(q, 60, 60) : limitParam(q, 500, 1000);
      const dec = d.decimals(market);
      const list = d.truth
        .recentTrades(market, limit)
        .reverse()
        .map((t) => ({
          execId: String(t.id),
          symbol,
          price: dec.price(t.price),
          size: dec.qty(t.amount),
          side: t.side === "buy" ? "Buy" : "Sell",
          time: String(t.ts),
          isBlockTrade: false,
          isRPITrade: false,
        }));
      return { category: cat, list };
    }),
  "/v5/market/orderbook": (q, d) =>
    route(() => {
      const { cat, market } = marketOf(q, d);
      return d.orderbook(market, limitParam(q, cat === "spot" ? 1 : 25, 1000));
    }),
};

/** The Bybit v5 market endpoints the project uses. */
export function matchRest(method: string, url: URL, deps: RestDeps): RestRoute | undefined {
  if (method !== "GET" && method !== "HEAD") return undefined;
  const handler = ROUTES[url.pathname];
  return handler ? handler(url.searchParams, deps) : undefined;
}

export const REST_PATHS = Object.keys(ROUTES);
