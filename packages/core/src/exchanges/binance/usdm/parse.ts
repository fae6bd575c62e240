import type { FrameResult, ParseContext } from "../../../adapter.ts";
import type { Deriv, Liquidation } from "../../../schemas/messages.ts";
import { isObject, num } from "../../wire/fields.ts";
import { badField, unknownSymbol } from "../../wire/frame-results.ts";
import { epochMs } from "../fields.ts";
import {
  type DepthDiffFormat,
  parseAggTrade,
  parseDepthDiff,
  parseEnvelope,
  parseTrade as parseRawTrade,
  parsePayload as parseSpotPayload,
} from "../parse.ts";

/**
 * Binance USD-M frames → normalized messages. The envelope, control answers, bookTicker, 24h
 * ticker, kline and depth snapshot read as on spot; these differ:
 *
 * | payload                              | result                                                    |
 * |--------------------------------------|-----------------------------------------------------------|
 * | `e:"aggTrade"`                       | trade (id = a, ts = T, m ⇒ taker sell); no `a` (2019): ignored |
 * | `e:"trade"` (undocumented raw trade) | trade (id = t) when X is MARKET; insurance-fund/ADL ignored |
 * | `e:"depthUpdate"` with `pu`          | book delta (seq = u, prevSeq = pu, ts = T)                |
 * | `e:"depthUpdate"` on `@depth5/10/20` | ignored (partial book)                                    |
 * | `e:"markPriceUpdate"`                | deriv (mark p, index i, funding r, next funding T; OI null) |
 * | `e:"forceOrder"`                     | liquidation (price o.p, amount o.z, side o.S, ts o.T)     |
 * | `<sym>@openInterest` envelope        | deriv with only openInterest (REST body, e.g. tardis)     |
 */

const EXCHANGE = "binance";

const IGNORED: ReadonlyMap<string, FrameResult> = new Map(
  [
    "24hrMiniTicker",
    "continuous_kline",
    "compositeIndex",
    "contractInfo",
    "assetIndexUpdate",
    "indexPriceUpdate",
  ].map((e): [string, FrameResult] => [e, Object.freeze({ kind: "ignored", reason: `unsupported:${e}` })]),
);
const IGNORED_PARTIAL_DEPTH: FrameResult = Object.freeze({
  kind: "ignored",
  reason: "unsupported:partialDepth",
});

export function parseUsdmFrame(frame: string | Uint8Array, ctx: ParseContext): FrameResult {
  return parseEnvelope(frame, ctx, parseUsdmPayload);
}

function parseUsdmPayload(
  p: Record<string, unknown>,
  stream: string | undefined,
  ctx: ParseContext,
): FrameResult {
  switch (p.e) {
    case "aggTrade":
      return parseAggTrade(p, ctx);
    case "trade":
      return parseTrade(p, ctx);
    case "depthUpdate":
      return isPartialDepth(stream) ? IGNORED_PARTIAL_DEPTH : parseDepthUpdate(p, ctx);
    case "markPriceUpdate":
      return parseMarkPrice(p, ctx);
    case "forceOrder":
      return parseForceOrder(p, ctx);
    case undefined:
      if (stream?.endsWith("@openInterest")) return parseOpenInterestBody(p, ctx);
      break;
    default: {
      const ignored = typeof p.e === "string" ? IGNORED.get(p.e) : undefined;
      if (ignored) return ignored;
    }
  }
  return parseSpotPayload(p, stream, ctx);
}

/** `<sym>@depth5`, `@depth10@100ms`, … carry the same event type as the diff stream. */
function isPartialDepth(stream: string | undefined): boolean {
  if (stream === undefined) return false;
  const at = stream.indexOf("@depth");
  if (at < 0) return false;
  const c = stream.charCodeAt(at + 6);
  return c >= 48 && c <= 57; // a digit right after "@depth"
}

/**
 * The raw trade stream (recorded by tardis, undocumented for USD-M). `X` is the execution type:
 * insurance-fund and ADL executions are not market trades (aggTrades leaves them out too).
 */
function parseTrade(p: Record<string, unknown>, ctx: ParseContext): FrameResult {
  const x = p.X;
  if (x !== undefined && x !== "MARKET") {
    return typeof x === "string"
      ? { kind: "ignored", reason: `unsupported:trade:${x}` }
      : badField("trade", "X", x);
  }
  return parseRawTrade(p, ctx);
}

// T (matching engine) like bookTicker's, so a market's book and bbo share a clock; USD-M's
// continuity rule: pu must equal the previous event's u
const USDM_DIFF: DepthDiffFormat = { time: "T", prevSeq: "pu" };

