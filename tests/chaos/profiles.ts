import { ALL_FAULTS, type ChaosProfile, defaultLogDir } from "./lib/chaos.ts";

/** The chaos profiles: `short` runs in CI (a modest rate, so a loaded 2-core machine keeps up), `long` by hand. */
export const PROFILES: Record<string, () => ChaosProfile> = {
  short: () => ({
    name: "short",
    exchanges: ["binance", "okx", "bybit"],
    markets: ["BTC-USDT", "ETH-USDT"],
    rate: 600,
    runs: 1,
    steadyMs: 4000,
    faults: ALL_FAULTS,
    logDir: defaultLogDir("short"),
  }),
  long: () => ({
    name: "long",
    exchanges: ["binance", "bybit", "okx", "coinbase", "kraken", "whitebit", "bingx"],
    markets: ["BTC-USDT", "ETH-USDT"],
    rate: 5000,
    runs: 3,
    steadyMs: 15_000,
    faults: ALL_FAULTS,
    logDir: defaultLogDir("long"),
  }),
};
