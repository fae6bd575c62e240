/** Why a gateway call failed. `retryable` says whether trying again later can help. */
export class GatewayError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number | null,
    readonly retryable: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "GatewayError";
  }
}

/** The gateway did not answer at all (refused, reset, DNS, timeout). */
export class GatewayUnreachableError extends GatewayError {
  constructor(url: string, options?: { cause?: unknown }) {
    const reason = options?.cause instanceof Error ? `: ${options.cause.message}` : "";
    super("gateway_unreachable", `gateway at ${url} is unreachable${reason}`, null, true, options);
    this.name = "GatewayUnreachableError";
  }
}

/** Turns a non-2xx answer (the REST API's `{"error":{"code","message"}}` body, or anything else) into an error. */
export function errorFromResponse(status: number, body: unknown): GatewayError {
  const e = (body as { error?: { code?: unknown; message?: unknown } } | null)?.error;
  const code = typeof e?.code === "string" ? e.code : `http_${status}`;
  const message =
    typeof e?.message === "string"
      ? e.message
      : typeof body === "string" && body !== ""
        ? body.slice(0, 200)
        : `HTTP ${status}`;
  return new GatewayError(code, message, status, status >= 500 || status === 429);
}