function parseDepthUpdate(p: Record<string, unknown>, ctx: ParseContext): FrameResult {
  return parseDepthDiff(p, ctx, USDM_DIFF);
}

/** An optional decimal field: absent → null; present but not a number → NaN. */
function optionalNum(v: unknown): number | null {
  return v === undefined ? null : num(v);
}

function parseMarkPrice(p: Record<string, unknown>, ctx: ParseContext): FrameResult {
  const symbol = p.s;
  if (typeof symbol !== "string") return badField("markPriceUpdate", "s", symbol);
  const market = ctx.marketOf(symbol);
  if (market === undefined) return unknownSymbol("markPriceUpdate", symbol);
  const ts = epochMs(p.E);
  if (Number.isNaN(ts)) return badField("markPriceUpdate", "E", p.E);
  const markPrice = num(p.p);
  if (Number.isNaN(markPrice)) return badField("markPriceUpdate", "p", p.p);
  // index `i` arrived in 2020; older recordings lack it
  const indexPrice = optionalNum(p.i);
  if (Number.isNaN(indexPrice)) return badField("markPriceUpdate", "i", p.i);
  // delivery contracts have no funding: T = 0 and r = "" or "0"
  const next = p.T === undefined || p.T === 0 ? null : epochMs(p.T);
  if (Number.isNaN(next)) return badField("markPriceUpdate", "T", p.T);
  let fundingRate: number | null = null;
  if (next !== null) {
    fundingRate = optionalNum(p.r);
    if (Number.isNaN(fundingRate)) return badField("markPriceUpdate", "r", p.r);
  }
  const msg: Deriv = {
    type: "deriv",
    exchange: EXCHANGE,
    market,
    symbol,
    ts,
    recvTs: ctx.recvTs,
    markPrice,
    indexPrice,
    fundingRate,
    nextFundingTime: next,
    // no open-interest stream on USD-M: REST /fapi/v1/openInterest (rest.openInterestRequest)
    openInterest: null,
  };
  return { kind: "data", messages: [msg] };
}

/**
 * `@forceOrder` is a snapshot: at most the latest liquidation order per symbol per 1000 ms. The
 * event has no id; the order's time T (one event per symbol per second at most) identifies it.
 */
function parseForceOrder(p: Record<string, unknown>, ctx: ParseContext): FrameResult {
  const o = p.o;
  if (!isObject(o)) return badField("forceOrder", "o", o);
  const symbol = o.s;
  if (typeof symbol !== "string") return badField("forceOrder", "o.s", symbol);
  const market = ctx.marketOf(symbol);
  if (market === undefined) return unknownSymbol("forceOrder", symbol);
  const ts = epochMs(o.T ?? p.E);
  if (Number.isNaN(ts)) return badField("forceOrder", "o.T", o.T);
  const price = num(o.p);
  if (Number.isNaN(price)) return badField("forceOrder", "o.p", o.p);
  // z: filled accumulated quantity (what was liquidated); q is the order's quantity
  const amount = num(o.z ?? o.q);
  if (Number.isNaN(amount)) return badField("forceOrder", "o.z", o.z);
  const side = o.S === "SELL" ? "sell" : o.S === "BUY" ? "buy" : undefined;
  if (side === undefined) return badField("forceOrder", "o.S", o.S);
  const msg: Liquidation = {
    type: "liquidation",
    exchange: EXCHANGE,
    market,
    symbol,
    ts,
    recvTs: ctx.recvTs,
    id: String(o.T ?? p.E),
    price,
    amount,
    side,
  };
  return { kind: "data", messages: [msg] };
}

/** `{symbol, openInterest, time?}` (REST /fapi/v1/openInterest, or tardis's generated envelope). */
export function parseOpenInterestBody(p: Record<string, unknown>, ctx: ParseContext): FrameResult {
  const symbol = p.symbol;
  if (typeof symbol !== "string") return badField("openInterest", "symbol", symbol);
  const market = ctx.marketOf(symbol);
  if (market === undefined) return unknownSymbol("openInterest", symbol);
  const openInterest = num(p.openInterest);
  if (Number.isNaN(openInterest)) return badField("openInterest", "openInterest", p.openInterest);
  const ts = p.time === undefined ? ctx.recvTs : epochMs(p.time);
  if (Number.isNaN(ts)) return badField("openInterest", "time", p.time);
  const msg: Deriv = {
    type: "deriv",
    exchange: EXCHANGE,
    market,
    symbol,
    ts,
    recvTs: ctx.recvTs,
    markPrice: null,
    indexPrice: null,
    fundingRate: null,
    nextFundingTime: null,
    openInterest,
  };
  return { kind: "data", messages: [msg] };
}
