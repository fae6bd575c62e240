import { isMarketName, parseMarket } from "../../markets.ts";

/**
 * Market name ↔ Binance spot symbol: `BTC-USDT` ↔ `BTCUSDT`. Stream names use the lowercase
 * symbol (`btcusdt@trade`). Binance symbols carry no separator, so the reverse direction needs
 * the market list (exchangeInfo's baseAsset/quoteAsset) or, without one, a guess by quote asset.
 */

export function symbolOf(market: string): string {
  const m = parseMarket(market);
  if (m.kind !== "spot") throw new Error(`binance (spot) has no ${m.kind} market "${market}"`);
  return m.base + m.quote;
}

/** The symbol as it appears in stream names. */
export function streamSymbol(market: string): string {
  return symbolOf(market).toLowerCase();
}

/**
 * Quote assets in the order they are tried; where one is a suffix of another the longer comes
 * first (`FDUSD`, `TUSD` before `USD`). Used only when no market list is at hand (CLI `normalize`,
 * tests, the simulator).
 */
export const KNOWN_QUOTES = [
  "FDUSD",
  "USDT",
  "USDC",
  "TUSD",
  "BUSD",
  "USDP",
  "DAI",
  "USD",
  "EUR",
  "TRY",
  "BRL",
  "JPY",
  "GBP",
  "AUD",
  "BTC",
  "ETH",
  "BNB",
  "XRP",
  "TRX",
  "DOGE",
  "SOL",
] as const;

/**
 * Best-effort market name for a symbol by its quote-asset suffix (`NKNUSDT` → `NKN-USDT`);
 * undefined when no known quote matches. Prefer a map built from exchangeInfo.
 */
export function guessMarket(symbol: string): string | undefined {
  const s = symbol.toUpperCase();
  for (const q of KNOWN_QUOTES) {
    if (s.length > q.length && s.endsWith(q)) {
      const market = `${s.slice(0, s.length - q.length)}-${q}`;
      return isMarketName(market) ? market : undefined;
    }
  }
  return undefined;
}
