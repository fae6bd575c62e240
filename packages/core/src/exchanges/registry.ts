import type { ExchangeAdapter } from "../adapter.ts";
import { binance } from "./binance/index.ts";

/** One line per exchange adapter. */
export const ADAPTERS: Readonly<Record<string, ExchangeAdapter>> = {
  [binance.id]: binance,
};

export function getAdapter(id: string): ExchangeAdapter | undefined {
  return ADAPTERS[id];
}

export const EXCHANGE_IDS = Object.keys(ADAPTERS);
