/** Structured JSON logs, one object per line on stdout. */

export type LogLevel = "debug" | "info" | "warn" | "error";
const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  child(fields: Record<string, unknown>): Logger;
}

function serializeError(err: unknown): unknown {
  if (!(err instanceof Error)) return err;
  const out: Record<string, unknown> = { name: err.name, message: err.message };
  if ("code" in err) out.code = (err as { code: unknown }).code;
  if (err.cause !== undefined) out.cause = serializeError(err.cause);
  return out;
}

export function createLogger(
  options: { service: string; level?: LogLevel; write?: (line: string) => void },
  bound: Record<string, unknown> = {},
): Logger {
  const min = RANK[options.level ?? "info"];
  const write = options.write ?? ((line: string) => process.stdout.write(`${line}\n`));
  const log = (level: LogLevel, msg: string, fields?: Record<string, unknown>) => {
    if (RANK[level] < min) return;
    const entry: Record<string, unknown> = {
      time: new Date().toISOString(),
      level,
      service: options.service,
      msg,
    };
    Object.assign(entry, bound);
    if (fields) for (const [k, v] of Object.entries(fields)) entry[k] = k === "err" ? serializeError(v) : v;
    write(JSON.stringify(entry));
  };
  return {
    debug: (m, f) => log("debug", m, f),
    info: (m, f) => log("info", m, f),
    warn: (m, f) => log("warn", m, f),
    error: (m, f) => log("error", m, f),
    child: (fields) => createLogger(options, { ...bound, ...fields }),
  };
}
