import type { BookSnapshot, Level } from "../../market/book.ts";
import type { MarketSpec } from "../../market/spec.ts";
import type { Bbo, Candle, SimTrade, TickerState } from "../../market/types.ts";

/**
 * WhiteBIT wire formats: JSON-RPC pushes `{"id":null,"method":"<x>_update","params":[...]}`,
 * prices and amounts as decimal strings at the market's precision, times in Unix seconds (with
 * the fraction where WhiteBIT sends one).
 */

export function price(spec: MarketSpec, v: number): string {
  return v.toFixed(spec.priceDecimals);
}

export function amount(spec: MarketSpec, v: number): string {
  return v.toFixed(spec.qtyDecimals);
}

/** Quote volumes carry price × amount decimals (WhiteBIT's `deal`). */
export function money(spec: MarketSpec, v: number): string {
  return v.toFixed(Math.min(12, spec.priceDecimals + spec.qtyDecimals));
}

export function seconds(ms: number): number {
  return ms / 1000;
}

function push(method: string, params: string): string {
  return `{"id":null,"method":"${method}","params":${params}}`;
}

export function tradeObject(spec: MarketSpec, t: SimTrade): string {
  return `{"id":${t.id},"time":${seconds(t.ts)},"price":"${price(spec, t.price)}","amount":"${amount(spec, t.amount)}","type":"${t.side}","rpi":false}`;
}

/** Trades newest first, as WhiteBIT lists them. */
export function tradesUpdate(symbol: string, spec: MarketSpec, newestFirst: readonly SimTrade[]): string {
  return push("trades_update", `["${symbol}",[${newestFirst.map((t) => tradeObject(spec, t)).join(",")}]]`);
}

function stats(spec: MarketSpec, s: TickerState): string {
  return (
    `"last":"${price(spec, s.last)}","open":"${price(spec, s.open)}","close":"${price(spec, s.last)}",` +
    `"high":"${price(spec, s.high)}","low":"${price(spec, s.low)}","volume":"${amount(spec, s.volume)}","deal":"${money(spec, s.quoteVolume)}"`
  );
}

/** The 24 h statistics (the simulated ticker spans the run, shorter than 24 h in tests). */
export function marketUpdate(symbol: string, spec: MarketSpec, s: TickerState): string {
  return push("market_update", `["${symbol}",{"period":86400,${stats(spec, s)}}]`);
}

export function marketTodayUpdate(symbol: string, spec: MarketSpec, s: TickerState): string {
  return push("marketToday_update", `["${symbol}",{${stats(spec, s)}}]`);
}

export function lastpriceUpdate(symbol: string, spec: MarketSpec, s: TickerState): string {
  return push("lastprice_update", `["${symbol}","${price(spec, s.last)}"]`);
}

export function bookTickerUpdate(symbol: string, spec: MarketSpec, b: Bbo, now: number): string {
  return push(
    "bookTicker_update",
    `[[${seconds(b.ts)},${seconds(now)},"${symbol}",${b.updateId},"${price(spec, b.bidPrice)}","${amount(spec, b.bidAmount)}","${price(spec, b.askPrice)}","${amount(spec, b.askAmount)}"]]`,
  );
}

/** A removed level's amount is exactly "0", as WhiteBIT sends it. */
export function levelsJson(spec: MarketSpec, levels: readonly Level[]): string {
  return `[${levels.map(([p, a]) => `["${price(spec, p)}","${a === 0 ? "0" : amount(spec, a)}"]`).join(",")}]`;
}

/** A full depth snapshot: the first push after subscribing and the 10 s keepalive. */
export function depthSnapshotUpdate(
  symbol: string,
  spec: MarketSpec,
  book: BookSnapshot,
  now: number,
): string {
  return push(
    "depth_update",
    `[true,{"timestamp":${seconds(now)},"asks":${levelsJson(spec, book.asks)},"bids":${levelsJson(spec, book.bids)},"update_id":${book.lastUpdateId},"event_time":${seconds(now)}},"${symbol}"]`,
  );
}

export function depthDeltaUpdate(
  symbol: string,
  spec: MarketSpec,
  d: { updateId: number; pastUpdateId: number; asks: Level[]; bids: Level[] },
  now: number,
): string {
  return push(
    "depth_update",
    `[false,{"timestamp":${seconds(now)},"update_id":${d.updateId},"past_update_id":${d.pastUpdateId},"asks":${levelsJson(spec, d.asks)},"bids":${levelsJson(spec, d.bids)},"event_time":${seconds(now)}},"${symbol}"]`,
  );
}

/** `[time, open, close, high, low, volume, deal, market]`, time = open time in whole seconds. */
export function candleRow(symbol: string, spec: MarketSpec, c: Candle): string {
  return `[${Math.floor(c.openTime / 1000)},"${price(spec, c.open)}","${price(spec, c.close)}","${price(spec, c.high)}","${price(spec, c.low)}","${amount(spec, c.volume)}","${money(spec, c.quoteVolume)}","${symbol}"]`;
}

export function candlesUpdate(symbol: string, spec: MarketSpec, c: Candle): string {
  return push("candles_update", `[${candleRow(symbol, spec, c)}]`);
}
