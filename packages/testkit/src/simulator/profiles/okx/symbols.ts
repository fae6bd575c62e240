import type { MarketGenerator } from "../../market/generator.ts";

/**
 * OKX instrument ids of the simulated markets: spot `BTC-USDT`, perpetual `BTC-USDT-PERP` →
 * `BTC-USDT-SWAP`. A perpetual's index (index-tickers) is named like the spot pair, `BTC-USDT`.
 */
export class InstMap {
  private readonly toMarket = new Map<string, string>();
  private readonly toInst = new Map<string, string>();
  private readonly indexToPerp = new Map<string, string>();

  constructor(generator: MarketGenerator) {
    for (const m of generator.markets) {
      const s = generator.spec(m);
      const pair = `${s.base}-${s.quote}`;
      const instId = s.kind === "perp" ? `${pair}-SWAP` : pair;
      this.toMarket.set(instId, m);
      this.toInst.set(m, instId);
      if (s.kind === "perp") this.indexToPerp.set(pair, m);
    }
  }

  market(instId: string): string | undefined {
    return this.toMarket.get(instId);
  }

  instId(market: string): string {
    const s = this.toInst.get(market);
    if (!s) throw new Error(`simulator: unknown market ${market}`);
    return s;
  }

  /** The perpetual an index follows: `BTC-USDT` → `BTC-USDT-PERP`. */
  perpOfIndex(index: string): string | undefined {
    return this.indexToPerp.get(index);
  }

  /** `BTC-USDT-PERP` → `BTC-USDT`. */
  indexOf(perp: string): string {
    return this.instId(perp).slice(0, -"-SWAP".length);
  }

  instIds(): string[] {
    return [...this.toMarket.keys()];
  }
}
