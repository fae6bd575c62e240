import { isMarketName, parseMarket } from "../../markets.ts";

/**
 * Market name ↔ Kraken symbols. WebSocket v2 names pairs `BASE/QUOTE` with ISO-style asset codes
 * (`BTC/USD`); v1 frames and REST altnames keep Kraken's legacy codes (`XBT/USD`, `XBTUSD`,
 * `XDG` for DOGE). Normalized names always use the ISO codes (`BTC-USD`).
 */

/** Kraken's legacy asset codes and their ISO names. */
const LEGACY_TO_ISO: Readonly<Record<string, string>> = { XBT: "BTC", XDG: "DOGE" };
const ISO_TO_LEGACY: Readonly<Record<string, string>> = { BTC: "XBT", DOGE: "XDG" };

export function isoAsset(code: string): string {
  const upper = code.toUpperCase();
  return LEGACY_TO_ISO[upper] ?? upper;
}

export function legacyAsset(code: string): string {
  return ISO_TO_LEGACY[code] ?? code;
}

function spotParts(market: string): { base: string; quote: string } {
  const m = parseMarket(market);
  if (m.kind !== "spot") throw new Error(`kraken (spot) has no ${m.kind} market "${market}"`);
  return m;
}

/** `BTC-USD` → `BTC/USD` (the WebSocket v2 symbol). */
export function symbolOf(market: string): string {
  const { base, quote } = spotParts(market);
  return `${base}/${quote}`;
}

/** `BTC-USD` → `XBTUSD`: the REST `pair` parameter (Kraken's altname form). */
export function restPair(market: string): string {
  const { base, quote } = spotParts(market);
  return legacyAsset(base) + legacyAsset(quote);
}

/** A v1 pair name (`XBT/USD`) → its v2 symbol (`BTC/USD`); other strings unchanged. */
export function v2Symbol(pair: string): string {
  const slash = pair.indexOf("/");
  if (slash <= 0) return pair;
  return `${isoAsset(pair.slice(0, slash))}/${isoAsset(pair.slice(slash + 1))}`;
}

/**
 * `BTC/USD` or `XBT/USD` → `BTC-USD`; undefined for anything that is not `BASE/QUOTE` with
 * alphanumeric asset codes (e.g. staking pairs such as `ETH2.S/ETH`).
 */
export function marketOfSymbol(symbol: string): string | undefined {
  const slash = symbol.indexOf("/");
  if (slash <= 0 || slash !== symbol.lastIndexOf("/")) return undefined;
  const market = `${isoAsset(symbol.slice(0, slash))}-${isoAsset(symbol.slice(slash + 1))}`;
  return isMarketName(market) ? market : undefined;
}
