import type { DepthDiff, Level } from "../../../market/book.ts";
import type { MarketSpec } from "../../../market/spec.ts";
import type { Bbo, Candle, SimDeriv, SimLiquidation, SimTrade, TickerState } from "../../../market/types.ts";

/**
 * Binance USD-M wire formats, field order as recorded. Unlike spot's fixed 8 decimals, futures
 * send prices and quantities with the contract's precision ("0.01731", "7.6120"); mark, index and
 * funding keep 8 decimals. Built as strings: this is the hot path.
 */

/** Number formats of one contract. */
export interface WireFormat {
  price(v: number): string;
  qty(v: number): string;
  /** Quote amounts (price × quantity): both precisions, at most 8 decimals. */
  quote(v: number): string;
}

export function wireFormat(spec: MarketSpec): WireFormat {
  const pd = spec.priceDecimals;
  const qd = spec.qtyDecimals;
  const vd = Math.min(8, pd + qd);
  return {
    price: (v) => v.toFixed(pd),
    qty: (v) => v.toFixed(qd),
    quote: (v) => v.toFixed(vd),
  };
}

const f8 = (v: number): string => v.toFixed(8);

/** Every simulated trade fills one taker order, so each aggTrade holds exactly one trade (a = f = l). */
export function aggTradePayload(symbol: string, f: WireFormat, t: SimTrade, eventTime: number): string {
  return `{"e":"aggTrade","E":${eventTime},"a":${t.id},"s":"${symbol}","p":"${f.price(t.price)}","q":"${f.qty(t.amount)}","f":${t.id},"l":${t.id},"T":${t.ts},"m":${t.side === "sell"}}`;
}

export function bookTickerPayload(symbol: string, f: WireFormat, b: Bbo, eventTime: number): string {
  return `{"e":"bookTicker","u":${b.updateId},"s":"${symbol}","b":"${f.price(b.bidPrice)}","B":"${f.qty(b.bidAmount)}","a":"${f.price(b.askPrice)}","A":"${f.qty(b.askAmount)}","T":${b.ts},"E":${eventTime}}`;
}

function levels(f: WireFormat, ls: readonly Level[]): string {
  let out = "[";
  for (let i = 0; i < ls.length; i++) {
    const l = ls[i]!;
    if (i > 0) out += ",";
    out += `["${f.price(l[0])}","${f.qty(l[1])}"]`;
  }
  return `${out}]`;
}

/** `pu` is the `u` of the stream's previous event: the USD-M continuity rule. */
export function depthUpdatePayload(
  symbol: string,
  f: WireFormat,
  d: DepthDiff,
  prevU: number,
  eventTime: number,
): string {
  return `{"e":"depthUpdate","E":${eventTime},"T":${eventTime},"s":"${symbol}","U":${d.firstUpdateId},"u":${d.lastUpdateId},"pu":${prevU},"b":${levels(f, d.bids)},"a":${levels(f, d.asks)}}`;
}

export function depthSnapshotBody(
  f: WireFormat,
  s: { lastUpdateId: number; bids: Level[]; asks: Level[] },
  now: number,
): string {
  return `{"lastUpdateId":${s.lastUpdateId},"E":${now},"T":${now},"bids":${levels(f, s.bids)},"asks":${levels(f, s.asks)}}`;
}

function changePercent(s: TickerState): string {
  return s.open === 0 ? "0.000" : (((s.last - s.open) / s.open) * 100).toFixed(3);
}

/** The futures 24h ticker: no best bid/ask and no previous close, unlike spot's. */
export function tickerPayload(symbol: string, f: WireFormat, s: TickerState, now: number): string {
  const wavg = s.volume > 0 ? s.quoteVolume / s.volume : 0;
  return (
    `{"e":"24hrTicker","E":${now},"s":"${symbol}","p":"${f.price(s.last - s.open)}","P":"${changePercent(s)}",` +
    `"w":"${f.price(wavg)}","c":"${f.price(s.last)}","Q":"${f.qty(s.lastAmount)}","o":"${f.price(s.open)}",` +
    `"h":"${f.price(s.high)}","l":"${f.price(s.low)}","v":"${f.qty(s.volume)}","q":"${f.quote(s.quoteVolume)}",` +
    `"O":${s.openTime},"C":${now},"F":${s.firstId},"L":${s.lastId},"n":${s.count}}`
  );
}

export function klinePayload(symbol: string, f: WireFormat, c: Candle, eventTime: number): string {
  return (
    `{"e":"kline","E":${eventTime},"s":"${symbol}","k":{"t":${c.openTime},"T":${c.closeTime},"s":"${symbol}","i":"${c.interval}",` +
    `"f":${c.firstId},"L":${c.lastId},"o":"${f.price(c.open)}","c":"${f.price(c.close)}","h":"${f.price(c.high)}","l":"${f.price(c.low)}",` +
    `"v":"${f.qty(c.volume)}","n":${c.trades},"x":${c.closed},"q":"${f.quote(c.quoteVolume)}",` +
    `"V":"${f.qty(c.takerBuyVolume)}","Q":"${f.quote(c.takerBuyQuoteVolume)}","B":"0"}}`
  );
}

/**
 * The 2026 field set (recorded): p mark, ap (equal to p in the recordings), P estimated settle
 * price (we send the index), i index, r funding rate, T next funding time, st (1 as recorded).
 */
export function markPricePayload(symbol: string, d: SimDeriv, eventTime: number): string {
  return `{"e":"markPriceUpdate","E":${eventTime},"s":"${symbol}","p":"${f8(d.markPrice)}","ap":"${f8(d.markPrice)}","P":"${f8(d.indexPrice)}","i":"${f8(d.indexPrice)}","r":"${f8(d.fundingRate)}","T":${d.nextFundingTime},"st":1}`;
}

/** The liquidation order that took part in a trade: filled at the trade's price and amount. */
export function forceOrderPayload(
  symbol: string,
  f: WireFormat,
  l: SimLiquidation,
  eventTime: number,
): string {
  const px = f.price(l.price);
  const q = f.qty(l.amount);
  return `{"e":"forceOrder","E":${eventTime},"o":{"s":"${symbol}","S":"${l.side === "sell" ? "SELL" : "BUY"}","o":"LIMIT","f":"IOC","q":"${q}","p":"${px}","ap":"${px}","X":"FILLED","l":"${q}","z":"${q}","T":${l.ts}}}`;
}

/** Kline row of GET /fapi/v1/klines. */
export function klineRow(f: WireFormat, c: Candle): Array<number | string> {
  return [
    c.openTime,
    f.price(c.open),
    f.price(c.high),
    f.price(c.low),
    f.price(c.close),
    f.qty(c.volume),
    c.closeTime,
    f.quote(c.quoteVolume),
    c.trades,
    f.qty(c.takerBuyVolume),
    f.quote(c.takerBuyQuoteVolume),
    "0",
  ];
}
