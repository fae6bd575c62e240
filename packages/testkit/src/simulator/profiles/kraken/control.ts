import { rfc3339 } from "./format.ts";

/**
 * Kraken WebSocket v2 requests: `subscribe`, `unsubscribe` (one acknowledgement per symbol, with
 * `success`), and `ping` (answered `pong`). Replies carry `time_in`/`time_out` and echo `req_id`.
 * Error texts for unknown symbols and duplicate subscriptions are Kraken's; the wording of the
 * others (malformed requests, bad parameters) is the simulator's.
 */

export const METHODS = ["subscribe", "unsubscribe", "ping"] as const;
export const CHANNELS = ["trade", "ticker", "book", "ohlc"] as const;
export const DEPTHS = [10, 25, 100, 500, 1000] as const;
export const OHLC_MINUTES = [1, 5, 15, 30, 60, 240, 1440, 10080, 21600] as const;

export type Channel = (typeof CHANNELS)[number];

/** A validated subscribe/unsubscribe request. */
export interface ChannelRequest {
  method: "subscribe" | "unsubscribe";
  channel: Channel;
  symbols: string[];
  depth: number;
  interval: number;
  snapshot: boolean;
  trigger: "bbo" | "trades";
  reqId: number | undefined;
}

export type Request =
  | { kind: "ping"; reqId: number | undefined }
  | { kind: "channel"; req: ChannelRequest }
  | { kind: "error"; reply: string };

function reply(fields: Record<string, unknown>, timeIn: number): string {
  return JSON.stringify({ ...fields, time_in: rfc3339(timeIn), time_out: rfc3339(Date.now()) });
}

export function errorReply(
  error: string,
  timeIn: number,
  extra: { method?: string; symbol?: string; reqId?: number | undefined } = {},
): string {
  return reply(
    {
      error,
      ...(extra.method !== undefined ? { method: extra.method } : {}),
      ...(extra.reqId !== undefined ? { req_id: extra.reqId } : {}),
      success: false,
      ...(extra.symbol !== undefined ? { symbol: extra.symbol } : {}),
    },
    timeIn,
  );
}

export function ackReply(
  method: string,
  result: Record<string, unknown>,
  timeIn: number,
  reqId: number | undefined,
): string {
  return reply({ method, result, success: true, ...(reqId !== undefined ? { req_id: reqId } : {}) }, timeIn);
}

export function pongReply(timeIn: number, reqId: number | undefined): string {
  return reply({ method: "pong", ...(reqId !== undefined ? { req_id: reqId } : {}) }, timeIn);
}

/** Parses and validates one text frame from the client. */
export function parseRequest(text: string, timeIn: number): Request {
  let msg: unknown;
  try {
    msg = JSON.parse(text);
  } catch {
    return { kind: "error", reply: errorReply("Malformed request", timeIn) };
  }
  if (typeof msg !== "object" || msg === null || Array.isArray(msg)) {
    return { kind: "error", reply: errorReply("Malformed request", timeIn) };
  }
  const m = msg as Record<string, unknown>;
  const rawId = m.req_id;
  if (rawId !== undefined && !Number.isSafeInteger(rawId)) {
    return { kind: "error", reply: errorReply("EGeneral:Invalid arguments:req_id", timeIn) };
  }
  const reqId = rawId as number | undefined;
  const method = m.method;
  if (method === "ping") return { kind: "ping", reqId };
  if (method !== "subscribe" && method !== "unsubscribe") {
    return {
      kind: "error",
      reply: errorReply(`Method not found: ${String(method)}`, timeIn, {
        ...(typeof method === "string" ? { method } : {}),
        reqId,
      }),
    };
  }
  const bad = (field: string): Request => ({
    kind: "error",
    reply: errorReply(`EGeneral:Invalid arguments:${field}`, timeIn, { method, reqId }),
  });
  const p = m.params;
  if (typeof p !== "object" || p === null || Array.isArray(p)) return bad("params");
  const params = p as Record<string, unknown>;
  const channel = params.channel;
  if (!CHANNELS.includes(channel as Channel)) {
    return {
      kind: "error",
      reply: errorReply(`Channel not found: ${String(channel)}`, timeIn, { method, reqId }),
    };
  }
  const symbols = params.symbol;
  if (!Array.isArray(symbols) || symbols.length === 0 || symbols.some((s) => typeof s !== "string"))
    return bad("symbol");
  const depth = params.depth ?? 10;
  if (channel === "book" && !DEPTHS.includes(depth as never)) return bad("depth");
  const interval = params.interval ?? 1;
  if (channel === "ohlc" && !OHLC_MINUTES.includes(interval as never)) return bad("interval");
  const snapshot = params.snapshot ?? true;
  if (typeof snapshot !== "boolean") return bad("snapshot");
  const trigger = params.event_trigger ?? "trades";
  if (trigger !== "bbo" && trigger !== "trades") return bad("event_trigger");
  return {
    kind: "channel",
    req: {
      method,
      channel: channel as Channel,
      symbols: symbols as string[],
      depth: depth as number,
      interval: interval as number,
      snapshot,
      trigger,
      reqId,
    },
  };
}
