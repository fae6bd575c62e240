import { Type as T } from "@sinclair/typebox";
import { TickerplantError, TransientError } from "@tickerplant/core";

/** The one error shape of the REST API: `{"error":{"code":"...","message":"..."}}`. */
export const ErrorBodySchema = T.Object(
  { error: T.Object({ code: T.String(), message: T.String() }) },
  {
    description:
      "error: invalid_request (400), unauthorized (401), forbidden (403), payload_too_large (413), rate_limited / too_many_connections (429, with Retry-After), unknown_exchange / unknown_market / not_found (404), internal (500), unavailable / book_unavailable (503)",
  },
);

/** An error the client is meant to see, with its HTTP status. */
export class ApiError extends TickerplantError {
  /** Response headers that go with the error (e.g. Retry-After). */
  readonly headers: Record<string, string>;

  constructor(
    readonly status: number,
    code: string,
    message: string,
    options?: { cause?: unknown; headers?: Record<string, string> },
  ) {
    super(code, message, status >= 500, options);
    this.headers = options?.headers ?? {};
  }
}

export const unknownExchange = (id: string) =>
  new ApiError(404, "unknown_exchange", `unknown exchange "${id}"`);
export const unknownMarket = (exchange: string, market: string) =>
  new ApiError(404, "unknown_market", `unknown market "${market}" on exchange "${exchange}"`);
export const invalidRequest = (message: string) => new ApiError(400, "invalid_request", message);

export function errorResponse(
  status: number,
  code: string,
  message: string,
  headers?: Record<string, string>,
): Response {
  return Response.json({ error: { code, message } }, { status, headers });
}

// Error codes of postgres.js, ioredis and the OS that mean "the dependency is unreachable", not "bug".
const UNAVAILABLE_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "ENOTFOUND",
  "EHOSTUNREACH",
  "CONNECT_TIMEOUT",
  "CONNECTION_CLOSED",
  "CONNECTION_ENDED",
  "CONNECTION_DESTROYED",
  "57P01", // admin_shutdown
  "57P03", // cannot_connect_now
  "53300", // too_many_connections
]);

/** True when the error says a database, Redis or NATS could not be reached. */
export function isUnavailable(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    if (e instanceof TransientError) return true; // e.g. packages/db's db_unavailable
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && UNAVAILABLE_CODES.has(code)) return true;
    if (e.name === "MaxRetriesPerRequestError") return true;
    if (
      /Connection is closed|Stream isn't writeable|CONNECTION_CLOSED|connection (refused|closed)/i.test(
        e.message,
      )
    ) {
      return true;
    }
  }
  return false;
}
