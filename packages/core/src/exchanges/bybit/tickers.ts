import type { FrameResult, ParseContext } from "../../adapter.ts";
import type { Deriv, MarketMessage, Ticker } from "../../schemas/messages.ts";
import { epochMsInteger, isObject } from "../wire/fields.ts";
import { badField, ignoredFrozen, unknownSymbol } from "../wire/frame-results.ts";
import { textIs } from "../wire/json-text.ts";
import { symbolState } from "../wire/symbol-state.ts";
import { EXCHANGE, invalid } from "./results.ts";
import type { Category } from "./symbols.ts";
import {
  convert,
  convertAll,
  convertChange,
  DERIV,
  FIELD_INDEX,
  FIELDS,
  fieldsObject,
  fieldValue,
  holds,
  LAST,
  Merged,
  OPEN,
  setField,
  setFieldText,
  TICKER,
} from "./ticker-state.ts";
import type { ScannedTickers } from "./tickers-scan.ts";
import { framedSymbol } from "./topics.ts";

/**
 * `tickers.<S>` frames. Derivatives send a `snapshot` then `delta`s that carry only the fields
 * that changed, so every delta is merged into the last snapshot of its symbol, kept in the
 * connection's parser state (emptied on reconnect, when Bybit sends a fresh snapshot). Spot sends
 * snapshots only. A linear push yields a ticker when a ticker field changed and a deriv message
 * (mark, index, funding, open interest) when one of those changed; a snapshot yields both.
 * Frames come parsed (parseTickers) or as their text read by tickers-scan.ts (parseScannedTickers);
 * both merge into the same state (ticker-state.ts) with the same checks in the same order.
 */

const UNCHANGED = ignoredFrozen("ticker_unchanged");

type Fields = Record<string, unknown>;

/** The connection state's key of the merged tickers, per symbol. */
const TICKERS = "tickers";

/** The merged fields of a symbol's tickers topic that the messages read (for tests and tools). */
export function tickerState(ctx: ParseContext, symbol: string): Readonly<Fields> | undefined {
  const m = (ctx.state.get(TICKERS) as Map<string, Merged> | undefined)?.get(symbol);
  return m === undefined ? undefined : fieldsObject(m);
}

/** A snapshot's state: its fields as `{...data}` gives them. */
function fromSnapshot(data: Fields): Merged {
  const m = new Merged();
  // an own "__proto__" key stays an own property of the copy: the merge must then run on it
  if (Object.hasOwn(data, "__proto__")) m.fields = { ...data };
  const f = m.fields ?? data;
  for (let i = 0; i < FIELDS.length; i++) setField(m, i, f[FIELDS[i]!]);
  convertAll(m);
  return m;
}

/**
 * Merges a delta into `m`, as Object.assign into the fields object did (own enumerable keys,
 * [[Set]] each), and converts the fields it changed. Returns which messages changed: TICKER |
 * DERIV bits.
 */
function mergeDelta(m: Merged, delta: Fields): number {
  let changed = 0;
  let change = false;
  let all = false;
  for (const k in delta) {
    const v = delta[k];
    if (k === "__proto__" && m.fields === undefined) m.fields = fieldsObject(m);
    const f = m.fields;
    const i = FIELD_INDEX.get(k);
    let same: boolean;
    if (f !== undefined) {
      same = v === f[k];
      f[k] = v;
      if (k === "__proto__") {
        // [[Set]] of "__proto__" may replace the fields' prototype: any field may read otherwise now
        if (!same) {
          all = true;
          for (let j = 0; j < FIELDS.length; j++) setField(m, j, f[FIELDS[j]!]);
        }
        continue;
      }
    } else same = i === undefined || holds(m, i, v);
    if (i === undefined || same) continue;
    setField(m, i, v);
    changed |= convert(m, i);
    if (i === LAST || i === OPEN) change = true;
  }
  if (all) convertAll(m);
  else if (change) convertChange(m);
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
    m = fromSnapshot(data);
    bySymbol.set(symbol, m);
  } else {
    if (m === undefined) return noSnapshot(symbol);
    changed = mergeDelta(m, data);
  }

  return messagesOf(m, changed, market, symbol, ts, ctx.recvTs, category);
}

