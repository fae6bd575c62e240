import { redactField, redactString } from "./redact.ts";

/** Structured JSON logs, one object per line on stdout. Secrets never reach a log line (redact.ts). */

export type LogLevel = "debug" | "info" | "warn" | "error";
const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  child(fields: Record<string, unknown>): Logger;
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
      msg: redactString(msg),
    };
    for (const source of [bound, fields ?? {}])
      for (const [k, v] of Object.entries(source)) entry[k] = redactField(k, v);
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
