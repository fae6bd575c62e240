import { decimalsOf, powerOfTen, roundTo } from "../core/decimal.ts";
import { hashString } from "../core/prng.ts";

/** Spot, or a linear perpetual swap (one contract = one unit of base, settled in the quote asset). */
export type MarketKind = "spot" | "perp";

/** Static description of a simulated market: naming, start price and trading filters. */
export interface MarketSpec {
  /** Normalized name, e.g. "BTC-USDT" or "BTC-USDT-PERP". */
  market: string;
  kind: MarketKind;
  base: string;
  quote: string;
  startPrice: number;
  tickSize: number;
  stepSize: number;
  priceDecimals: number;
  qtyDecimals: number;
  /** Minimum order value in the quote asset. */
  minNotional: number;
  /** Rough USD value of one unit of base; sizes trades. */
  baseUsd: number;
}

/** A market given by name, optionally with its own start price. */
export type MarketInput = string | { market: string; startPrice?: number };

/** Rough USD prices so that simulated markets look plausible. */
const USD_PRICES: Record<string, number> = {
  BTC: 60000,
  ETH: 3000,
  BNB: 600,
  SOL: 150,
  XRP: 0.5,
  DOGE: 0.1,
  ADA: 0.4,
  AVAX: 30,
  LTC: 80,
  DOT: 6,
  LINK: 15,
  TRX: 0.12,
  POL: 0.5,
  MATIC: 0.5,
  TON: 5,
  ATOM: 8,
  UNI: 8,
  NEAR: 5,
  APT: 8,
  ARB: 1,
  OP: 2,
  SHIB: 0.00002,
  PEPE: 0.00001,
  NKN: 0.1,
  USDT: 1,
  USDC: 1,
  USD: 1,
  FDUSD: 1,
  BUSD: 1,
  TUSD: 1,
  DAI: 1,
  EUR: 1.1,
  GBP: 1.3,
  TRY: 0.03,
};

/** USD price of an asset: known table, otherwise derived deterministically from its name. */
export function usdPriceOf(asset: string): number {
  const known = USD_PRICES[asset];
  if (known !== undefined) return known;
  const h = hashString(asset);
  return powerOfTen((h % 5) - 1) * (1 + ((h >>> 8) % 9));
}

const MARKET_RE = /^([A-Z0-9]+)-([A-Z0-9]+)(-PERP)?$/;

/** "BTC-USDT" → spot, "BTC-USDT-PERP" → perp; anything else is refused. */
export function parseMarketName(market: string): { base: string; quote: string; kind: MarketKind } {
  const m = MARKET_RE.exec(market);
  if (!m)
    throw new Error(`simulator: "${market}" is not a market name (expected BASE-QUOTE or BASE-QUOTE-PERP)`);
  return { base: m[1]!, quote: m[2]!, kind: m[3] ? "perp" : "spot" };
}

export function buildMarketSpec(input: MarketInput): MarketSpec {
  const market = typeof input === "string" ? input : input.market;
  const { base, quote, kind } = parseMarketName(market);
  const baseUsd = usdPriceOf(base);
  const quoteUsd = usdPriceOf(quote);
  const rawPrice = (typeof input === "object" && input.startPrice) || baseUsd / quoteUsd;
  const magnitude = Math.floor(Math.log10(rawPrice));
  const tickSize = powerOfTen(magnitude - (rawPrice >= 10000 ? 6 : 5));
  const priceDecimals = decimalsOf(tickSize);
  const stepSize = powerOfTen(Math.min(0, -(Math.floor(Math.log10(baseUsd)) + 1)));
  const qtyDecimals = decimalsOf(stepSize);
  const startPrice = Math.max(tickSize, roundTo(rawPrice, priceDecimals));
  const minNotional = roundTo(Math.max(5 / quoteUsd, 1e-8), 8);
  return {
    market,
    kind,
    base,
    quote,
    startPrice,
    tickSize,
    stepSize,
    priceDecimals,
    qtyDecimals,
    minNotional,
    baseUsd,
  };
}
