import type { MarketGenerator } from "../../market/generator.ts";
import type { Decimals, TickDirection } from "./payloads.ts";
import type { Category } from "./symbols.ts";

/** What a ticker push is made of, besides the generator's state. */
export interface TickerInputs {
  market: string;
  symbol: string;
  category: Category;
  decimals: Decimals;
  tick: TickDirection;
}

function pcnt(last: number, open: number, decimals: number): string {
  return (open === 0 ? 0 : (last - open) / open).toFixed(decimals);
}

/**
 * The full field set of a `tickers.<S>` push. Spot: 24 h statistics only (pcnt with 4 decimals).
 * Linear: statistics, best bid/ask, tick direction and the derivatives fields (pcnt with 6).
 * The simulated window is the run (tests are far shorter than 24 h): prevPrice24h = the first
 * price of the run, prevPrice1h = the open of the current hour.
 */
export function tickerFields(g: MarketGenerator, t: TickerInputs): Record<string, string> {
  const s = g.ticker(t.market);
  const d = t.decimals;
  if (t.category === "spot") {
    return {
      symbol: t.symbol,
      lastPrice: d.price(s.last),
      highPrice24h: d.price(s.high),
      lowPrice24h: d.price(s.low),
      prevPrice24h: d.price(s.open),
      volume24h: d.qty(s.volume),
      turnover24h: d.fine(s.quoteVolume, 8),
      price24hPcnt: pcnt(s.last, s.open, 4),
    };
  }
  const b = g.bbo(t.market);
  const x = g.deriv(t.market);
  return {
    symbol: t.symbol,
    tickDirection: t.tick,
    price24hPcnt: pcnt(s.last, s.open, 6),
    lastPrice: d.price(s.last),
    prevPrice24h: d.price(s.open),
    highPrice24h: d.price(s.high),
    lowPrice24h: d.price(s.low),
    prevPrice1h: d.price(g.candle(t.market, "1h").open),
    markPrice: d.price(x.markPrice),
    indexPrice: d.fine(x.indexPrice, 8).replace(/\.?0+$/, ""),
    openInterest: d.qty(x.openInterest),
    openInterestValue: (x.openInterest * x.markPrice).toFixed(2),
    turnover24h: d.fine(s.quoteVolume, 4),
    volume24h: d.qty(s.volume),
    fundingIntervalHour: "8",
    fundingCap: "0.005",
    nextFundingTime: String(x.nextFundingTime),
    fundingRate: x.fundingRate.toFixed(8).replace(/\.?0+$/, ""),
    bid1Price: d.price(b.bidPrice),
    bid1Size: d.qty(b.bidAmount),
    ask1Price: d.price(b.askPrice),
    ask1Size: d.qty(b.askAmount),
  };
}
