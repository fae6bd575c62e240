import type { BookSnapshot, Level } from "../../market/book.ts";
import type { MarketSpec } from "../../market/spec.ts";
import type { Bbo, Candle, SimDeriv, SimTrade, TickerState } from "../../market/types.ts";

/**
 * BingX wire formats as the docs and recordings show them (before gzip). Spot wraps payloads as
 * `{"code":0,"data":{...},"dataType":..,"success":true}` and writes many numbers as JSON numbers;
 * swap writes `{"code":0,"dataType":..,"data":..}` with decimal strings and sends trades as an array,
 * newest first. Simulator deviation: every trade carries its id `t` (real swap trades have none;
 * the ground truth is keyed by id).
 */

export class Fmt {
  constructor(readonly spec: MarketSpec) {}
  px(v: number): string {
    return v.toFixed(this.spec.priceDecimals);
  }
  qty(v: number): string {
    return v.toFixed(this.spec.qtyDecimals);
  }
  /** A quote-asset amount: as many decimals as the price has, at least 2. */
  quote(v: number): string {
    return v.toFixed(Math.max(2, this.spec.priceDecimals));
  }
}

/** `2023-10-02T18:51:55.089+0800`: the form of the spot heartbeat's time (UTC+8). */
export function heartbeatTime(now: number): string {
  return new Date(now + 8 * 3_600_000).toISOString().replace("Z", "+0800");
}

export function spotPing(id: string, now: number): string {
  return `{"ping":"${id}","time":"${heartbeatTime(now)}"}`;
}

// ----------------------------------------------------------------------------------------------
// spot

export function spotTrade(dataType: string, symbol: string, f: Fmt, t: SimTrade, now: number): string {
  return `{"code":0,"data":{"E":${now},"T":${t.ts},"e":"trade","m":${t.side === "sell"},"p":"${f.px(t.price)}","q":"${f.qty(t.amount)}","s":"${symbol}","t":"${t.id}"},"dataType":"${dataType}","success":true,"timestamp":${now}}`;
}

export function spotBookTicker(dataType: string, symbol: string, f: Fmt, b: Bbo): string {
  return `{"code":0,"data":{"A":"${f.qty(b.askAmount)}","B":"${f.qty(b.bidAmount)}","E":${b.ts},"a":"${f.px(b.askPrice)}","b":"${f.px(b.bidPrice)}","e":"bookTicker","s":"${symbol}"},"dataType":"${dataType}","success":true}`;
}

function changePct(s: TickerState): number {
  return s.open === 0 ? 0 : Number((((s.last - s.open) / s.open) * 100).toFixed(2));
}

export function spotTicker(
  dataType: string,
  symbol: string,
  f: Fmt,
  s: TickerState,
  b: Bbo,
  now: number,
): string {
  return (
    `{"code":0,"timestamp":${now},"dataType":"${dataType}","data":{"e":"24hTicker","E":${now},"s":"${symbol}",` +
    `"p":${f.px(s.last - s.open)},"P":"${changePct(s).toFixed(2)}%","o":${f.px(s.open)},"h":${f.px(s.high)},` +
    `"l":${f.px(s.low)},"c":${f.px(s.last)},"v":${f.qty(s.volume)},"q":${f.quote(s.quoteVolume)},"O":${s.openTime},` +
    `"C":${now},"A":${f.px(b.askPrice)},"a":${f.qty(b.askAmount)},"B":${f.px(b.bidPrice)},"b":${f.qty(b.bidAmount)},"n":${s.count}}}`
  );
}

export function spotLastPrice(dataType: string, symbol: string, f: Fmt, price: number): string {
  return `{"code":0,"data":{"c":"${f.px(price)}","e":"lastPriceUpdate","s":"${symbol}"},"dataType":"${dataType}","success":true}`;
}

export function spotKline(
  dataType: string,
  symbol: string,
  name: string,
  f: Fmt,
  c: Candle,
  now: number,
): string {
  return (
    `{"code":0,"data":{"E":${now},"K":{"T":${c.closeTime},"c":"${f.px(c.close)}","h":"${f.px(c.high)}","i":"${name}",` +
    `"l":"${f.px(c.low)}","n":${c.trades},"o":"${f.px(c.open)}","q":"${f.quote(c.quoteVolume)}","s":"${symbol}",` +
    `"t":${c.openTime},"v":"${f.qty(c.volume)}"},"e":"kline","s":"${symbol}"},"dataType":"${dataType}","success":true}`
  );
}

function pairs(f: Fmt, ls: readonly Level[]): string {
  let out = "[";
  for (let i = 0; i < ls.length; i++) {
    const l = ls[i]!;
    if (i > 0) out += ",";
    out += `["${f.px(l[0])}","${f.qty(l[1])}"]`;
  }
  return `${out}]`;
}

function priceMap(f: Fmt, ls: readonly Level[]): string {
  let out = "{";
  for (let i = 0; i < ls.length; i++) {
    const l = ls[i]!;
    if (i > 0) out += ",";
    out += `"${f.px(l[0])}":"${f.qty(l[1])}"`;
  }
  return `${out}}`;
}

