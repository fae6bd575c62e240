import { formatMarket, isMarketName, parseMarket } from "../../markets.ts";

/**
 * Market name ↔ OKX instrument id. OKX ids already carry the separator:
 *   spot `BTC-USDT` ↔ `BTC-USDT`; perpetual swap `BTC-USDT-PERP` ↔ `BTC-USDT-SWAP`
 *   (linear, USDT/USDC-margined, and inverse `BTC-USD-SWAP` alike);
 *   dated futures `BTC-USD-220527` keep their id (market name `BASE-QUOTE-YYMMDD`).
 * So the reverse direction needs no market list.
 */

const SPOT_RE = /^([A-Z0-9]+)-([A-Z0-9]+)$/;
const SWAP_RE = /^([A-Z0-9]+)-([A-Z0-9]+)-SWAP$/;
const FUTURE_RE = /^([A-Z0-9]+)-([A-Z0-9]+)-([0-9]{6})$/;

export function spotSymbolOf(market: string): string {
  const m = parseMarket(market);
  if (m.kind !== "spot") throw new Error(`okx (spot) has no ${m.kind} market "${market}"`);
  return `${m.base}-${m.quote}`;
}

export function swapSymbolOf(market: string): string {
  const m = parseMarket(market);
  if (m.kind !== "perp") throw new Error(`okx (swap) has no ${m.kind} market "${market}"`);
  return `${m.base}-${m.quote}-SWAP`;
}

/**
 * `BTC-USDT` → `BTC-USDT`; anything else (swaps, futures, options, or an id no market name can
 * be, e.g. 400 digits long) → undefined.
 */
export function spotMarketOf(instId: string): string | undefined {
  return SPOT_RE.test(instId) && isMarketName(instId) ? instId : undefined;
}

/**
 * `BTC-USDT-SWAP` → `BTC-USDT-PERP`; dated futures `BTC-USD-220527` → `BTC-USD-220527` (they
 * speak the same protocol, so recorded futures frames normalize too); spot and options → undefined.
 */
export function derivMarketOf(instId: string): string | undefined {
  const swap = SWAP_RE.exec(instId);
  if (swap) {
    const market = formatMarket({ base: swap[1]!, quote: swap[2]!, kind: "perp" });
    return isMarketName(market) ? market : undefined;
  }
  if (FUTURE_RE.test(instId)) return isMarketName(instId) ? instId : undefined;
  return undefined;
}

/** Any instrument id we normalize (spot, swap, dated future) → market name. */
export function marketOfInstId(instId: string): string | undefined {
  return spotMarketOf(instId) ?? derivMarketOf(instId);
}

/**
 * The swap an index follows: index-tickers push `BTC-USDT` (the index), which feeds the
 * `BTC-USDT-SWAP` perpetual's deriv message.
 */
export function swapOfIndex(indexId: string): string {
  return `${indexId}-SWAP`;
}
