import type { MarketSpec } from "../../market/spec.ts";
import type { Bbo, Candle, SimTrade, TickerState } from "../../market/types.ts";
import type { BookChanges, PrintedLevel } from "./book-view.ts";
import { price, qty, rfc3339, rfc3339Nanos } from "./format.ts";

/**
 * Kraken WebSocket v2 frames, built as strings (numbers printed with the pair's precision, which a
 * JSON serializer would not keep). Field order as in Kraken's documentation.
 */

export function tradeFrame(
  type: "snapshot" | "update",
  symbol: string,
  spec: MarketSpec,
  trades: readonly SimTrade[],
): string {
  let data = "";
  for (let i = 0; i < trades.length; i++) {
    const t = trades[i]!;
    if (i > 0) data += ",";
    data += `{"symbol":"${symbol}","side":"${t.side}","price":${price(spec, t.price)},"qty":${qty(spec, t.amount)},"ord_type":"market","trade_id":${t.id},"timestamp":"${rfc3339(t.ts)}"}`;
  }
  return `{"channel":"trade","type":"${type}","data":[${data}]}`;
}

export function tickerFrame(
  type: "snapshot" | "update",
  symbol: string,
  spec: MarketSpec,
  s: TickerState,
  b: Bbo,
  now: number,
): string {
  const vwap = s.volume > 0 ? s.quoteVolume / s.volume : s.last;
  const change = s.last - s.open;
  const pct = s.open === 0 ? 0 : (change / s.open) * 100;
  return (
    `{"channel":"ticker","type":"${type}","data":[{"symbol":"${symbol}","bid":${price(spec, b.bidPrice)},"bid_qty":${qty(spec, b.bidAmount)},` +
    `"ask":${price(spec, b.askPrice)},"ask_qty":${qty(spec, b.askAmount)},"last":${price(spec, s.last)},"volume":${s.volume.toFixed(8)},` +
    `"vwap":${vwap.toFixed(spec.priceDecimals + 2)},"low":${price(spec, s.low)},"high":${price(spec, s.high)},` +
    `"change":${price(spec, change)},"change_pct":${pct.toFixed(2)},"timestamp":"${rfc3339(now)}"}]}`
  );
}

function levels(ls: readonly PrintedLevel[]): string {
  let out = "[";
  for (let i = 0; i < ls.length; i++) {
    if (i > 0) out += ",";
    out += `{"price":${ls[i]![0]},"qty":${ls[i]![1]}}`;
  }
  return `${out}]`;
}

export function bookFrame(
  type: "snapshot" | "update",
  symbol: string,
  book: BookChanges,
  checksum: number,
  now: number,
): string {
  return `{"channel":"book","type":"${type}","data":[{"symbol":"${symbol}","bids":${levels(book.bids)},"asks":${levels(book.asks)},"checksum":${checksum},"timestamp":"${rfc3339(now)}"}]}`;
}

export function ohlcFrame(
  type: "snapshot" | "update",
  symbol: string,
  spec: MarketSpec,
  minutes: number,
  candles: readonly Candle[],
  now: number,
): string {
  let data = "";
  for (let i = 0; i < candles.length; i++) {
    const c = candles[i]!;
    const vwap = c.volume > 0 ? c.quoteVolume / c.volume : c.close;
    if (i > 0) data += ",";
    data +=
      `{"symbol":"${symbol}","open":${price(spec, c.open)},"high":${price(spec, c.high)},"low":${price(spec, c.low)},` +
      `"close":${price(spec, c.close)},"trades":${c.trades},"volume":${c.volume.toFixed(8)},"vwap":${vwap.toFixed(spec.priceDecimals + 2)},` +
      `"interval_begin":"${rfc3339Nanos(c.openTime)}","interval":${minutes},"timestamp":"${rfc3339(c.closeTime + 1)}"}`;
  }
  return `{"channel":"ohlc","type":"${type}","timestamp":"${rfc3339(now)}","data":[${data}]}`;
}

export const HEARTBEAT_FRAME = '{"channel":"heartbeat"}';

export function statusFrame(connectionId: number): string {
  return `{"channel":"status","type":"update","data":[{"api_version":"v2","connection_id":${connectionId},"system":"online","version":"2.0.10"}]}`;
}
