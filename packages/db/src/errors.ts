import { TickerplantError, TransientError } from "@tickerplant/core";

/** Client-side failures of postgres.js and the socket: the server may come back. */
const CLIENT_TRANSIENT = new Set([
  "CONNECTION_CLOSED",
  "CONNECTION_ENDED",
  "CONNECTION_DESTROYED",
  "CONNECT_TIMEOUT",
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "ENOTFOUND",
  "EAI_AGAIN",
]);

/**
 * SQLSTATEs worth retrying: connection exceptions (08), serialization failure and deadlock (40),
 * insufficient resources (53), operator intervention such as a restart (57), lock not available.
 */
function transientSqlState(code: string): boolean {
  return /^(08|40|53|57)/.test(code) || code === "55P03";
}

/**
 * Wraps a database failure in a typed error: retryable (TransientError) when the database may
 * recover, otherwise a permanent TickerplantError ("db_rejected": the statement itself is wrong).
 */
export function classifyDbError(err: unknown, what: string): TickerplantError {
  if (err instanceof TickerplantError) return err;
  const code = String((err as { code?: unknown })?.code ?? "");
  const message = `${what}: ${err instanceof Error ? err.message : String(err)}`;
  const isSqlState = /^[0-9A-Z]{5}$/.test(code);
  if (CLIENT_TRANSIENT.has(code) || (isSqlState && transientSqlState(code))) {
    return new TransientError("db_unavailable", message, { cause: err });
  }
  if (isSqlState) return new TickerplantError("db_rejected", message, false, { cause: err });
  // Unknown failures (no SQLSTATE) are most often the connection: retry rather than drop data.
  return new TransientError("db_unavailable", message, { cause: err });
}
