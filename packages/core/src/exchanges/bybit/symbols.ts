import { isMarketName, parseMarket } from "../../markets.ts";

/**
 * Market name ↔ Bybit v5 symbol.
 * - spot: `BTC-USDT` ↔ `BTCUSDT`
 * - linear perpetuals: `BTC-USDT-PERP` ↔ `BTCUSDT`; USDC perpetuals use Bybit's `<BASE>PERP`
 *   naming: `BTC-USDC-PERP` ↔ `BTCPERP`
 * - linear dated futures: `BTC-USDT-251226` ↔ `BTCUSDT-26DEC25`, `BTC-USDC-251226` ↔ `BTC-26DEC25`
 * Spot and linear share symbols (`BTCUSDT` is both), so the direction symbol → market depends on
 * the category; without a market list it is a guess by quote suffix.
 */

export type Category = "spot" | "linear";

const MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];

export function spotSymbolOf(market: string): string {
  const m = parseMarket(market);
  if (m.kind !== "spot") throw new Error(`bybit (spot) has no ${m.kind} market "${market}"`);
  return m.base + m.quote;
}

/** `251226` → `26DEC25` (Bybit's delivery-date suffix). */
function expiryCode(yymmdd: string): string {
  const month = MONTHS[Number(yymmdd.slice(2, 4)) - 1];
  if (!month) throw new Error(`bybit: bad expiry "${yymmdd}"`);
  return `${yymmdd.slice(4, 6)}${month}${yymmdd.slice(0, 2)}`;
}

export function linearSymbolOf(market: string): string {
  const m = parseMarket(market);
  if (m.kind === "spot") throw new Error(`bybit (linear) has no spot market "${market}"`);
  if (m.kind === "perp") return m.quote === "USDC" ? `${m.base}PERP` : m.base + m.quote;
  const code = expiryCode(m.expiry!);
  return m.quote === "USDC" ? `${m.base}-${code}` : `${m.base}${m.quote}-${code}`;
}

/**
 * Quote assets tried in order when no market list is at hand (CLI `normalize`, tests, the
 * simulator); where one is a suffix of another the longer comes first.
 */
export const KNOWN_QUOTES = [
  "USDT",
  "USDC",
  "USDE",
  "USDR",
  "FDUSD",
  "DAI",
  "BTC",
  "ETH",
  "EUR",
  "BRL",
  "PLN",
  "TRY",
  "MNT",
  "SOL",
  "BRZ",
] as const;

function bySuffix(s: string, suffix = ""): string | undefined {
  for (const q of KNOWN_QUOTES) {
    if (s.length > q.length && s.endsWith(q)) {
      const market = `${s.slice(0, s.length - q.length)}-${q}${suffix}`;
      return isMarketName(market) ? market : undefined;
    }
  }
  return undefined;
}

export function guessSpotMarket(symbol: string): string | undefined {
  return bySuffix(symbol.toUpperCase());
}

const FUTURE_RE = /^([A-Z0-9]+?)(USDT)?-([0-9]{2})([A-Z]{3})([0-9]{2})$/;

/** `BTCUSDT` → `BTC-USDT-PERP`, `BTCPERP` → `BTC-USDC-PERP`, `BTCUSDT-26DEC25` → `BTC-USDT-251226`. */
export function guessLinearMarket(symbol: string): string | undefined {
  const s = symbol.toUpperCase();
  const f = FUTURE_RE.exec(s);
  if (f) {
    const [, base, usdt, day, mon, year] = f as unknown as [
      string,
      string,
      string | undefined,
      string,
      string,
      string,
    ];
    const month = MONTHS.indexOf(mon) + 1;
    if (month === 0) return undefined;
    const market = `${base}-${usdt ?? "USDC"}-${year}${String(month).padStart(2, "0")}${day}`;
    return isMarketName(market) ? market : undefined;
  }
  if (s.length > 4 && s.endsWith("PERP")) {
    const market = `${s.slice(0, -4)}-USDC-PERP`;
    return isMarketName(market) ? market : undefined;
  }
  return bySuffix(s, "-PERP");
}
