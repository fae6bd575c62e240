import type { Logger } from "@tickerplant/runtime";
import { ApiError, errorResponse, isUnavailable } from "./errors.ts";

interface ValidationLike {
  type?: string;
  customError?: unknown;
  all?: Array<{ path?: string; message?: string; summary?: string }>;
}

/** A readable message for an Elysia validation error: the schema's `error` text, else the first problem. */
function validationMessage(error: ValidationLike): string {
  if (typeof error.customError === "string") return error.customError;
  const first = error.all?.[0];
  if (!first) return "invalid request";
  const where = first.path
    ? `${error.type ?? "request"} ${first.path.slice(1).replaceAll("/", ".")}`
    : (error.type ?? "request");
  return `${where}: ${first.summary ?? first.message ?? "invalid value"}`;
}

/**
 * Maps every failure to the API's error body: validation → 400 invalid_request, unknown route →
 * 404 not_found, ApiError → its own status, an unreachable dependency → 503 unavailable,
 * anything else → 500 internal (logged with the request; no stack goes to the client).
 */
export function handleError(o: {
  code: string | number;
  error: unknown;
  request: Request;
  route?: string;
  log: Logger;
  /** CORS headers for this request's origin. */
  cors: Record<string, string>;
  /** Elysia's response state: its status is what the request metrics record. */
  set: { status?: number | string };
}): Response {
  const response = toResponse(o);
  o.set.status = response.status;
  return response;
}

function toResponse(o: Parameters<typeof handleError>[0]): Response {
  const headers = o.cors;
  const { error } = o;
  if (error instanceof ApiError)
    return errorResponse(error.status, error.code, error.message, { ...headers, ...error.headers });
  if (o.code === "VALIDATION") {
    const v = error as ValidationLike;
    if (v.type === "response") {
      o.log.error("response failed its schema", { route: o.route, err: error });
      return errorResponse(500, "internal", "internal error", headers);
    }
    return errorResponse(400, "invalid_request", validationMessage(v), headers);
  }
  if (o.code === "PARSE")
    return errorResponse(400, "invalid_request", "the request body could not be parsed", headers);
  if (o.code === "NOT_FOUND") {
    return errorResponse(
      404,
      "not_found",
      `no route for ${o.request.method} ${new URL(o.request.url).pathname}`,
      headers,
    );
  }
  if (isUnavailable(error)) {
    o.log.warn("dependency unavailable", { route: o.route, err: error });
    return errorResponse(503, "unavailable", "a backing service is unavailable; try again shortly", headers);
  }
  o.log.error("request failed", { method: o.request.method, url: o.request.url, route: o.route, err: error });
  return errorResponse(500, "internal", "internal error", headers);
}
