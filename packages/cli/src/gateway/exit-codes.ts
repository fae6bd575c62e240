import { GatewayError, GatewayUnreachableError } from "@tickerplant/client";

/** Exit codes of the gateway commands (documented in docs/cli.md). */
export const EXIT = {
  ok: 0,
  /** The command ran and found a problem (a check failed, a service is down). */
  problem: 1,
  /** Bad arguments. */
  usage: 2,
  /** The gateway did not answer (down, refused, timed out). */
  unreachable: 3,
  /** The gateway answered with an error (4xx/5xx). */
  rejected: 4,
} as const;

/** A wrong flag or value; the message says what is expected. */
export class UsageError extends Error {
  override name = "UsageError";
}

/** Maps any failure of a command to its message and exit code. */
export function describeFailure(err: unknown): { message: string; code: number } {
  if (err instanceof UsageError) return { message: err.message, code: EXIT.usage };
  if (err instanceof GatewayUnreachableError || (err instanceof GatewayError && err.status === null))
    return {
      message: `${err.message}\n(is the platform up? start it with "bash infra/up.sh", or point --gateway / TICKERPLANT_URL at it)`,
      code: err.code === "invalid_url" ? EXIT.usage : EXIT.unreachable,
    };
  if (err instanceof GatewayError)
    return { message: `gateway answered ${err.status} ${err.code}: ${err.message}`, code: EXIT.rejected };
  if (err instanceof Error && err.name === "TypeError" && /parseArgs|option|argument/i.test(err.message))
    return { message: err.message, code: EXIT.usage };
  return { message: err instanceof Error ? err.message : String(err), code: EXIT.problem };
}
