import { type Static, Type as T } from "@sinclair/typebox";
import {
  CANDLE_INTERVALS,
  type CandleInterval,
  getAdapter,
  isMarketName,
  REST_POLL_NAMES,
  type RestPollName,
} from "@tickerplant/core";
import { DEFAULT_RETENTION_DAYS, RETAINED_TABLES, type RetainedTable } from "@tickerplant/db";
import {
  ConfigError,
  CsvList,
  DatabaseEnv,
  loadConfig,
  NatsEnv,
  parsePairs,
  RedisEnv,
  ServiceEnv,
} from "@tickerplant/runtime";

export const SchedulerConfigSchema = T.Object({
  ...ServiceEnv,
  HTTP_PORT: T.Integer({ default: 9103, minimum: 0, maximum: 65535, description: "health and metrics port" }),
  ...NatsEnv,
  ...RedisEnv,
  ...DatabaseEnv,
  EXCHANGES: CsvList({ default: ["binance"], description: "exchanges whose REST work this scheduler does" }),
  EXCHANGE_URL_OVERRIDES: T.String({
    default: "",
    description: "per-exchange endpoint overrides, e.g. binance.rest=http://127.0.0.1:9500",
  }),
  SOURCE: T.Union([T.Literal("auto"), T.Literal("live"), T.Literal("simulated")], {
    default: "auto",
    description: "auto: label data by what the REST source says it is; live/simulated: refuse the other kind",
  }),
  MARKETS_REFRESH_MS: T.Integer({
    default: 86_400_000,
    minimum: 60_000,
    description: "market list refresh period",
  }),
  ROLLUP_REFRESH_MS: T.Integer({
    default: 60_000,
    minimum: 1_000,
    description: "how often the candle rollups (candles_5m..candles_1w) are refreshed on the Apache build",
  }),
  RETENTION_RUN_MS: T.Integer({
    default: 3_600_000,
    minimum: 1_000,
    description: "how often expired chunks are dropped on the Apache build",
  }),
  RETENTION_DAYS: T.String({
    default: "",
    description: `days each table keeps, e.g. trades=30,tickers=7 (0 = forever); defaults: ${Object.entries(
      DEFAULT_RETENTION_DAYS,
    )
      .map(([t, d]) => `${t}=${d}`)
      .join(",")}`,
  }),
  JOB_CONCURRENCY: T.Integer({
    default: 4,
    minimum: 1,
    maximum: 64,
    description: "work items one scheduler runs at once (priorities share the budget among them)",
  }),
  JOB_ACK_WAIT_MS: T.Integer({
    default: 30_000,
    minimum: 1000,
    description: "a dead scheduler's jobs are taken over by another after this long",
  }),
  HEAL_GAPS: T.Boolean({ default: true, description: "turn every gap status event into a heal job" }),
  WRITER_CONSUMER_PREFIX: T.String({
    default: "storage",
    pattern: "^[A-Za-z0-9_-]+$",
    description:
      "the storage-writer's CONSUMER_PREFIX: a gap heal first waits for its trades consumer to store what the stream held",
  }),
  MARKETS: CsvList({
    default: ["BTC-USDT", "ETH-USDT"],
    description: "markets the REST polls fetch (the ingestor's MARKETS), on the exchanges that serve them",
  }),
  REST_POLL_MS: T.String({
    default: "deriv=60000,candles=60000",
    description: `period of each REST poll in ms (${REST_POLL_NAMES.join(", ")}; 0 or absent = off): data the exchanges stream nowhere`,
  }),
  HEAL_CANDLE_INTERVALS: CsvList({
    default: ["1m"],
    description: "candle intervals a gap heal restores (besides trades)",
  }),
});
export type SchedulerConfig = Static<typeof SchedulerConfigSchema>;

export type Source = SchedulerConfig["SOURCE"];

export interface ExchangeEndpoint {
  exchange: string;
  restUrl: string;
}

export function loadSchedulerConfig(env: Record<string, string | undefined>): SchedulerConfig {
  const config = loadConfig(SchedulerConfigSchema, env);
  restEndpoints(config); // validates the exchange list and overrides at start
  retentionDays(config);
  restPollPeriods(config);
  const badMarkets = config.MARKETS.filter((m) => !isMarketName(m));
  if (badMarkets.length > 0)
    throw new ConfigError([`MARKETS: invalid market name(s) ${badMarkets.join(", ")}`]);
  const bad = config.HEAL_CANDLE_INTERVALS.filter((i) => !CANDLE_INTERVALS.includes(i as CandleInterval));
  if (bad.length > 0) throw new ConfigError([`HEAL_CANDLE_INTERVALS: unknown interval(s) ${bad.join(", ")}`]);
  return config;
}

/** Days each table keeps: the defaults, overridden by RETENTION_DAYS. */
export function retentionDays(config: SchedulerConfig): Record<RetainedTable, number> {
  const out = { ...DEFAULT_RETENTION_DAYS };
  const problems: string[] = [];
  for (const [table, value] of Object.entries(parsePairs(config.RETENTION_DAYS))) {
    const days = Number(value);
    if (!(RETAINED_TABLES as string[]).includes(table)) {
      problems.push(`RETENTION_DAYS: unknown table "${table}" (one of ${RETAINED_TABLES.join(", ")})`);
    } else if (!Number.isInteger(days) || days < 0) {
      problems.push(`RETENTION_DAYS: ${table} must be a whole number of days ≥ 0, got "${value}"`);
    } else out[table as RetainedTable] = days;
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return out;
}

/** Each REST poll's period from REST_POLL_MS (0 = off; polls not named are off). */
export function restPollPeriods(config: SchedulerConfig): Partial<Record<RestPollName, number>> {
  const out: Partial<Record<RestPollName, number>> = {};
  const problems: string[] = [];
  for (const [name, value] of Object.entries(parsePairs(config.REST_POLL_MS))) {
    const ms = Number(value);
    if (!(REST_POLL_NAMES as readonly string[]).includes(name)) {
      problems.push(`REST_POLL_MS: unknown poll "${name}" (one of ${REST_POLL_NAMES.join(", ")})`);
    } else if (!Number.isInteger(ms) || (ms !== 0 && ms < 1000)) {
      problems.push(`REST_POLL_MS: ${name} must be 0 (off) or a whole number of ms ≥ 1000, got "${value}"`);
    } else out[name as RestPollName] = ms;
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return out;
}

/** Each configured exchange's REST base URL: the override, else the adapter's own. */
export function restEndpoints(config: SchedulerConfig): ExchangeEndpoint[] {
  const overrides = parsePairs(config.EXCHANGE_URL_OVERRIDES);
  const problems: string[] = [];
  const out: ExchangeEndpoint[] = [];
  for (const exchange of config.EXCHANGES) {
    const adapter = getAdapter(exchange);
    if (adapter === undefined) {
      problems.push(`EXCHANGES: unknown exchange "${exchange}"`);
      continue;
    }
    const override = overrides[`${exchange}.rest`];
    if (config.SOURCE === "simulated" && override === undefined) {
      problems.push(`SOURCE=simulated needs EXCHANGE_URL_OVERRIDES ${exchange}.rest=<simulator url>`);
    }
    out.push({ exchange, restUrl: override ?? adapter.rest.defaultUrl });
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return out;
}
