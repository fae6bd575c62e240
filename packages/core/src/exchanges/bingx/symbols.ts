import { isMarketName, parseMarket } from "../../markets.ts";

/**
 * Market name ↔ BingX symbol. BingX writes symbols as uppercase `BASE-QUOTE` on both venues, so
 * the symbol alone says spot `BTC-USDT` ↔ `BTC-USDT` and USDT-M perpetual `BTC-USDT-PERP` ↔
 * `BTC-USDT`: which one is meant follows from the connection (the spot or the swap host).
 */

export function spotSymbolOf(market: string): string {
  const m = parseMarket(market);
  if (m.kind !== "spot") throw new Error(`bingx (spot) has no ${m.kind} market "${market}"`);
  return `${m.base}-${m.quote}`;
}

export function swapSymbolOf(market: string): string {
  const m = parseMarket(market);
  if (m.kind !== "perp") throw new Error(`bingx (perpetual swaps) has no ${m.kind} market "${market}"`);
  return `${m.base}-${m.quote}`;
}

/** `BTC-USDT` → `BTC-USDT`; undefined for anything that is not `BASE-QUOTE`. */
export function spotMarketOf(symbol: string): string | undefined {
  const s = symbol.toUpperCase();
  return isMarketName(s) && parseMarket(s).kind === "spot" ? s : undefined;
}

/** `BTC-USDT` → `BTC-USDT-PERP`; undefined for anything that is not `BASE-QUOTE`. */
export function swapMarketOf(symbol: string): string | undefined {
  const spot = spotMarketOf(symbol);
  return spot === undefined ? undefined : `${spot}-PERP`;
}
