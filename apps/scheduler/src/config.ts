import { type Static, Type as T } from "@sinclair/typebox";
import { getAdapter } from "@tickerplant/core";
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
  return config;
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
