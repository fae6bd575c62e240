import { parseMarketName } from "../market/spec.ts";
import type { ExchangeProfile } from "./types.ts";

/** The markets of `markets` whose kind the profile's exchange does not list. */
export function refusedMarkets(
  profile: Pick<ExchangeProfile, "marketKinds">,
  markets: readonly string[],
): string[] {
  return markets.filter((m) => !profile.marketKinds.includes(parseMarketName(m).kind));
}
