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

const UNCHANGED = ignoredFrozen("ticker_unchanged");

type Fields = Record<string, unknown>;

/**
 * A symbol's merged tickers topic: the fields as sent, and the numbers of the messages' fields,
 * converted when a push changes their field (a delta changes a few of the 14; converting them all
 * again was ~20 % of a linear delta frame). NaN marks a field the messages cannot be built from.
 */
interface Merged {
  fields: Fields;
  last: number;
  open: number;
  high: number;
  low: number;
  volume: number;
  quoteVolume: number;
  /** NaN when price24hPcnt is not a decimal (or its percent is not finite). */
  changePct: number;
  /** NaN when lastPrice − prevPrice24h is not finite. */
  change: number;
  bid: number | null;
  ask: number | null;
  markPrice: number | null;
  indexPrice: number | null;
  fundingRate: number | null;
  nextFundingTime: number | null;
  openInterest: number | null;
}

/** The connection state's key of the merged tickers, per symbol. */
const TICKERS = "tickers";

/** The merged state of a symbol's tickers topic (for tests and tools). */
export function tickerState(ctx: ParseContext, symbol: string): Readonly<Fields> | undefined {
  return (ctx.state.get(TICKERS) as Map<string, Merged> | undefined)?.get(symbol)?.fields;
}

function changePctOf(v: unknown): number {
  const changePct = fractionToPercent(String(v));
  return Number.isNaN(num(v)) || !Number.isFinite(changePct) ? Number.NaN : changePct;
}

function changeOf(f: Fields): number {
  const change = decimalDiff(String(f.lastPrice), String(f.prevPrice24h));
  return Number.isFinite(change) ? change : Number.NaN;
}

function fromSnapshot(fields: Fields): Merged {
  const m: Merged = {
    fields,
    last: 0,
    open: 0,
    high: 0,
    low: 0,
    volume: 0,
    quoteVolume: 0,
    changePct: 0,
    change: 0,
    bid: null,
    ask: null,
    markPrice: null,
    indexPrice: null,
    fundingRate: null,
    nextFundingTime: null,
    openInterest: null,
  };
  convertAll(m);
  return m;
}

function convertAll(m: Merged): void {
  const f = m.fields;
  m.last = num(f.lastPrice);
  m.open = num(f.prevPrice24h);
  m.high = num(f.highPrice24h);
  m.low = num(f.lowPrice24h);
  m.volume = num(f.volume24h);
  m.quoteVolume = num(f.turnover24h);
  m.changePct = changePctOf(f.price24hPcnt);
  m.change = changeOf(f);
  m.bid = optionalNum(f.bid1Price);
  m.ask = optionalNum(f.ask1Price);
  m.markPrice = optionalNum(f.markPrice);
  m.indexPrice = optionalNum(f.indexPrice);
  m.fundingRate = optionalNum(f.fundingRate);
  m.nextFundingTime = optionalNum(f.nextFundingTime);
  m.openInterest = optionalNum(f.openInterest);
}

const TICKER = 1;
const DERIV = 2;

/**
 * Merges a delta into `m` (what Object.assign does for a JSON object: own enumerable keys, [[Set]]
 * each) and converts the fields it changed. Returns which messages changed: TICKER | DERIV bits.
 */
