import type { ExchangeAdapter } from "../adapter.ts";
import { parseMarket } from "../markets.ts";
import { binance, binanceUsdm } from "./binance/index.ts";
import { bingxSpot, bingxSwap } from "./bingx/index.ts";
import { bybitLinear, bybitSpot } from "./bybit/index.ts";
import { coinbase } from "./coinbase/index.ts";
import { kraken } from "./kraken/index.ts";
import { okxSpot, okxSwap } from "./okx/index.ts";
import { whitebit } from "./whitebit/index.ts";

/** An exchange (the venue) and its adapters, one per market type it serves. */
export interface Exchange {
  id: string;
  name: string;
  adapters: readonly ExchangeAdapter[];
}

function exchange(...adapters: ExchangeAdapter[]): Exchange {
  const [first] = adapters;
  if (!first) throw new Error("an exchange needs at least one adapter");
  return { id: first.id, name: first.name, adapters };
}

/** One line per exchange. */
const ALL: Exchange[] = [
  exchange(binance, binanceUsdm),
  exchange(whitebit),
  exchange(bybitSpot, bybitLinear),
  exchange(kraken),
  exchange(okxSpot, okxSwap),
  exchange(bingxSpot, bingxSwap),
  exchange(coinbase),
];

export const EXCHANGES: Readonly<Record<string, Exchange>> = Object.fromEntries(ALL.map((e) => [e.id, e]));

export const EXCHANGE_IDS = Object.keys(EXCHANGES);

export function getExchange(id: string): Exchange | undefined {
  return EXCHANGES[id];
}

export function getAdapter(
  id: string,
  marketType: ExchangeAdapter["marketType"] = "spot",
): ExchangeAdapter | undefined {
  return EXCHANGES[id]?.adapters.find((a) => a.marketType === marketType);
}

/** The adapter that serves a market (`BTC-USDT` → spot, `BTC-USDT-PERP` → perp). */
export function adapterForMarket(id: string, market: string): ExchangeAdapter | undefined {
  return getAdapter(id, parseMarket(market).kind === "spot" ? "spot" : "perp");
}
