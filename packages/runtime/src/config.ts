import { type Static, Type as T, type TObject, type TSchema } from "@sinclair/typebox";
import { Value } from "@sinclair/typebox/value";

/**
 * Configuration is read from the environment once, at start, validated against a TypeBox schema
 * whose keys are the variable names, and then passed into components. Nothing else reads
 * process.env.
 */

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  ${problems.join("\n  ")}`);
    this.name = "ConfigError";
  }
}

/** A comma-separated list in the environment. */
export const CsvList = (options: { default?: string[]; description?: string } = {}) =>
  T.Array(T.String({ minLength: 1 }), { ...options, "x-csv": true });

export const LogLevelSchema = T.Union(
  [T.Literal("debug"), T.Literal("info"), T.Literal("warn"), T.Literal("error")],
  {
    default: "info",
  },
);

/** Variables every service reads. */
export const ServiceEnv = {
  SERVICE_NAME: T.Optional(T.String({ minLength: 1 })),
  LOG_LEVEL: LogLevelSchema,
  HTTP_PORT: T.Integer({ minimum: 0, maximum: 65535, description: "health and metrics port" }),
};

export const NatsEnv = {
  NATS_URL: T.String({ default: "nats://127.0.0.1:4222" }),
  STREAM_REPLICAS: T.Integer({ default: 1, minimum: 1, maximum: 5 }),
  TRADES_RETENTION_DAYS: T.Number({ default: 7, exclusiveMinimum: 0 }),
};
export const RedisEnv = { REDIS_URL: T.String({ default: "redis://127.0.0.1:6379" }) };
export const DatabaseEnv = {
  DATABASE_URL: T.String({ default: "postgres://tickerplant@127.0.0.1:5433/tickerplant" }),
  DATABASE_POOL_SIZE: T.Integer({ default: 10, minimum: 1 }),
};

function isCsv(schema: TSchema): boolean {
  return (schema as Record<string, unknown>)["x-csv"] === true;
}

export function loadConfig<S extends TObject>(schema: S, env: Record<string, string | undefined>): Static<S> {
  const raw: Record<string, unknown> = {};
  for (const [key, prop] of Object.entries(schema.properties)) {
    const value = env[key];
    if (value === undefined || value === "") continue;
    raw[key] = isCsv(prop)
      ? value
          .split(",")
          .map((s) => s.trim())
          .filter(Boolean)
      : value;
  }
  const withDefaults = Value.Default(schema, Value.Convert(schema, raw));
  const problems = [...Value.Errors(schema, withDefaults)].map(
    (e) => `${e.path.slice(1) || "(root)"}: ${e.message}`,
  );
  if (problems.length > 0) throw new ConfigError(problems);
  return withDefaults as Static<S>;
}

/** Parses `a.b=value,c.d=value` pairs (e.g. EXCHANGE_URL_OVERRIDES). */
export function parsePairs(value: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of (value ?? "").split(",")) {
    const i = pair.indexOf("=");
    if (i > 0) out[pair.slice(0, i).trim()] = pair.slice(i + 1).trim();
  }
  return out;
}
