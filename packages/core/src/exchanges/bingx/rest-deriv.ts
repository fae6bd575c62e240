import type { RestContext, RestPoll, RestRequest } from "../../adapter.ts";
import { ParseError } from "../../errors.ts";
import type { Deriv } from "../../schemas/messages.ts";
import { epochMsInteger, isObject, num, sample } from "../wire/fields.ts";
import { requestTime, unwrap, WEIGHT } from "./rest-common.ts";
import { swapSymbolOf } from "./symbols.ts";

/**
 * BingX swap funding, index and open interest: REST only (the `@markPrice` stream carries the mark
 * alone). `GET /openApi/swap/v2/quote/premiumIndex` → mark, index, last funding rate, next funding
 * time; `GET /openApi/swap/v2/quote/openInterest` → open interest in quote (USDT), converted to base
 * with the mark price of the same poll, as every other venue's open interest is in base.
 */

export const DERIV_PATHS = {
  premiumIndex: "/openApi/swap/v2/quote/premiumIndex",
  openInterest: "/openApi/swap/v2/quote/openInterest",
} as const;

function request(path: string, market: string): RestRequest {
  return {
    method: "GET",
    path,
    query: { symbol: swapSymbolOf(market), timestamp: requestTime() },
    weight: WEIGHT,
  };
}

/** `data` is the symbol's object (asked with a symbol) or a list of them (without one). */
function rowOf(data: unknown, symbol: string, what: string): Record<string, unknown> {
  const row = Array.isArray(data) ? data.find((r) => isObject(r) && r.symbol === symbol) : data;
  if (!isObject(row)) throw new ParseError(`bingx ${what}: no row for ${symbol}: ${sample(data)}`);
  if (row.symbol !== undefined && row.symbol !== symbol) {
    throw new ParseError(`bingx ${what}: asked for ${symbol}, got ${sample(row.symbol)}`);
  }
  return row;
}

function field(row: Record<string, unknown>, name: string, what: string): number {
  const v = num(row[name]);
  if (Number.isNaN(v)) throw new ParseError(`bingx ${what}: bad ${name} ${sample(row[name])}`);
  return v;
}

/** premiumIndex and openInterest bodies → one deriv message (ts = the open-interest time). */
export function parseSwapDeriv(premiumIndex: unknown, openInterest: unknown, ctx: RestContext): Deriv {
  const symbol = swapSymbolOf(ctx.market);
  const p = rowOf(unwrap(premiumIndex, "premiumIndex"), symbol, "premiumIndex");
  const o = rowOf(unwrap(openInterest, "openInterest"), symbol, "openInterest");
  const markPrice = field(p, "markPrice", "premiumIndex");
  const nextFundingTime = epochMsInteger(p.nextFundingTime);
  if (Number.isNaN(nextFundingTime))
    throw new ParseError(`bingx premiumIndex: bad nextFundingTime ${sample(p.nextFundingTime)}`);
  const quoteOpenInterest = field(o, "openInterest", "openInterest");
  const ts = o.time === undefined ? ctx.recvTs : epochMsInteger(o.time);
  if (Number.isNaN(ts)) throw new ParseError(`bingx openInterest: bad time ${sample(o.time)}`);
  return {
    type: "deriv",
    exchange: "bingx",
    market: ctx.market,
    symbol,
    ts,
    recvTs: ctx.recvTs,
    markPrice,
    indexPrice: field(p, "indexPrice", "premiumIndex"),
    fundingRate: field(p, "lastFundingRate", "premiumIndex"),
    nextFundingTime,
    openInterest: markPrice > 0 ? quoteOpenInterest / markPrice : null,
  };
}

export const swapDerivPoll: RestPoll = {
  name: "deriv",
  requests: (q) => [request(DERIV_PATHS.premiumIndex, q.market), request(DERIV_PATHS.openInterest, q.market)],
  parse: ([premiumIndex, openInterest], ctx) => [parseSwapDeriv(premiumIndex, openInterest, ctx)],
};
