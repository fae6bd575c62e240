import type { Level } from "../../market/book.ts";
import type { Candle, SimLiquidation, SimTrade } from "../../market/types.ts";
import type { Category } from "./symbols.ts";

/**
 * Bybit v5 public wire formats, field order as recorded: spot pushes `{topic, ts, type, data}` with
 * trimmed decimals ("77140"), linear `{topic, type, ts, data}` with the instrument's fixed decimals
 * ("28560.50"). Built as strings where the volume is (trades, books).
 */

/** Number formatting of one market: linear keeps the price scale, spot trims trailing zeros. */
export class Decimals {
  constructor(
    private readonly category: Category,
    private readonly priceDecimals: number,
    private readonly qtyDecimals: number,
  ) {}

  price(v: number): string {
    return this.fmt(v, this.priceDecimals);
  }

  qty(v: number): string {
    return this.fmt(v, this.qtyDecimals);
  }

  /** A value with more decimals than the price scale (index price, volumes in quote). */
  fine(v: number, decimals: number): string {
    return this.fmt(v, decimals);
  }

  private fmt(v: number, decimals: number): string {
    const s = v.toFixed(decimals);
    if (this.category === "linear" || s.indexOf(".") < 0) return s;
    let end = s.length;
    while (s.charCodeAt(end - 1) === 48) end--; // "0"
    if (s.charCodeAt(end - 1) === 46) end--; // "."
    return s.slice(0, end);
  }
}

export type TickDirection = "PlusTick" | "ZeroPlusTick" | "MinusTick" | "ZeroMinusTick";

export interface WireTrade {
  trade: SimTrade;
  /** Cross sequence: the book update id the trade produced. */
  seq: number;
  tick: TickDirection;
}

const side = (s: "buy" | "sell") => (s === "buy" ? "Buy" : "Sell");

export function tradeFrame(
  category: Category,
  symbol: string,
  trades: readonly WireTrade[],
  d: Decimals,
  now: number,
): string {
  let data = "";
  for (let i = 0; i < trades.length; i++) {
    const { trade: t, seq, tick } = trades[i]!;
    if (i > 0) data += ",";
    data +=
      category === "spot"
        ? `{"i":"${t.id}","T":${t.ts},"p":"${d.price(t.price)}","v":"${d.qty(t.amount)}","S":"${side(t.side)}","seq":${seq},"s":"${symbol}","BT":false,"RPI":false}`
        : `{"T":${t.ts},"s":"${symbol}","S":"${side(t.side)}","v":"${d.qty(t.amount)}","p":"${d.price(t.price)}","L":"${tick}","i":"${t.id}","BT":false,"RPI":false,"seq":${seq}}`;
  }
  return category === "spot"
    ? `{"topic":"publicTrade.${symbol}","ts":${now},"type":"snapshot","data":[${data}]}`
    : `{"topic":"publicTrade.${symbol}","type":"snapshot","ts":${now},"data":[${data}]}`;
}

function levels(ls: readonly Level[], d: Decimals): string {
  let out = "[";
  for (let i = 0; i < ls.length; i++) {
    if (i > 0) out += ",";
    out += `["${d.price(ls[i]![0])}","${d.qty(ls[i]![1])}"]`;
  }
  return `${out}]`;
}

export interface BookPush {
  topic: string;
  symbol: string;
  type: "snapshot" | "delta";
  bids: readonly Level[];
  asks: readonly Level[];
  u: number;
  seq: number;
  /** Matching-engine time of the last change. */
  cts: number;
}

export function bookFrame(p: BookPush, d: Decimals, now: number): string {
  return `{"topic":"${p.topic}","ts":${now},"type":"${p.type}","data":{"s":"${p.symbol}","b":${levels(p.bids, d)},"a":${levels(p.asks, d)},"u":${p.u},"seq":${p.seq}},"cts":${p.cts}}`;
}

/** `GET /v5/market/orderbook` result. */
export function bookResult(
  symbol: string,
  bids: readonly Level[],
  asks: readonly Level[],
  d: Decimals,
  u: number,
  seq: number,
  now: number,
) {
  const rows = (ls: readonly Level[]) => ls.map((l) => [d.price(l[0]), d.qty(l[1])]);
  return { s: symbol, b: rows(bids), a: rows(asks), ts: now, u, seq, cts: now };
}

export function tickerFrame(
  category: Category,
  symbol: string,
  type: "snapshot" | "delta",
  data: Record<string, string>,
  cs: number,
  now: number,
): string {
  const body = JSON.stringify(data);
  return category === "spot"
    ? `{"topic":"tickers.${symbol}","ts":${now},"type":"${type}","cs":${cs},"data":${body}}`
    : `{"topic":"tickers.${symbol}","type":"${type}","data":${body},"cs":${cs},"ts":${now}}`;
}

export function klineFrame(
  topic: string,
  code: string,
  c: Candle,
  d: Decimals,
  lastMatch: number,
  now: number,
): string {
  const k = {
    start: c.openTime,
    end: c.closeTime,
    interval: code,
    open: d.price(c.open),
    close: d.price(c.close),
    high: d.price(c.high),
    low: d.price(c.low),
    volume: d.qty(c.volume),
    turnover: d.fine(c.quoteVolume, 8),
    confirm: c.closed,
    timestamp: lastMatch,
  };
  return `{"topic":"${topic}","data":[${JSON.stringify(k)}],"ts":${now},"type":"snapshot"}`;
}

/** `Buy` = a long position was liquidated, i.e. the liquidation order sold. */
export function liquidationFrame(
  symbol: string,
  liqs: readonly SimLiquidation[],
  d: Decimals,
  now: number,
): string {
  const data = liqs.map((l) => ({
    T: l.ts,
    s: symbol,
    S: l.side === "sell" ? "Buy" : "Sell",
    v: d.qty(l.amount),
    p: d.price(l.price),
  }));
  return `{"topic":"allLiquidation.${symbol}","type":"snapshot","ts":${now},"data":${JSON.stringify(data)}}`;
}

/** REST kline row `[start, open, high, low, close, volume, turnover]`. */
export function klineRow(c: Candle, d: Decimals): string[] {
  return [
    String(c.openTime),
    d.price(c.open),
    d.price(c.high),
    d.price(c.low),
    d.price(c.close),
    d.qty(c.volume),
    d.fine(c.quoteVolume, 8),
  ];
}

export type BookResult = ReturnType<typeof bookResult>;
