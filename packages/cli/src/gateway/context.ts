import { type ParseArgsConfig, parseArgs } from "node:util";
import { createGatewayClient, type GatewayClient } from "@tickerplant/client";
import type { CliEnv } from "./config.ts";
import { UsageError } from "./exit-codes.ts";
import type { Out } from "./output.ts";

/** What every gateway command gets: its parsed flags, a client, and where to write. */
export interface CommandContext<V> {
  values: V;
  positionals: string[];
  client: GatewayClient;
  out: Out;
  err: Out;
  json: boolean;
  /** Aborted on SIGINT/SIGTERM: long-running commands (monitor, watch) stop cleanly. */
  signal: AbortSignal;
}

const COMMON = {
  gateway: { type: "string" },
  "api-key": { type: "string" },
  json: { type: "boolean" },
  timeout: { type: "string" },
} as const satisfies ParseArgsConfig["options"];

export const COMMON_USAGE = `common options:
  --gateway URL     the gateway (default $TICKERPLANT_URL, else http://127.0.0.1:8080)
  --api-key KEY     x-api-key for write routes (default $TICKERPLANT_API_KEY)
  --json            machine-readable JSON instead of tables
  --timeout MS      per-request timeout (default 10000)`;

/** Parses a command's flags (plus the common ones) and builds its client. */
export function commandContext<O extends NonNullable<ParseArgsConfig["options"]>>(
  args: string[],
  options: O,
  io: {
    env: CliEnv;
    out: { write(s: string): unknown };
    err: { write(s: string): unknown };
    signal: AbortSignal;
  },
) {
  let parsed: ReturnType<
    typeof parseArgs<{ args: string[]; options: O & typeof COMMON; allowPositionals: true; strict: true }>
  >;
  try {
    parsed = parseArgs({ args, options: { ...options, ...COMMON }, allowPositionals: true, strict: true });
  } catch (cause) {
    throw new UsageError(cause instanceof Error ? cause.message : String(cause));
  }
  const v = parsed.values as Record<string, unknown>;
  const timeoutMs = v.timeout === undefined ? undefined : positiveNumber("--timeout", v.timeout as string);
  const client = createGatewayClient({
    url: (v.gateway as string | undefined) ?? io.env.gatewayUrl,
    apiKey: (v["api-key"] as string | undefined) ?? io.env.apiKey,
    ...(timeoutMs !== undefined ? { timeoutMs } : {}),
  });
  const json = v.json === true;
  return {
    values: parsed.values,
    positionals: parsed.positionals,
    client,
    json,
    out: { tty: io.env.tty && !json, write: (s: string) => void io.out.write(s) },
    err: { tty: io.env.tty, write: (s: string) => void io.err.write(s) },
    signal: io.signal,
  };
}

export function positiveNumber(flag: string, raw: string): number {
  const n = Number(raw);
  if (raw.trim() === "" || !Number.isFinite(n) || n <= 0)
    throw new UsageError(`${flag} must be a positive number, got "${raw}"`);
  return n;
}

/** "5s", "2m", "500ms", or plain milliseconds. */
export function durationMs(flag: string, raw: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(raw.trim());
  if (!m) throw new UsageError(`${flag} must be a duration like 500ms, 5s or 2m, got "${raw}"`);
  const n = Number(m[1]);
  const ms = n * ({ ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] ?? "ms"] ?? 1);
  if (ms <= 0) throw new UsageError(`${flag} must be greater than zero`);
  return ms;
}

export function printJson(out: Out, value: unknown): void {
  out.write(`${JSON.stringify(value, null, 2)}\n`);
}
