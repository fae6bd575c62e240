import type { MarketInfo } from "./schemas/market-info.ts";
import type { MarketMessage } from "./schemas/messages.ts";

/**
 * Contract-sized venues (OKX swaps and futures) count trade, book and liquidation sizes in
 * contracts. A contract is `value` base units (linear), or `value` quote units (inverse: its base
 * amount depends on the price). Parsers get the spec from the market's instrument info (the
 * markets refresh stores it; see redisKeys.instruments) and publish base units, the raw size kept.
 */
export interface ContractSpec {
  value: number;
  inverse: boolean;
}

/** The spec of a market whose instrument info has a contract value; undefined otherwise. */
export function contractSpecOf(m: Pick<MarketInfo, "contractValue" | "inverse">): ContractSpec | undefined {
  const value = m.contractValue;
  if (typeof value !== "number" || !(value > 0)) return undefined;
  return { value, inverse: m.inverse === true };
}

// 15 significant digits: 3 × 0.1 is 0.3, not 0.30000000000000004 (sizes are short decimals)
const clean = (n: number) => Number(n.toPrecision(15));

/** Contracts at a price → base units. */
export function contractsToBase(contracts: number, price: number, spec: ContractSpec): number {
  if (contracts === 0) return 0;
  return clean(spec.inverse ? (contracts * spec.value) / price : contracts * spec.value);
}

function levelsToBase(levels: [number, number][], spec: ContractSpec): [number, number][] {
  return levels.map(([price, n]) => [price, contractsToBase(n, price, spec)]);
}

/**
 * A message as parsed (sizes in contracts) → base units: trades and liquidations keep the raw
 * size as `contracts`, bbo and book messages name the `contractValue` they were converted with.
 * Other messages (tickers, candles, deriv) already carry base volumes and pass unchanged.
 */
export function messageToBase(m: MarketMessage, spec: ContractSpec): MarketMessage {
  switch (m.type) {
    case "trade":
    case "liquidation":
      return { ...m, amount: contractsToBase(m.amount, m.price, spec), contracts: m.amount };
    case "bbo":
      return {
        ...m,
        bidAmount: contractsToBase(m.bidAmount, m.bidPrice, spec),
        askAmount: contractsToBase(m.askAmount, m.askPrice, spec),
        contractValue: spec.value,
      };
    case "book":
      return {
        ...m,
        bids: levelsToBase(m.bids, spec),
        asks: levelsToBase(m.asks, spec),
        contractValue: spec.value,
      };
    default:
      return m;
  }
}
