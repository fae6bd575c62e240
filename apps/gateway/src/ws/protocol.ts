/**
 * The WebSocket protocol (docs/api: "WebSocket"):
 *   client → {"op":"subscribe","channels":[...],"id":1,"since":123|"2024-01-01T00:00:00Z"}
 *            {"op":"unsubscribe","channels":[...],"id":2}   {"op":"ping"}
 *   server → {"type":"subscribed","channels":[...],"id":1}  {"type":"unsubscribed",...}  {"type":"pong"}
 *            {"type":"error","code":"...","message":"...","id":1}
 *            {"channel":"trade:binance:BTC-USDT","seq":123,"data":{...}}  (+ "snapshot":true)
 */

export type RequestId = number | string;

/** Where a resumed subscription starts: a stream sequence (inclusive) or a time. */
export type Since = { seq: number } | { time: string };

export type ClientRequest =
  | { op: "subscribe"; channels: string[]; id?: RequestId; since?: Since }
  | { op: "unsubscribe"; channels: string[]; id?: RequestId }
  | { op: "ping"; id?: RequestId };

export type ErrorCode =
  | "invalid_json"
  | "invalid_request"
  | "unknown_op"
  | "invalid_channel"
  | "unknown_channel_type"
  | "invalid_interval"
  | "invalid_since"
  | "too_many_subscriptions"
  | "message_too_large"
  | "rate_limited"
  | "unavailable";

export class ProtocolError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly id?: RequestId,
  ) {
    super(message);
    this.name = "ProtocolError";
  }
}

const OPS = ["subscribe", "unsubscribe", "ping"];
const ISO_TIME_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/** Size of a client message as received (Elysia hands over parsed JSON; objects are re-measured compactly). */
export function messageBytes(message: unknown): number {
  if (typeof message === "string") return Buffer.byteLength(message);
  if (message instanceof Uint8Array) return message.byteLength;
  try {
    return Buffer.byteLength(JSON.stringify(message) ?? "");
  } catch {
    return 0;
  }
}

/** Validates one client message (already JSON-parsed when it was valid JSON text). */
export function parseRequest(message: unknown, maxChannels: number): ClientRequest {
  let value = message;
  if (value instanceof Uint8Array) value = new TextDecoder().decode(value);
  if (typeof value === "string") {
    try {
      value = JSON.parse(value);
    } catch {
      throw new ProtocolError("invalid_json", "message is not valid JSON");
    }
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new ProtocolError("invalid_request", 'message must be a JSON object with an "op"');
  }
  const m = value as Record<string, unknown>;
  const id = parseId(m.id);
  if (typeof m.op !== "string" || !OPS.includes(m.op)) {
    throw new ProtocolError(
      "unknown_op",
      `unknown op ${JSON.stringify(m.op ?? null)} (one of ${OPS.join(", ")})`,
      id,
    );
  }
  if (m.op === "ping") return { op: "ping", ...(id !== undefined ? { id } : {}) };
  const channels = parseChannels(m.channels, maxChannels, id);
  if (m.op === "unsubscribe") return { op: "unsubscribe", channels, ...(id !== undefined ? { id } : {}) };
  const since = parseSince(m.since, id);
  return { op: "subscribe", channels, ...(id !== undefined ? { id } : {}), ...(since ? { since } : {}) };
}

function parseId(id: unknown): RequestId | undefined {
  if (id === undefined || id === null) return undefined;
  if ((typeof id === "number" && Number.isFinite(id)) || (typeof id === "string" && id.length <= 64))
    return id;
  throw new ProtocolError("invalid_request", "id must be a number or a string of at most 64 characters");
}

function parseChannels(channels: unknown, max: number, id: RequestId | undefined): string[] {
  if (!Array.isArray(channels) || channels.length === 0 || !channels.every((c) => typeof c === "string")) {
    throw new ProtocolError("invalid_request", '"channels" must be a non-empty array of channel names', id);
  }
  const unique = [...new Set(channels as string[])];
  if (unique.length > max) {
    throw new ProtocolError("too_many_subscriptions", `at most ${max} channels per client`, id);
  }
  return unique;
}

function parseSince(since: unknown, id: RequestId | undefined): Since | undefined {
  if (since === undefined || since === null) return undefined;
  const seq = typeof since === "string" && /^\d+$/.test(since) ? Number(since) : since;
  if (typeof seq === "number") {
    if (Number.isSafeInteger(seq) && seq >= 1) return { seq };
  } else if (typeof since === "string" && ISO_TIME_RE.test(since) && Number.isFinite(Date.parse(since))) {
    return { time: new Date(Date.parse(since)).toISOString() };
  }
  throw new ProtocolError(
    "invalid_since",
    '"since" must be a stream sequence (integer ≥ 1) or an ISO-8601 time with a zone (2024-01-01T00:00:00Z)',
    id,
  );
}

const withId = (id: RequestId | undefined) => (id !== undefined ? { id } : {});

export const reply = {
  subscribed: (channels: string[], id?: RequestId) =>
    JSON.stringify({ type: "subscribed", channels, ...withId(id) }),
  unsubscribed: (channels: string[], id?: RequestId) =>
    JSON.stringify({ type: "unsubscribed", channels, ...withId(id) }),
  pong: (id?: RequestId) => JSON.stringify({ type: "pong", ...withId(id) }),
  error: (code: ErrorCode, message: string, id?: RequestId) =>
    JSON.stringify({ type: "error", code, message, ...withId(id) }),
};

/** A data envelope; `payload` is the message's JSON text, embedded without re-serializing. */
export function dataEnvelope(channel: string, seq: number | null, payload: string, snapshot = false): string {
  return `{"channel":${JSON.stringify(channel)},"seq":${seq ?? "null"},${snapshot ? '"snapshot":true,' : ""}"data":${payload}}`;
}
