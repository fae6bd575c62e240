import type { MarketGenerator } from "../../../market/generator.ts";

/** Binance USD-M symbols of the perpetual markets: BTC-USDT-PERP ⇄ BTCUSDT (streams lowercase). */
export class UsdmSymbolMap {
  private readonly toMarket = new Map<string, string>();
  private readonly toSymbol = new Map<string, string>();

  constructor(generator: MarketGenerator) {
    for (const m of generator.markets) {
      const spec = generator.spec(m);
      if (spec.kind !== "perp") continue;
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
    if (!s) throw new Error(`simulator: unknown USD-M market ${market}`);
    return s;
  }

  markets(): string[] {
    return [...this.toSymbol.keys()];
  }

  symbols(): string[] {
    return [...this.toMarket.keys()];
  }
}