/**
 * A `tickers` frame read from its text (tickers-scan.ts) whose checks passed: the same result
 * as parseTickers. Undefined when it goes the JSON.parse way (another data.symbol, a merge that
 * runs on a fields object), with nothing changed.
 */
export function parseScannedTickers(
  text: string,
  t: ScannedTickers,
  symbol: string,
  ctx: ParseContext,
  category: Category,
): FrameResult | undefined {
  if (t.symbolStart >= 0 && !textIs(text, t.symbolStart, t.symbolEnd, symbol)) return undefined;
  // from here the JSON way's checks in its order, with its results
  const market = ctx.marketOf(symbol);
  if (market === undefined) return unknownSymbol("tickers", symbol);
  const ts = epochMsInteger(t.ts);
  if (Number.isNaN(ts)) return badField("tickers", "ts", t.ts);
  const bySymbol = symbolState<Merged>(ctx.state, TICKERS);
  let m = bySymbol.get(symbol);
  let changed = TICKER | DERIV;
  if (t.snapshot) {
    m = new Merged();
    for (let i = 0; i < FIELDS.length; i++) {
      const start = t.at[2 * i]!;
      if (start >= 0) setFieldText(m, i, text, start, t.at[2 * i + 1]!, t.digits[i]!, t.scale[i]!);
    }
    convertAll(m);
    bySymbol.set(symbol, m);
  } else {
    if (m === undefined) return noSnapshot(symbol);
    if (m.fields !== undefined) return undefined;
    changed = 0;
    let change = false;
    for (let i = 0; i < FIELDS.length; i++) {
      const start = t.at[2 * i]!;
      if (start < 0 || !setFieldText(m, i, text, start, t.at[2 * i + 1]!, t.digits[i]!, t.scale[i]!))
        continue;
      changed |= convert(m, i);
      if (i === LAST || i === OPEN) change = true;
    }
    if (change) convertChange(m);
  }
  return messagesOf(m, changed, market, symbol, ts, ctx.recvTs, category);
}

function messagesOf(
  m: Merged,
  changed: number,
  market: string,
  symbol: string,
  ts: number,
  recvTs: number,
  category: Category,
): FrameResult {
  const messages: MarketMessage[] = [];
  if ((changed & TICKER) !== 0) {
    const t = buildTicker(m, market, symbol, ts, recvTs);
    if ("kind" in t) return t;
    messages.push(t);
  }
  if (category === "linear" && (changed & DERIV) !== 0) {
    const d = buildDeriv(m, market, symbol, ts, recvTs);
    if ("kind" in d) return d;
    messages.push(d);
  }
  return messages.length > 0 ? { kind: "data", messages } : UNCHANGED;
}

function noSnapshot(symbol: string): FrameResult {
  return invalid("delta_without_snapshot", `tickers.${symbol}: a delta before any snapshot`);
}

/** Field i (of FIELDS) cannot be read. */
function bad(m: Merged, i: number): FrameResult {
  return badField("tickers", FIELDS[i]!, fieldValue(m, i));
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
  if (Number.isNaN(m.last)) return bad(m, 0);
  if (Number.isNaN(m.open)) return bad(m, 1);
  if (Number.isNaN(m.high)) return bad(m, 3);
  if (Number.isNaN(m.low)) return bad(m, 4);
  if (Number.isNaN(m.volume)) return bad(m, 5);
  if (Number.isNaN(m.quoteVolume)) return bad(m, 6);
  if (Number.isNaN(m.changePct)) return bad(m, 2);
  if (Number.isNaN(m.change)) return bad(m, 1);
  if (Number.isNaN(m.bid)) return bad(m, 7);
  if (Number.isNaN(m.ask)) return bad(m, 8);
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
  if (Number.isNaN(m.markPrice)) return bad(m, 9);
  if (Number.isNaN(m.indexPrice)) return bad(m, 10);
  if (Number.isNaN(m.fundingRate)) return bad(m, 11);
  if (Number.isNaN(m.nextFundingTime)) return bad(m, 12);
  if (Number.isNaN(m.openInterest)) return bad(m, 13);
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
