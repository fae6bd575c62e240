import type { MarketGenerator } from "../../market/generator.ts";

/** Bybit's two public categories the simulator speaks; each has its own symbol namespace. */
export type Category = "spot" | "linear";

/**
 * Symbols per category: spot `BTC-USDT` ⇄ `BTCUSDT`; linear `BTC-USDT-PERP` ⇄ `BTCUSDT` and USDC
 * perpetuals as Bybit names them, `BTC-USDC-PERP` ⇄ `BTCPERP`. Spot and linear may both have
 * `BTCUSDT`; the connection's path (or REST `category`) says which is meant.
 */
export class SymbolMaps {
  private readonly toMarket: Record<Category, Map<string, string>> = { spot: new Map(), linear: new Map() };
  private readonly toSymbol = new Map<string, { category: Category; symbol: string }>();

  constructor(generator: MarketGenerator) {
    for (const m of generator.markets) {
      const spec = generator.spec(m);
      const category: Category = spec.kind === "perp" ? "linear" : "spot";
      const symbol =
        category === "linear" && spec.quote === "USDC" ? `${spec.base}PERP` : `${spec.base}${spec.quote}`;
      this.toMarket[category].set(symbol, m);
      this.toSymbol.set(m, { category, symbol });
    }
  }

  market(category: Category, symbol: string): string | undefined {
    return this.toMarket[category].get(symbol);
  }

  symbol(market: string): string {
    const s = this.toSymbol.get(market);
    if (!s) throw new Error(`simulator: unknown market ${market}`);
    return s.symbol;
  }

  category(market: string): Category {
    const s = this.toSymbol.get(market);
    if (!s) throw new Error(`simulator: unknown market ${market}`);
    return s.category;
  }

  markets(category: Category): string[] {
    return [...this.toMarket[category].values()];
  }

  symbols(category: Category): string[] {
    return [...this.toMarket[category].keys()];
  }
}
