/**
 * Typed errors carry a cause and say whether retrying can help: a consumer naks a retryable
 * failure with a delay and terminates a permanent one.
 */
export class TickerplantError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly retryable: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A frame or payload that cannot be understood; retrying the same input cannot help. */
export class ParseError extends TickerplantError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("parse_error", message, false, options);
  }
}

/** A dependency (database, broker, exchange) failed in a way that may pass. */
export class TransientError extends TickerplantError {
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(code, message, true, options);
  }
}

export function isRetryable(err: unknown): boolean {
  return err instanceof TickerplantError ? err.retryable : true;
}
