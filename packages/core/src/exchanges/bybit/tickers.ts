import type { FrameResult, ParseContext } from "../../adapter.ts";
import type { Deriv, MarketMessage, Ticker } from "../../schemas/messages.ts";
import { epochMsInteger, isObject, num, optionalNum } from "../wire/fields.ts";
import { badField, ignoredFrozen, unknownSymbol } from "../wire/frame-results.ts";
import { symbolState } from "../wire/symbol-state.ts";
import { decimalDiff, fractionToPercent } from "./fields.ts";
import { EXCHANGE, invalid } from "./results.ts";
import type { Category } from "./symbols.ts";
import { framedSymbol } from "./topics.ts";

/**
 * `tickers.<S>` frames. Derivatives send a `snapshot` then `delta`s that carry only the fields
 * that changed, so every delta is merged into the last snapshot of its symbol, kept in the
 * connection's parser state (emptied on reconnect, when Bybit sends a fresh snapshot). Spot sends
 * snapshots only. A linear push yields a ticker when a ticker field changed and a deriv message
 * (mark, index, funding, open interest) when one of those changed; a snapshot yields both.
 */

const TICKER_KEYS = [
  "lastPrice",
  "prevPrice24h",
  "price24hPcnt",
  "highPrice24h",
  "lowPrice24h",
  "volume24h",
  "turnover24h",
  "bid1Price",
  "ask1Price",
] as const;
const DERIV_KEYS = ["markPrice", "indexPrice", "fundingRate", "nextFundingTime", "openInterest"] as const;

const UNCHANGED = ignoredFrozen("ticker_unchanged");

type Fields = Record<string, unknown>;

/** The connection state's key of the merged tickers, per symbol. */
const TICKERS = "tickers";

function changed(keys: readonly string[], delta: Fields, prev: Fields): boolean {
  for (const k of keys) {
    const v = delta[k];
    if (v !== undefined && v !== prev[k]) return true;
  }
  return false;
}

/** The merged state of a symbol's tickers topic (for tests and tools). */
export function tickerState(ctx: ParseContext, symbol: string): Readonly<Fields> | undefined {
  return (ctx.state.get(TICKERS) as Map<string, Fields> | undefined)?.get(symbol);
}

export function parseTickers(
  msg: Record<string, unknown>,
  symbol: string,
  ctx: ParseContext,
  category: Category,
): FrameResult {
  const type = msg.type;
  if (type !== "snapshot" && type !== "delta") return badField("tickers", "type", type);
  const data = msg.data;
  if (!isObject(data)) return badField("tickers", "data", data);
  if (data.symbol !== undefined && data.symbol !== symbol)
    return badField("tickers", "data.symbol", data.symbol);
  symbol = framedSymbol(symbol, data.symbol);
  const market = ctx.marketOf(symbol);
  if (market === undefined) return unknownSymbol("tickers", symbol);
  const ts = epochMsInteger(msg.ts);
  if (Number.isNaN(ts)) return badField("tickers", "ts", msg.ts);

  const merged = symbolState<Fields>(ctx.state, TICKERS);
  let state = merged.get(symbol);
  let tickerChanged = true;
  let derivChanged = true;
  if (type === "snapshot") {
    state = { ...data };
    merged.set(symbol, state);
  } else {
    if (state === undefined) {
      return invalid("delta_without_snapshot", `tickers.${symbol}: a delta before any snapshot`);
    }
    tickerChanged = changed(TICKER_KEYS, data, state);
    derivChanged = changed(DERIV_KEYS, data, state);
    // what Object.assign does for a JSON object (own enumerable string keys, [[Set]] each), at a
    // third of its cost on deltas whose keys vary frame to frame
    for (const k in data) state[k] = data[k];
  }

  const messages: MarketMessage[] = [];
  if (tickerChanged) {
    const t = buildTicker(state, market, symbol, ts, ctx.recvTs);
    if ("kind" in t) return t;
    messages.push(t);
  }
  if (category === "linear" && derivChanged) {
    const d = buildDeriv(state, market, symbol, ts, ctx.recvTs);
    if ("kind" in d) return d;
    messages.push(d);
  }
  return messages.length > 0 ? { kind: "data", messages } : UNCHANGED;
}

// The messages are built field by field, in the schema's order (no spread of a shared base:
// a spread copies property by property, ~4 % of a linear tickers frame).

function buildTicker(
  s: Fields,
  market: string,
  symbol: string,
  ts: number,
  recvTs: number,
): Ticker | FrameResult {
  const what = "tickers";
  const last = num(s.lastPrice);
  if (Number.isNaN(last)) return badField(what, "lastPrice", s.lastPrice);
  const open = num(s.prevPrice24h);
  if (Number.isNaN(open)) return badField(what, "prevPrice24h", s.prevPrice24h);
  const high = num(s.highPrice24h);
  if (Number.isNaN(high)) return badField(what, "highPrice24h", s.highPrice24h);
  const low = num(s.lowPrice24h);
  if (Number.isNaN(low)) return badField(what, "lowPrice24h", s.lowPrice24h);
  const volume = num(s.volume24h);
  if (Number.isNaN(volume)) return badField(what, "volume24h", s.volume24h);
  const quoteVolume = num(s.turnover24h);
  if (Number.isNaN(quoteVolume)) return badField(what, "turnover24h", s.turnover24h);
  const pct = num(s.price24hPcnt);
  const changePct = fractionToPercent(String(s.price24hPcnt));
  if (Number.isNaN(pct) || !Number.isFinite(changePct)) return badField(what, "price24hPcnt", s.price24hPcnt);
  const change = decimalDiff(String(s.lastPrice), String(s.prevPrice24h));
  if (!Number.isFinite(change)) return badField(what, "prevPrice24h", s.prevPrice24h);
  const bid = optionalNum(s.bid1Price);
  if (Number.isNaN(bid)) return badField(what, "bid1Price", s.bid1Price);
  const ask = optionalNum(s.ask1Price);
  if (Number.isNaN(ask)) return badField(what, "ask1Price", s.ask1Price);
  return {
    type: "ticker",
    exchange: EXCHANGE,
    market,
    symbol,
    ts,
    recvTs,
    last,
    open,
    high,
    low,
    volume,
    quoteVolume,
    change,
    changePct,
    bid,
    ask,
  };
}

function buildDeriv(
  s: Fields,
  market: string,
  symbol: string,
  ts: number,
  recvTs: number,
): Deriv | FrameResult {
  const what = "tickers";
  const markPrice = optionalNum(s.markPrice);
  if (Number.isNaN(markPrice)) return badField(what, "markPrice", s.markPrice);
  const indexPrice = optionalNum(s.indexPrice);
  if (Number.isNaN(indexPrice)) return badField(what, "indexPrice", s.indexPrice);
  const fundingRate = optionalNum(s.fundingRate);
  if (Number.isNaN(fundingRate)) return badField(what, "fundingRate", s.fundingRate);
  const next = optionalNum(s.nextFundingTime);
  if (Number.isNaN(next)) return badField(what, "nextFundingTime", s.nextFundingTime);
  const openInterest = optionalNum(s.openInterest);
  if (Number.isNaN(openInterest)) return badField(what, "openInterest", s.openInterest);
  return {
    type: "deriv",
    exchange: EXCHANGE,
    market,
    symbol,
    ts,
    recvTs,
    markPrice,
    indexPrice,
    fundingRate,
    // dated futures send "" (or 0): no funding
    nextFundingTime: next === 0 ? null : next,
    openInterest,
  };
}
