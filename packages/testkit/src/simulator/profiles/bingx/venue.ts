import type { MarketGenerator } from "../../market/generator.ts";

/** BingX's two public WebSocket venues, told apart by the path (the real hosts differ too). */
export type Venue = "spot" | "swap";

export const VENUE_PATHS: Readonly<Record<string, Venue>> = { "/market": "spot", "/swap-market": "swap" };

/**
 * BingX symbols are `BASE-QUOTE` on both venues: `BTC-USDT` is the spot market `BTC-USDT` on the
 * spot host and the perpetual `BTC-USDT-PERP` on the swap host.
 */
export class VenueSymbols {
  private readonly toMarket: Record<Venue, Map<string, string>> = { spot: new Map(), swap: new Map() };

  constructor(generator: MarketGenerator) {
    for (const m of generator.markets) {
      const spec = generator.spec(m);
      const venue: Venue = generator.isPerp(m) ? "swap" : "spot";
      this.toMarket[venue].set(`${spec.base}-${spec.quote}`, m);
    }
  }

  market(venue: Venue, symbol: string): string | undefined {
    return this.toMarket[venue].get(symbol);
  }

  symbols(venue: Venue): string[] {
    return [...this.toMarket[venue].keys()];
  }

  markets(venue: Venue): string[] {
    return [...this.toMarket[venue].values()];
  }
}

/** The symbol of a market (both venues): `BTC-USDT-PERP` → `BTC-USDT`. */
export function symbolOfMarket(generator: MarketGenerator, market: string): string {
  const spec = generator.spec(market);
  return `${spec.base}-${spec.quote}`;
}
