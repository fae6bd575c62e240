import type { CliEnv } from "../config.ts";

/** Where a gateway command writes, its environment, and the signal that stops it. */
export interface CommandIo {
  env: CliEnv;
  out: { write(s: string): unknown };
  err: { write(s: string): unknown };
  signal: AbortSignal;
}
