import { fixed8 } from "../../core/decimal.ts";
import type { BookSnapshot, DepthDiff, Level } from "../../market/book.ts";
import type { Bbo, Candle, SimTrade, TickerState } from "../../market/types.ts";

/**
 * Binance spot wire formats, byte for byte as recorded (prices and quantities as strings with 8
 * decimals, field order as the exchange sends them). Built as strings: this is the hot path.
 */

export function tradePayload(symbol: string, t: SimTrade, eventTime: number): string {
  return `{"e":"trade","E":${eventTime},"s":"${symbol}","t":${t.id},"p":"${fixed8(t.price)}","q":"${fixed8(t.amount)}","T":${t.ts},"m":${t.side === "sell"},"M":true}`;
}

/** Every simulated trade fills one taker order, so each aggTrade holds exactly one trade. */
export function aggTradePayload(symbol: string, t: SimTrade, eventTime: number): string {
  return `{"e":"aggTrade","E":${eventTime},"s":"${symbol}","a":${t.id},"p":"${fixed8(t.price)}","q":"${fixed8(t.amount)}","f":${t.id},"l":${t.id},"T":${t.ts},"m":${t.side === "sell"},"M":true}`;
}

export function bookTickerPayload(symbol: string, b: Bbo): string {
  return `{"u":${b.updateId},"s":"${symbol}","b":"${fixed8(b.bidPrice)}","B":"${fixed8(b.bidAmount)}","a":"${fixed8(b.askPrice)}","A":"${fixed8(b.askAmount)}"}`;
}

function changePercent(s: TickerState): string {
  return s.open === 0 ? "0.000" : (((s.last - s.open) / s.open) * 100).toFixed(3);
}

function weightedAverage(s: TickerState): number {
  return s.volume > 0 ? s.quoteVolume / s.volume : 0;
}

export function tickerPayload(symbol: string, s: TickerState, b: Bbo, now: number): string {
  return (
    `{"e":"24hrTicker","E":${now},"s":"${symbol}","p":"${fixed8(s.last - s.open)}","P":"${changePercent(s)}",` +
    `"w":"${fixed8(weightedAverage(s))}","x":"${fixed8(s.prevPrice)}","c":"${fixed8(s.last)}","Q":"${fixed8(s.lastAmount)}",` +
    `"b":"${fixed8(b.bidPrice)}","B":"${fixed8(b.bidAmount)}","a":"${fixed8(b.askPrice)}","A":"${fixed8(b.askAmount)}",` +
    `"o":"${fixed8(s.open)}","h":"${fixed8(s.high)}","l":"${fixed8(s.low)}","v":"${fixed8(s.volume)}","q":"${fixed8(s.quoteVolume)}",` +
    `"O":${s.openTime},"C":${now},"F":${s.firstId},"L":${s.lastId},"n":${s.count}}`
  );
}

export function miniTickerPayload(symbol: string, s: TickerState, now: number): string {
  return `{"e":"24hrMiniTicker","E":${now},"s":"${symbol}","c":"${fixed8(s.last)}","o":"${fixed8(s.open)}","h":"${fixed8(s.high)}","l":"${fixed8(s.low)}","v":"${fixed8(s.volume)}","q":"${fixed8(s.quoteVolume)}"}`;
}

export function klinePayload(symbol: string, c: Candle, eventTime: number): string {
  return (
    `{"e":"kline","E":${eventTime},"s":"${symbol}","k":{"t":${c.openTime},"T":${c.closeTime},"s":"${symbol}","i":"${c.interval}",` +
    `"f":${c.firstId},"L":${c.lastId},"o":"${fixed8(c.open)}","c":"${fixed8(c.close)}","h":"${fixed8(c.high)}","l":"${fixed8(c.low)}",` +
    `"v":"${fixed8(c.volume)}","n":${c.trades},"x":${c.closed},"q":"${fixed8(c.quoteVolume)}",` +
    `"V":"${fixed8(c.takerBuyVolume)}","Q":"${fixed8(c.takerBuyQuoteVolume)}","B":"0"}}`
  );
}

function levels(ls: readonly Level[]): string {
  let out = "[";
  for (let i = 0; i < ls.length; i++) {
    const l = ls[i]!;
    if (i > 0) out += ",";
    out += `["${fixed8(l[0])}","${fixed8(l[1])}"]`;
  }
  return `${out}]`;
}

export function depthUpdatePayload(symbol: string, d: DepthDiff, eventTime: number): string {
  return `{"e":"depthUpdate","E":${eventTime},"s":"${symbol}","U":${d.firstUpdateId},"u":${d.lastUpdateId},"b":${levels(d.bids)},"a":${levels(d.asks)}}`;
}

/** Partial book (`@depth5|10|20`) and the REST depth snapshot share this shape. */
export function bookSnapshotPayload(s: BookSnapshot): string {
  return `{"lastUpdateId":${s.lastUpdateId},"bids":${levels(s.bids)},"asks":${levels(s.asks)}}`;
}

export function combined(stream: string, payload: string): string {
  return `{"stream":"${stream}","data":${payload}}`;
}

export function serverShutdownPayload(now: number): string {
  return `{"e":"serverShutdown","E":${now}}`;
}

/** Kline row of GET /api/v3/klines. */
export function klineRow(c: Candle): Array<number | string> {
  return [
    c.openTime,
    fixed8(c.open),
    fixed8(c.high),
    fixed8(c.low),
    fixed8(c.close),
    fixed8(c.volume),
    c.closeTime,
    fixed8(c.quoteVolume),
    c.trades,
    fixed8(c.takerBuyVolume),
    fixed8(c.takerBuyQuoteVolume),
    "0",
  ];
}
