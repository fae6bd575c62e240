import type { ParseContext } from "../../adapter.ts";
import { isMarketName, parseMarket } from "../../markets.ts";

/**
 * Coinbase product ids are the market names: `BTC-USD` ↔ `BTC-USD`. Only spot products exist on
 * Advanced Trade's public feed here (futures ids like `BIT-28JUL23-CDE` are not market names).
 */

export function symbolOf(market: string): string {
  const m = parseMarket(market);
  if (m.kind !== "spot") throw new Error(`coinbase (spot) has no ${m.kind} market "${market}"`);
  return `${m.base}-${m.quote}`;
}

/** The market of a product id without a market list: the id itself when it is a spot market name. */
export function marketOfSymbol(symbol: string): string | undefined {
  const s = symbol.toUpperCase();
  if (!isMarketName(s)) return undefined;
  return parseMarket(s).kind === "spot" ? s : undefined;
}

/**
 * The subscribed market of a product id in a frame. Coinbase serves `-USDC` products with the data
 * of the matching `-USD` product on every public channel, so a `BTC-USD` frame belongs to
 * `BTC-USDC` when only that one is subscribed.
 */
export function resolveMarket(ctx: ParseContext, product: string): string | undefined {
  const direct = ctx.marketOf(product);
  if (direct !== undefined) return direct;
  return product.endsWith("-USD") ? ctx.marketOf(`${product}C`) : undefined;
}