/** Asks go out best-last, as BingX sends them. */
function descendingAsks(asks: readonly Level[]): Level[] {
  return asks.slice().reverse();
}

export function spotDepth(dataType: string, f: Fmt, s: BookSnapshot, now: number): string {
  return `{"code":0,"data":{"asks":${pairs(f, descendingAsks(s.asks))},"bids":${pairs(f, s.bids)},"lastUpdateId":${s.lastUpdateId}},"dataType":"${dataType}","success":true,"timestamp":${now}}`;
}

export function spotIncrDepth(
  dataType: string,
  f: Fmt,
  action: "all" | "update",
  lastUpdateId: number,
  sourceUpdateId: number,
  bids: readonly Level[],
  asks: readonly Level[],
  now: number,
): string {
  return `{"code":0,"timestamp":${now},"success":true,"dataType":"${dataType}","data":{"action":"${action}","lastUpdateId":${lastUpdateId},"sourceUpdateId":${sourceUpdateId},"asks":${priceMap(f, asks)},"bids":${priceMap(f, bids)}}}`;
}

// ----------------------------------------------------------------------------------------------
// swap

/** One frame per batch, newest trade first. */
export function swapTrades(dataType: string, symbol: string, f: Fmt, trades: readonly SimTrade[]): string {
  let out = `{"code":0,"dataType":"${dataType}","data":[`;
  for (let i = trades.length - 1; i >= 0; i--) {
    const t = trades[i]!;
    if (i < trades.length - 1) out += ",";
    out += `{"q":"${f.qty(t.amount)}","p":"${f.px(t.price)}","T":${t.ts},"m":${t.side === "sell"},"s":"${symbol}","t":"${t.id}"}`;
  }
  return `${out}]}`;
}

export function swapBookTicker(dataType: string, symbol: string, f: Fmt, b: Bbo, now: number): string {
  return `{"code":0,"dataType":"${dataType}","data":{"e":"bookTicker","u":${b.updateId},"E":${now},"T":${b.ts},"s":"${symbol}","b":"${f.px(b.bidPrice)}","B":"${f.qty(b.bidAmount)}","a":"${f.px(b.askPrice)}","A":"${f.qty(b.askAmount)}"}}`;
}

export function swapTicker(
  dataType: string,
  symbol: string,
  f: Fmt,
  s: TickerState,
  b: Bbo,
  now: number,
): string {
  return (
    `{"code":0,"dataType":"${dataType}","data":{"e":"24hTicker","E":${now},"s":"${symbol}","p":"${f.px(s.last - s.open)}",` +
    `"P":"${changePct(s).toFixed(2)}","c":"${f.px(s.last)}","L":"${f.qty(s.lastAmount)}","h":"${f.px(s.high)}",` +
    `"l":"${f.px(s.low)}","v":"${f.qty(s.volume)}","q":"${f.quote(s.quoteVolume)}","o":"${f.px(s.open)}",` +
    `"O":${s.openTime},"C":${s.ts},"A":"${f.px(b.askPrice)}","a":"${f.qty(b.askAmount)}","B":"${f.px(b.bidPrice)}","b":"${f.qty(b.bidAmount)}"}}`
  );
}

export function swapLastPrice(dataType: string, symbol: string, f: Fmt, price: number, now: number): string {
  return `{"code":0,"dataType":"${dataType}","data":{"e":"lastPriceUpdate","E":${now},"s":"${symbol}","c":"${f.px(price)}"}}`;
}

export function swapMarkPrice(dataType: string, symbol: string, f: Fmt, d: SimDeriv, now: number): string {
  return `{"code":0,"dataType":"${dataType}","data":{"e":"markPriceUpdate","E":${now},"s":"${symbol}","p":"${f.px(d.markPrice)}"}}`;
}

/** Swap klines: `T` is the OPEN time; no close time, quote volume or trade count. */
export function swapKline(dataType: string, symbol: string, f: Fmt, c: Candle): string {
  return `{"code":0,"dataType":"${dataType}","s":"${symbol}","data":[{"c":"${f.px(c.close)}","o":"${f.px(c.open)}","h":"${f.px(c.high)}","l":"${f.px(c.low)}","v":"${f.qty(c.volume)}","T":${c.openTime}}]}`;
}

export function swapDepth(dataType: string, f: Fmt, s: BookSnapshot, now: number): string {
  return `{"code":0,"dataType":"${dataType}","ts":${now},"data":{"bids":${pairs(f, s.bids)},"asks":${pairs(f, descendingAsks(s.asks))}}}`;
}

export function swapIncrDepth(
  dataType: string,
  f: Fmt,
  action: "all" | "update",
  lastUpdateId: number,
  bids: readonly Level[],
  asks: readonly Level[],
  now: number,
): string {
  return `{"code":0,"dataType":"${dataType}","data":{"action":"${action}","lastUpdateId":${lastUpdateId},"time":${now},"bids":${pairs(f, bids)},"asks":${pairs(f, asks)}}}`;
}
