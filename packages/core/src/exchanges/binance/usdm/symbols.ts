import { isMarketName, parseMarket } from "../../../markets.ts";
import { guessMarket as guessSpotMarket } from "../symbols.ts";

/**
 * Market name ↔ Binance USD-M symbol: perpetual `BTC-USDT-PERP` ↔ `BTCUSDT`, delivery contract
 * `BTC-USDT-250926` ↔ `BTCUSDT_250926`. Stream names use the lowercase symbol.
 */

export function symbolOf(market: string): string {
  const m = parseMarket(market);
  if (m.kind === "perp") return m.base + m.quote;
  if (m.kind === "future") return `${m.base}${m.quote}_${m.expiry}`;
  throw new Error(`binance USD-M has no spot market "${market}" (use BASE-QUOTE-PERP)`);
}

/** The symbol as it appears in stream names. */
export function streamSymbol(market: string): string {
  return symbolOf(market).toLowerCase();
}

/**
 * Best-effort market for a symbol without exchangeInfo: `BTCUSDT` → `BTC-USDT-PERP`,
 * `BTCUSDT_250926` → `BTC-USDT-250926`, by the spot adapter's quote-suffix guess.
 */
export function guessMarket(symbol: string): string | undefined {
  const s = symbol.toUpperCase();
  const underscore = s.indexOf("_");
  const pair = underscore < 0 ? s : s.slice(0, underscore);
  const spot = guessSpotMarket(pair);
  if (spot === undefined) return undefined;
  if (underscore < 0) return `${spot}-PERP`;
  const expiry = s.slice(underscore + 1);
  // only dated contracts carry a suffix on USD-M (`_PERP` is COIN-M's naming)
  return /^[0-9]{6}$/.test(expiry) && isMarketName(`${spot}-${expiry}`) ? `${spot}-${expiry}` : undefined;
}
