/**
 * Binance WebSocket control requests: SUBSCRIBE, UNSUBSCRIBE, LIST_SUBSCRIPTIONS, SET_PROPERTY,
 * GET_PROPERTY. Replies `{"result":...,"id":...}`; errors `{"error":{"code":n,"msg":"..."},"id":...}`
 * with Binance's codes (0 unknown property, 1 bad value type, 2 invalid request, 3 invalid JSON).
 */

export type RequestId = number | string | null;

/** A stream name parsed, or why not. */
export type ParseResult<S> = { ok: true; stream: S } | { ok: false; reason: string };

/** One connection's subscriptions, as the control requests see them (spot or USD-M streams). */
export interface ControlTarget<S extends { name: string }> {
  parse(name: string): ParseResult<S>;
  /** Currently subscribed stream names. */
  list(): string[];
  has(name: string): boolean;
  count(): number;
  maxStreams: number;
  subscribe(streams: S[]): void;
  unsubscribe(names: string[]): void;
  getCombined(): boolean;
  setCombined(value: boolean): void;
}

const METHODS = ["SUBSCRIBE", "UNSUBSCRIBE", "LIST_SUBSCRIPTIONS", "SET_PROPERTY", "GET_PROPERTY"];

export function errorReply(code: number, msg: string, id: RequestId): string {
  return JSON.stringify({ error: { code, msg }, id });
}

export function resultReply(result: unknown, id: RequestId): string {
  return JSON.stringify({ result, id });
}

function validId(id: unknown): id is RequestId {
  if (id === null) return true;
  if (typeof id === "number") return Number.isSafeInteger(id);
  if (typeof id === "string") return /^[A-Za-z0-9-]{1,36}$/.test(id);
  return false;
}

/** Handles one text frame from the client and returns the reply frame. */
export function handleControl<S extends { name: string }>(text: string, target: ControlTarget<S>): string {
  let msg: unknown;
  try {
    msg = JSON.parse(text);
  } catch {
    return errorReply(3, "Invalid JSON: expected value at line 1 column 1", null);
  }
  if (typeof msg !== "object" || msg === null || Array.isArray(msg)) {
    return errorReply(2, "Invalid request: expected an object", null);
  }
  const req = msg as Record<string, unknown>;
  const id = req.id === undefined ? null : req.id;
  if (!validId(id)) return errorReply(2, "Invalid request: request ID must be an unsigned integer", null);
  const method = req.method;
  if (method === undefined) return errorReply(2, "Invalid request: missing field `method`", id);
  if (typeof method !== "string" || !METHODS.includes(method)) {
    return errorReply(
      2,
      `Invalid request: unknown variant \`${String(method)}\`, expected one of ${METHODS.map((m) => `\`${m}\``).join(", ")}`,
      id,
    );
  }
  const params = req.params;
  switch (method) {
    case "SUBSCRIBE":
    case "UNSUBSCRIBE": {
      if (!Array.isArray(params) || params.some((p) => typeof p !== "string")) {
        return errorReply(2, "Invalid request: params must be an array of stream names", id);
      }
      const parsed: S[] = [];
      for (const p of params as string[]) {
        const r = target.parse(p);
        if (!r.ok) return errorReply(2, `Invalid request: ${r.reason}`, id);
        parsed.push(r.stream);
      }
      if (method === "UNSUBSCRIBE") {
        target.unsubscribe(parsed.map((s) => s.name));
        return resultReply(null, id);
      }
      const fresh = new Set(parsed.filter((s) => !target.has(s.name)).map((s) => s.name));
      if (target.count() + fresh.size > target.maxStreams) {
        return errorReply(
          2,
          `Invalid request: too many streams, the limit is ${target.maxStreams} per connection`,
          id,
        );
      }
      target.subscribe(parsed);
      return resultReply(null, id);
    }
    case "LIST_SUBSCRIPTIONS":
      if (params !== undefined && !(Array.isArray(params) && params.length === 0)) {
        return errorReply(2, "Invalid request: too many parameters", id);
      }
      return resultReply(target.list(), id);
    case "SET_PROPERTY": {
      if (!Array.isArray(params) || params.length !== 2) {
        return errorReply(2, "Invalid request: too many parameters", id);
      }
      if (typeof params[0] !== "string")
        return errorReply(2, "Invalid request: property name must be a string", id);
      if (params[0] !== "combined") return errorReply(0, "Unknown property", id);
      if (typeof params[1] !== "boolean") return errorReply(1, "Invalid value type: expected Boolean", id);
      target.setCombined(params[1]);
      return resultReply(null, id);
    }
    default: {
      // GET_PROPERTY
      if (!Array.isArray(params) || params.length !== 1) {
        return errorReply(2, "Invalid request: too many parameters", id);
      }
      if (typeof params[0] !== "string")
        return errorReply(2, "Invalid request: property name must be a string", id);
      if (params[0] !== "combined") return errorReply(0, "Unknown property", id);
      return resultReply(target.getCombined(), id);
    }
  }
}
