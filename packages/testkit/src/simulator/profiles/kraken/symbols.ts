import type { MarketGenerator } from "../../market/generator.ts";

/**
 * Kraken names for simulated markets: `BTC-USDT` is `BTC/USDT` on WebSocket v2, `XBT/USDT` as
 * AssetPairs' wsname (v1 name), and `XBTUSDT` as REST altname (the pair parameter and result key).
 * BTC and DOGE keep Kraken's legacy codes XBT and XDG in the legacy forms.
 */
const LEGACY: Readonly<Record<string, string>> = { BTC: "XBT", DOGE: "XDG" };
const legacy = (asset: string) => LEGACY[asset] ?? asset;

export interface KrakenNames {
  market: string;
  base: string;
  quote: string;
  /** WebSocket v2 symbol, `BTC/USDT`. */
  symbol: string;
  /** v1 / AssetPairs wsname, `XBT/USDT`. */
  wsname: string;
  /** REST altname, `XBTUSDT`. */
  altname: string;
}

export class KrakenSymbols {
  private readonly byMarket = new Map<string, KrakenNames>();
  private readonly byName = new Map<string, string>();

  constructor(generator: MarketGenerator) {
    for (const market of generator.markets) {
      const { base, quote } = generator.spec(market);
      const names: KrakenNames = {
        market,
        base,
        quote,
        symbol: `${base}/${quote}`,
        wsname: `${legacy(base)}/${legacy(quote)}`,
        altname: legacy(base) + legacy(quote),
      };
      this.byMarket.set(market, names);
      for (const n of [names.symbol, names.wsname, names.altname, base + quote]) this.byName.set(n, market);
    }
  }

  /** The market of a v2 symbol (WebSocket v2 accepts only these). */
  marketOfSymbol(symbol: string): string | undefined {
    const m = this.byName.get(symbol);
    return m !== undefined && this.byMarket.get(m)!.symbol === symbol ? m : undefined;
  }

  /** The market of a REST `pair` value: altname, wsname or v2 symbol. */
  marketOfPair(pair: string): string | undefined {
    return this.byName.get(pair.toUpperCase());
  }

  names(market: string): KrakenNames {
    const n = this.byMarket.get(market);
    if (!n) throw new Error(`simulator: unknown market ${market}`);
    return n;
  }

  all(): KrakenNames[] {
    return [...this.byMarket.values()];
  }
}
