import { isInterval } from "../../core/intervals.ts";
import type { MarketGenerator } from "../../market/generator.ts";
import type { Candle, SimTrade } from "../../market/types.ts";
import type { GroundTruth } from "../../truth/ground-truth.ts";
import type { HttpReply, RestRoute } from "../types.ts";
import { Fmt } from "./payloads.ts";
import {
  BingxError,
  invalidParams,
  limitParam,
  mandatory,
  noSuchSymbol,
  optionalInt,
  requireTimestamp,
} from "./rest-params.ts";
import type { Venue, VenueSymbols } from "./venue.ts";

/**
 * The BingX REST endpoints the adapters use, spot and swap on one host, each costing 1 of the
 * shared 500-per-10-s budget. Bodies are `{"code":0,"msg":"","data":...}`; failures are HTTP 200
 * with a business code. Pages come newest first, as BingX sends them. Simulator deviation: swap
 * trades carry an `id` (the real recent-trades rows have none).
 */

export interface RestDeps {
  generator: MarketGenerator;
  truth: GroundTruth;
  symbols: VenueSymbols;
}

type Handler = (q: URLSearchParams, d: RestDeps) => unknown;

const KLINE_INTERVALS = new Set([
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
]);

function ok(data: unknown, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { code: 0, msg: "", timestamp: Date.now(), ...extra, data };
}

function marketOf(venue: Venue, q: URLSearchParams, d: RestDeps): string {
  const m = d.symbols.market(venue, mandatory(q, "symbol"));
  if (m === undefined) throw noSuchSymbol();
  return m;
}

function intervalOf(q: URLSearchParams): string {
  const interval = mandatory(q, "interval");
  if (!KLINE_INTERVALS.has(interval) || !isInterval(interval)) throw invalidParams("interval");
  return interval;
}

function candles(venue: Venue, q: URLSearchParams, d: RestDeps): { market: string; rows: Candle[] } {
  const market = marketOf(venue, q, d);
  const interval = intervalOf(q);
  const limit = limitParam(q, 500, 1440);
  const from = optionalInt(q, "startTime");
  const to = optionalInt(q, "endTime");
  const rows = d.truth.candles(market, interval as Parameters<GroundTruth["candles"]>[1], {
    ...(from !== undefined ? { from } : {}),
    ...(to !== undefined ? { to } : {}),
    limit,
  });
  return { market, rows: rows.reverse() };
}

/** Trades by id (oldest first from fromId) or the most recent ones, newest first. */
function tradePage(
  venue: Venue,
  q: URLSearchParams,
  d: RestDeps,
  def: number,
  max: number,
): { market: string; trades: SimTrade[] } {
  const market = marketOf(venue, q, d);
  const limit = limitParam(q, def, max);
  const fromId = optionalInt(q, "fromId");
  if (fromId !== undefined)
    return { market, trades: d.truth.servedTrades(market, { fromId: Math.max(1, fromId), limit }) };
  return { market, trades: d.truth.recentTrades(market, limit).reverse() };
}

function depthBook(market: string, limit: number, d: RestDeps, f: Fmt) {
  const s = d.generator.book(market).snapshot(limit);
  const pairs = (ls: readonly [number, number][]) => ls.map(([p, a]) => [f.px(p), f.qty(a)]);
  return { bids: pairs(s.bids), asks: pairs(s.asks.slice().reverse()) };
}

const SPOT: Record<string, Handler> = {
  "/openApi/spot/v1/common/symbols": (_q, d) =>
    ok(
      {
        symbols: d.symbols.markets("spot").map((m) => {
          const s = d.generator.spec(m);
          return {
            symbol: `${s.base}-${s.quote}`,
            minQty: s.stepSize,
            maxQty: Math.max(s.stepSize, Number(((9000 * 60000) / s.baseUsd).toFixed(s.qtyDecimals))),
            minNotional: s.minNotional,
            maxNotional: 500000,
            status: 1,
            tickSize: s.tickSize,
            stepSize: s.stepSize,
            apiStateSell: true,
            apiStateBuy: true,
            timeOnline: d.generator.startTime,
            offTime: 0,
            maintainTime: 0,
          };
        }),
      },
      { debugMsg: "", simulated: true },
    ),
  "/openApi/spot/v2/market/kline": (q, d) => {
    const { rows } = candles("spot", q, d);
    return ok(
      rows.map((c) => [c.openTime, c.open, c.high, c.low, c.close, c.volume, c.closeTime, c.quoteVolume]),
    );
  },
  "/openApi/spot/v1/market/trades": (q, d) => {
    const { trades } = tradePage("spot", q, d, 100, 500);
    return ok(
      trades.map((t) => ({
        id: t.id,
        price: t.price,
        qty: t.amount,
        time: t.ts,
        buyerMaker: t.side === "sell",
      })),
    );
  },
  "/openApi/market/his/v1/trade": (q, d) => {
    const { trades } = tradePage("spot", q, d, 100, 500);
    return ok(
      trades.map((t) => ({
        id: t.id,
        price: t.price,
        qty: t.amount,
        time: t.ts,
        buyerMaker: t.side === "sell",
      })),
    );
  },
  "/openApi/spot/v1/market/depth": (q, d) => {
    const market = marketOf("spot", q, d);
    const limit = limitParam(q, 20, 1000);
    const f = new Fmt(d.generator.spec(market));
    return ok({ ...depthBook(market, limit, d, f), ts: Date.now() });
  },
};

