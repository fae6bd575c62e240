import type { MarketGenerator } from "../../market/generator.ts";

/** Binance spot symbols: BTC-USDT ⇄ BTCUSDT (streams use the lowercase form); spot markets only. */
export class SymbolMap {
  private readonly toMarket = new Map<string, string>();
  private readonly toSymbol = new Map<string, string>();

  constructor(generator: MarketGenerator) {
    for (const m of generator.markets) {
      const spec = generator.spec(m);
      if (spec.kind !== "spot") continue;
      const symbol = `${spec.base}${spec.quote}`;
      this.toMarket.set(symbol, m);
      this.toSymbol.set(m, symbol);
    }
  }

  /** Market for an uppercase exchange symbol, e.g. "BTCUSDT". */
  market(symbol: string): string | undefined {
    return this.toMarket.get(symbol);
  }

  symbol(market: string): string {
    const s = this.toSymbol.get(market);
    if (!s) throw new Error(`simulator: unknown market ${market}`);
    return s;
  }

  /** The spot markets, in the generator's order. */
  markets(): string[] {
    return [...this.toSymbol.keys()];
  }

  symbols(): string[] {
    return [...this.toMarket.keys()];
  }
}
