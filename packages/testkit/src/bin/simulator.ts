#!/usr/bin/env bun
/**
 * Runs the exchange simulator as a process.
 *
 *   bun packages/testkit/src/bin/simulator.ts [--port 9500] [--host 127.0.0.1] [--seed 42]
 *     [--markets BTC-USDT,ETH-USDT] [--trades-per-second 50] [--max-connection-age-ms 86400000]
 *     [--ping-interval-ms 20000] [--pong-timeout-ms 60000] [--rest-weight-limit 6000] [--exchange binance]
 *     [--history-ms 0] [--history-trades-per-minute 2] [--rest-trades-kept 0]
 *
 * Each flag falls back to an environment variable (SIMULATOR_PORT, SIMULATOR_HOST, SIMULATOR_SEED,
 * SIMULATOR_MARKETS, SIMULATOR_TRADES_PER_SECOND, SIMULATOR_MAX_CONNECTION_AGE_MS,
 * SIMULATOR_PING_INTERVAL_MS, SIMULATOR_PONG_TIMEOUT_MS, SIMULATOR_REST_WEIGHT_LIMIT,
 * SIMULATOR_EXCHANGE, SIMULATOR_HISTORY_MS, SIMULATOR_HISTORY_TRADES_PER_MINUTE, SIMULATOR_REST_TRADES_KEPT),
 * then to the default. Prints one JSON line with the URLs when ready; stops
 * cleanly on SIGTERM/SIGINT.
 */
import { parseArgs } from "node:util";
import { getProfile } from "../simulator/profiles/index.ts";
import { refusedMarkets } from "../simulator/profiles/market-kinds.ts";
import { ExchangeSimulator } from "../simulator/simulator.ts";

const FLAGS = {
  port: { env: "SIMULATOR_PORT", def: "9500" },
  host: { env: "SIMULATOR_HOST", def: "127.0.0.1" },
  seed: { env: "SIMULATOR_SEED", def: "42" },
  markets: { env: "SIMULATOR_MARKETS", def: "BTC-USDT,ETH-USDT,SOL-USDT,BNB-USDT" },
  "trades-per-second": { env: "SIMULATOR_TRADES_PER_SECOND", def: "50" },
  "max-connection-age-ms": { env: "SIMULATOR_MAX_CONNECTION_AGE_MS", def: "86400000" },
  "ping-interval-ms": { env: "SIMULATOR_PING_INTERVAL_MS", def: "20000" },
  "pong-timeout-ms": { env: "SIMULATOR_PONG_TIMEOUT_MS", def: "60000" },
  "rest-weight-limit": { env: "SIMULATOR_REST_WEIGHT_LIMIT", def: "6000" },
  exchange: { env: "SIMULATOR_EXCHANGE", def: "binance" },
  "history-ms": { env: "SIMULATOR_HISTORY_MS", def: "0" },
  "history-trades-per-minute": { env: "SIMULATOR_HISTORY_TRADES_PER_MINUTE", def: "2" },
  "rest-trades-kept": { env: "SIMULATOR_REST_TRADES_KEPT", def: "0" },
} as const;

type Flag = keyof typeof FLAGS;

function log(level: "info" | "error", msg: string, fields: Record<string, unknown> = {}): void {
  const line = JSON.stringify({ level, ts: new Date().toISOString(), service: "simulator", msg, ...fields });
  if (level === "error") console.error(line);
  else console.log(line);
}

function main(): void {
  const { values } = parseArgs({
    args: Bun.argv.slice(2),
    options: Object.fromEntries(Object.keys(FLAGS).map((k) => [k, { type: "string" as const }])),
    strict: true,
  });
  const get = (flag: Flag): string => {
    const v = values[flag];
    return typeof v === "string" ? v : (process.env[FLAGS[flag].env] ?? FLAGS[flag].def);
  };
  const int = (flag: Flag): number => {
    const n = Number(get(flag));
    if (!Number.isFinite(n) || n < 0)
      throw new Error(`--${flag} / ${FLAGS[flag].env} must be a non-negative number`);
    return n;
  };
  const requested = get("markets")
    .split(",")
    .map((m) => m.trim())
    .filter(Boolean);
  // One market list is handed to every exchange's simulator: each keeps the markets its exchange has.
  const refused = refusedMarkets(getProfile(get("exchange")), requested);
  const markets = requested.filter((m) => !refused.includes(m));
  if (refused.length > 0)
    log("info", "markets this exchange does not list are not simulated", {
      exchange: get("exchange"),
      refused,
    });

  const sim = new ExchangeSimulator({
    exchange: get("exchange"),
    host: get("host"),
    port: int("port"),
    seed: int("seed"),
    markets,
    tradesPerSecond: int("trades-per-second"),
    maxConnectionAgeMs: int("max-connection-age-ms"),
    pingIntervalMs: int("ping-interval-ms"),
    pongTimeoutMs: int("pong-timeout-ms"),
    restWeightLimit: int("rest-weight-limit"),
    historyMs: int("history-ms"),
    historyTradesPerMinute: int("history-trades-per-minute"),
    restTradesKept: int("rest-trades-kept"),
  }).start();

  log("info", "simulator started", {
    exchange: sim.exchange,
    simulated: true,
    url: sim.url,
    wsUrl: sim.wsUrl,
    restUrl: sim.url,
    controlUrl: `${sim.url}/_sim`,
    example: `${sim.wsUrl}/stream?streams=${markets[0]?.replace("-", "").toLowerCase()}@trade`,
    port: sim.port,
    seed: sim.options.seed,
    markets: sim.markets,
    tradesPerSecond: sim.options.tradesPerSecond,
    limits: sim.options.limits,
  });

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    await sim.stop();
    log("info", "simulator stopped", { signal, tradesGenerated: sim.groundTruth.counts() });
    process.exit(0);
  };
  process.on("SIGTERM", () => void stop("SIGTERM"));
  process.on("SIGINT", () => void stop("SIGINT"));
}

try {
  main();
} catch (e) {
  log("error", "simulator failed to start", { error: e instanceof Error ? e.message : String(e) });
  process.exit(1);
}