const SWAP_DEPTH_LIMITS = new Set([5, 10, 20, 50, 100, 500, 1000]);

function swapTradeRow(t: SimTrade, f: Fmt): Record<string, unknown> {
  return {
    id: t.id,
    time: t.ts,
    isBuyerMaker: t.side === "sell",
    price: f.px(t.price),
    qty: f.qty(t.amount),
    quoteQty: f.quote(t.price * t.amount),
  };
}

const SWAP: Record<string, Handler> = {
  "/openApi/swap/v2/quote/contracts": (_q, d) =>
    ok(
      d.symbols.markets("swap").map((m, i) => {
        const s = d.generator.spec(m);
        return {
          contractId: String(100 + i),
          symbol: `${s.base}-${s.quote}`,
          quantityPrecision: s.qtyDecimals,
          pricePrecision: s.priceDecimals,
          feeRate: 0.0005,
          makerFeeRate: 0.0002,
          takerFeeRate: 0.0005,
          tradeMinQuantity: s.stepSize,
          tradeMinUSDT: 2,
          currency: s.quote,
          asset: s.base,
          status: 1,
          apiStateOpen: "true",
          apiStateClose: "true",
          launchTime: d.generator.startTime,
          maintainTime: 0,
          offTime: 0,
        };
      }),
      { simulated: true },
    ),
  "/openApi/swap/v3/quote/klines": (q, d) => {
    const { market, rows } = candles("swap", q, d);
    const f = new Fmt(d.generator.spec(market));
    return ok(
      rows.map((c) => ({
        open: f.px(c.open),
        close: f.px(c.close),
        high: f.px(c.high),
        low: f.px(c.low),
        volume: f.qty(c.volume),
        time: c.openTime,
      })),
    );
  },
  "/openApi/swap/v2/quote/trades": (q, d) => {
    const { market, trades } = tradePage("swap", q, d, 500, 1000);
    const f = new Fmt(d.generator.spec(market));
    return ok(trades.map((t) => swapTradeRow(t, f)));
  },
  "/openApi/swap/v1/market/historicalTrades": (q, d) => {
    const { market, trades } = tradePage("swap", q, d, 500, 500);
    const f = new Fmt(d.generator.spec(market));
    return ok(trades.map((t) => swapTradeRow(t, f)));
  },
  "/openApi/swap/v2/quote/depth": (q, d) => {
    const market = marketOf("swap", q, d);
    const limit = limitParam(q, 20, 1000);
    if (!SWAP_DEPTH_LIMITS.has(limit))
      throw invalidParams("limit must be one of 5, 10, 20, 50, 100, 500, 1000");
    const f = new Fmt(d.generator.spec(market));
    const book = depthBook(market, limit, d, f);
    return ok({ T: Date.now(), ...book, bidsCoin: book.bids, asksCoin: book.asks });
  },
  "/openApi/swap/v2/quote/premiumIndex": (q, d) => {
    const market = marketOf("swap", q, d);
    const s = d.generator.spec(market);
    const x = d.generator.deriv(market);
    const f = new Fmt(s);
    return ok({
      symbol: `${s.base}-${s.quote}`,
      markPrice: f.px(x.markPrice),
      indexPrice: String(x.indexPrice),
      lastFundingRate: x.fundingRate.toFixed(8),
      nextFundingTime: x.nextFundingTime,
    });
  },
  "/openApi/swap/v2/quote/openInterest": (q, d) => {
    const market = marketOf("swap", q, d);
    const s = d.generator.spec(market);
    const x = d.generator.deriv(market);
    return ok({
      openInterest: new Fmt(s).quote(x.openInterest * x.markPrice),
      symbol: `${s.base}-${s.quote}`,
      time: x.ts,
    });
  },
};

function route(fn: () => unknown): RestRoute {
  return {
    weight: 1,
    run(): HttpReply {
      try {
        return { status: 200, body: fn() };
      } catch (e) {
        if (e instanceof BingxError) return e.reply();
        throw e;
      }
    },
  };
}

export function matchRest(method: string, url: URL, deps: RestDeps): RestRoute | undefined {
  if (method !== "GET" && method !== "HEAD") return undefined;
  const path = url.pathname;
  const spot = SPOT[path];
  if (spot) return route(() => spot(url.searchParams, deps));
  const swap = SWAP[path];
  if (swap)
    return route(() => {
      requireTimestamp(url.searchParams);
      return swap(url.searchParams, deps);
    });
  return undefined;
}

export const REST_PATHS = [...Object.keys(SPOT), ...Object.keys(SWAP)];