function mergeDelta(m: Merged, delta: Fields): number {
  const f = m.fields;
  let changed = 0;
  let change = false;
  let all = false;
  for (const k in delta) {
    const v = delta[k];
    if (v !== f[k]) {
      switch (k) {
        case "lastPrice":
          m.last = num(v);
          change = true;
          changed |= TICKER;
          break;
        case "prevPrice24h":
          m.open = num(v);
          change = true;
          changed |= TICKER;
          break;
        case "price24hPcnt":
          m.changePct = changePctOf(v);
          changed |= TICKER;
          break;
        case "highPrice24h":
          m.high = num(v);
          changed |= TICKER;
          break;
        case "lowPrice24h":
          m.low = num(v);
          changed |= TICKER;
          break;
        case "volume24h":
          m.volume = num(v);
          changed |= TICKER;
          break;
        case "turnover24h":
          m.quoteVolume = num(v);
          changed |= TICKER;
          break;
        case "bid1Price":
          m.bid = optionalNum(v);
          changed |= TICKER;
          break;
        case "ask1Price":
          m.ask = optionalNum(v);
          changed |= TICKER;
          break;
        case "markPrice":
          m.markPrice = optionalNum(v);
          changed |= DERIV;
          break;
        case "indexPrice":
          m.indexPrice = optionalNum(v);
          changed |= DERIV;
          break;
        case "fundingRate":
          m.fundingRate = optionalNum(v);
          changed |= DERIV;
          break;
        case "nextFundingTime":
          m.nextFundingTime = optionalNum(v);
          changed |= DERIV;
          break;
        case "openInterest":
          m.openInterest = optionalNum(v);
          changed |= DERIV;
          break;
        case "__proto__":
          // [[Set]] of "__proto__" replaces the fields' prototype: any field may read otherwise now
          all = true;
          break;
      }
    }
    f[k] = v;
  }
  if (all) convertAll(m);
  else if (change) m.change = changeOf(f);
  return changed;
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

  const bySymbol = symbolState<Merged>(ctx.state, TICKERS);
  let m = bySymbol.get(symbol);
  let changed = TICKER | DERIV;
  if (type === "snapshot") {
    m = fromSnapshot({ ...data });
    bySymbol.set(symbol, m);
  } else {
    if (m === undefined) {
      return invalid("delta_without_snapshot", `tickers.${symbol}: a delta before any snapshot`);
    }
    changed = mergeDelta(m, data);
  }

  const messages: MarketMessage[] = [];
  if ((changed & TICKER) !== 0) {
    const t = buildTicker(m, market, symbol, ts, ctx.recvTs);
    if ("kind" in t) return t;
    messages.push(t);
  }
  if (category === "linear" && (changed & DERIV) !== 0) {
    const d = buildDeriv(m, market, symbol, ts, ctx.recvTs);
    if ("kind" in d) return d;
    messages.push(d);
  }
  return messages.length > 0 ? { kind: "data", messages } : UNCHANGED;
}

// The messages are built field by field, in the schema's order (no spread of a shared base:
// a spread copies property by property, ~4 % of a linear tickers frame). Bad fields are reported
// in the order they were always checked.

function buildTicker(
  m: Merged,
  market: string,
  symbol: string,
  ts: number,
  recvTs: number,
): Ticker | FrameResult {
  const what = "tickers";
  const s = m.fields;
  if (Number.isNaN(m.last)) return badField(what, "lastPrice", s.lastPrice);
  if (Number.isNaN(m.open)) return badField(what, "prevPrice24h", s.prevPrice24h);
  if (Number.isNaN(m.high)) return badField(what, "highPrice24h", s.highPrice24h);
  if (Number.isNaN(m.low)) return badField(what, "lowPrice24h", s.lowPrice24h);
  if (Number.isNaN(m.volume)) return badField(what, "volume24h", s.volume24h);
  if (Number.isNaN(m.quoteVolume)) return badField(what, "turnover24h", s.turnover24h);
  if (Number.isNaN(m.changePct)) return badField(what, "price24hPcnt", s.price24hPcnt);
  if (Number.isNaN(m.change)) return badField(what, "prevPrice24h", s.prevPrice24h);
  if (Number.isNaN(m.bid)) return badField(what, "bid1Price", s.bid1Price);
  if (Number.isNaN(m.ask)) return badField(what, "ask1Price", s.ask1Price);
  return {
    type: "ticker",
    exchange: EXCHANGE,
    market,
    symbol,
    ts,
    recvTs,
    last: m.last,
    open: m.open,
    high: m.high,
    low: m.low,
    volume: m.volume,
    quoteVolume: m.quoteVolume,
    change: m.change,
    changePct: m.changePct,
    bid: m.bid,
    ask: m.ask,
  };
}

function buildDeriv(
  m: Merged,
  market: string,
  symbol: string,
  ts: number,
  recvTs: number,
): Deriv | FrameResult {
  const what = "tickers";
  const s = m.fields;
  if (Number.isNaN(m.markPrice)) return badField(what, "markPrice", s.markPrice);
  if (Number.isNaN(m.indexPrice)) return badField(what, "indexPrice", s.indexPrice);
  if (Number.isNaN(m.fundingRate)) return badField(what, "fundingRate", s.fundingRate);
  if (Number.isNaN(m.nextFundingTime)) return badField(what, "nextFundingTime", s.nextFundingTime);
  if (Number.isNaN(m.openInterest)) return badField(what, "openInterest", s.openInterest);
  return {
    type: "deriv",
    exchange: EXCHANGE,
    market,
    symbol,
    ts,
    recvTs,
    markPrice: m.markPrice,
    indexPrice: m.indexPrice,
    fundingRate: m.fundingRate,
    // dated futures send "" (or 0): no funding
    nextFundingTime: m.nextFundingTime === 0 ? null : m.nextFundingTime,
    openInterest: m.openInterest,
  };
}
