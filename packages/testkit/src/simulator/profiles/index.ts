import { binanceProfile } from "./binance/index.ts";
import type { ExchangeProfile } from "./types.ts";

/** One line per simulated exchange. */
export const PROFILES: Readonly<Record<string, ExchangeProfile>> = {
  [binanceProfile.id]: binanceProfile,
};

export function getProfile(id: string): ExchangeProfile {
  const p = PROFILES[id];
  if (!p)
    throw new Error(`simulator: no profile for exchange "${id}" (have: ${Object.keys(PROFILES).join(", ")})`);
  return p;
}
