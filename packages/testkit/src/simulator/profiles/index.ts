import { binanceProfile } from "./binance/index.ts";
import { bingxProfile } from "./bingx/index.ts";
import { bybitProfile } from "./bybit/index.ts";
import { coinbaseProfile } from "./coinbase/index.ts";
import { krakenProfile } from "./kraken/index.ts";
import { okxProfile } from "./okx/index.ts";
import type { ExchangeProfile } from "./types.ts";
import { whitebitProfile } from "./whitebit/index.ts";

/** One line per simulated exchange. */
export const PROFILES: Readonly<Record<string, ExchangeProfile>> = {
  [binanceProfile.id]: binanceProfile,
  [whitebitProfile.id]: whitebitProfile,
  [bybitProfile.id]: bybitProfile,
  [krakenProfile.id]: krakenProfile,
  [okxProfile.id]: okxProfile,
  [bingxProfile.id]: bingxProfile,
  [coinbaseProfile.id]: coinbaseProfile,
};

export function getProfile(id: string): ExchangeProfile {
  const p = PROFILES[id];
  if (!p)
    throw new Error(`simulator: no profile for exchange "${id}" (have: ${Object.keys(PROFILES).join(", ")})`);
  return p;
}
