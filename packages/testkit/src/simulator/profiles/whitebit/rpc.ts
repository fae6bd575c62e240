/**
 * WhiteBIT JSON-RPC replies: `{"id":..,"result":..,"error":null}` and
 * `{"id":..,"result":null,"error":{"code":..,"message":..}}` with WhiteBIT's error codes.
 */

export type RequestId = number | string | null;

export interface RpcError {
  code: number;
  message: string;
}

export const ERRORS = {
  invalidArgument: { code: 1, message: "invalid argument" },
  internal: { code: 2, message: "internal error" },
  unavailable: { code: 3, message: "service unavailable" },
  methodNotFound: { code: 4, message: "method not found" },
  timeout: { code: 5, message: "service timeout" },
  authRequired: { code: 6, message: "require authentication" },
  tooManyRequests: { code: 7, message: "too many requests" },
} as const satisfies Record<string, RpcError>;

export function resultReply(id: RequestId, result: unknown): string {
  return JSON.stringify({ id, result, error: null });
}

export function successReply(id: RequestId): string {
  return resultReply(id, { status: "success" });
}

export function errorReply(id: RequestId, error: RpcError): string {
  return JSON.stringify({ id, result: null, error });
}
