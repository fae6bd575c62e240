import { isMarketName, parseMarket } from "../../markets.ts";

/**
 * Market name ↔ WhiteBIT symbol: `BTC-USDT` ↔ `BTC_USDT`. The underscore separates the assets, so
 * the reverse direction needs no market list. WhiteBIT names its perpetuals `BTC_PERP`; they are
 * not spot markets, so the spot adapter has no name for them.
 */

export function symbolOf(market: string): string {
  const m = parseMarket(market);
  if (m.kind !== "spot") throw new Error(`whitebit (spot) has no ${m.kind} market "${market}"`);
  return `${m.base}_${m.quote}`;
}

/** `ETH_USDT` → `ETH-USDT`; undefined for anything that is not one spot pair (`BTC_PERP`, `A_B_C`). */
export function guessMarket(symbol: string): string | undefined {
  const sep = symbol.indexOf("_");
  if (sep <= 0 || sep !== symbol.lastIndexOf("_")) return undefined;
  const base = symbol.slice(0, sep).toUpperCase();
  const quote = symbol.slice(sep + 1).toUpperCase();
  if (quote === "PERP") return undefined;
  const market = `${base}-${quote}`;
  return isMarketName(market) ? market : undefined;
}
