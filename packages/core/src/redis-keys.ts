/**
 * The Redis key catalog: every key the apps share is built (and read back) here, beside the subject
 * catalog. Hashes hold the message as `json` and `updatedAt` (ms) unless said otherwise.
 *   <ticker|bbo|deriv|stats|book>:<exchange>:<market>   a market's latest state (writer, analyzer)
 *   <composite|spread>:<ASSET>                           an asset's composite price / spread (analyzer)
 *   source:<exchange>                                    where the ingestor reads it (source, url)
 *   instruments:<exchange>                               field = market, value = its MarketInfo JSON
 *                                                        (tick/lot size, contract; markets refresh)
 *   service:<service>:<instance>                         a running process's ServiceRecord (string, TTL)
 *   ratelimit:<scope>:<part>                             an exchange's REST weight budget (WeightBudget)
 *   windows:<consumer>                                   an analyzer replica's rolling-window checkpoint
 *                                                        (hash, see apps/analyzer window-checkpoint.ts)
 * A `*` part makes a SCAN pattern (other glob characters are escaped, so a pattern cannot widen).
 */

/** Market keys: the latest value per market, one family per kind. */
export type MarketKeyKind = "ticker" | "bbo" | "deriv" | "stats" | "book";
export type AssetKeyKind = "composite" | "spread";

// Ids, markets and assets are validated and never contain these; escaped anyway.
const part = (s: string) => (s === "*" ? "*" : s.replace(/[?[\]\\*]/g, "\\$&"));

export const redisKeys = {
  market: (kind: MarketKeyKind, exchange: string, market: string) =>
    `${kind}:${part(exchange)}:${part(market)}`,
  asset: (kind: AssetKeyKind, asset: string) => `${kind}:${part(asset)}`,
  source: (exchange: string) => `source:${part(exchange)}`,
  instruments: (exchange: string) => `instruments:${part(exchange)}`,
  service: (service: string, instance: string) => `service:${part(service)}:${part(instance)}`,
  windows: (consumer: string) => `windows:${part(consumer)}`,
  /** `w:` is the prefix of the weight buckets (the bucket number follows). */
  rateLimit: (scope: string, suffix: "w:" | "waiters" | "blocked_until" | "errors") =>
    `ratelimit:${part(scope)}:${suffix}`,
} as const;

/** `ticker:binance:BTC-USDT` → its exchange and market. */
export function parseMarketKey(key: string): { kind: string; exchange: string; market: string } | undefined {
  const [kind, exchange, market, extra] = key.split(":");
  if (!kind || !exchange || !market || extra !== undefined) return undefined;
  return { kind, exchange, market };
}

/** `composite:BTC` → `BTC`. */
export function assetOfKey(kind: AssetKeyKind, key: string): string {
  return key.slice(kind.length + 1);
}
