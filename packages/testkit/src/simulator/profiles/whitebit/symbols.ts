import type { MarketGenerator } from "../../market/generator.ts";
import type { MarketSpec } from "../../market/spec.ts";

/** WhiteBIT market names: BTC-USDT ⇄ BTC_USDT; perpetuals are named by their base: BTC-USDT-PERP ⇄ BTC_PERP. */
export class SymbolMap {
  private readonly toMarket = new Map<string, string>();
  private readonly toSymbol = new Map<string, string>();
  private readonly specs = new Map<string, MarketSpec>();

  constructor(generator: MarketGenerator) {
    for (const m of generator.markets) {
      const spec = generator.spec(m);
      const symbol = spec.kind === "perp" ? `${spec.base}_PERP` : `${spec.base}_${spec.quote}`;
      this.toMarket.set(symbol, m);
      this.toSymbol.set(m, symbol);
      this.specs.set(m, spec);
    }
  }

  /** Market for an exchange symbol such as "BTC_USDT" (case-sensitive, as on WhiteBIT). */
  market(symbol: string): string | undefined {
    return this.toMarket.get(symbol);
  }

  symbol(market: string): string {
    const s = this.toSymbol.get(market);
    if (!s) throw new Error(`simulator: unknown market ${market}`);
    return s;
  }

  spec(market: string): MarketSpec {
    const s = this.specs.get(market);
    if (!s) throw new Error(`simulator: unknown market ${market}`);
    return s;
  }

  symbols(): string[] {
    return [...this.toMarket.keys()];
  }

  markets(): string[] {
    return [...this.toSymbol.keys()];
  }
}
