import { AUTH_CHANNELS, WS_CHANNELS, type WsChannel } from "./session.ts";

/**
 * Client messages of the Advanced Trade WebSocket:
 * `{"type":"subscribe"|"unsubscribe","product_ids":[..],"channel":"<one channel>","jwt":"<optional>"}`.
 * The Exchange feed's `channels: [...]` form is refused: one channel per message.
 */

export type ControlRequest = { type: "subscribe" | "unsubscribe"; channel: WsChannel; products: string[] };

export type ControlParse =
  | { ok: true; request: ControlRequest }
  | { ok: false; message: string; reason: string };

/** Channels whose subscription needs no product (they cover every product or none). */
const PRODUCTLESS: ReadonlySet<WsChannel> = new Set(["heartbeats", "status"]);

function refuse(message: string, reason: string): ControlParse {
  return { ok: false, message, reason };
}

export function parseControl(text: string, knownProduct: (id: string) => boolean): ControlParse {
  let msg: unknown;
  try {
    msg = JSON.parse(text);
  } catch {
    return refuse("failure to parse message", "malformed JSON");
  }
  if (typeof msg !== "object" || msg === null || Array.isArray(msg)) {
    return refuse("failure to parse message", "expected a JSON object");
  }
  const m = msg as Record<string, unknown>;
  if (m.type !== "subscribe" && m.type !== "unsubscribe") {
    return refuse("failure to parse message", `unknown type ${JSON.stringify(m.type ?? null)}`);
  }
  const failure = m.type === "subscribe" ? "failure to subscribe" : "failure to unsubscribe";
  if (m.channels !== undefined) {
    return refuse(failure, 'one channel per message: use "channel", not "channels"');
  }
  const channel = m.channel;
  if (typeof channel !== "string" || channel.length === 0) return refuse(failure, "channel is required");
  if ((AUTH_CHANNELS as readonly string[]).includes(channel)) {
    return refuse(failure, `channel ${channel} requires authentication`);
  }
  if (!(WS_CHANNELS as readonly string[]).includes(channel))
    return refuse(failure, `unknown channel ${channel}`);
  const ws = channel as WsChannel;
  const ids = m.product_ids ?? [];
  if (!Array.isArray(ids) || ids.some((p) => typeof p !== "string")) {
    return refuse(failure, "product_ids must be a list of product ids");
  }
  if (ids.length === 0 && !PRODUCTLESS.has(ws) && m.type === "subscribe") {
    return refuse(failure, `channel ${channel} needs product_ids`);
  }
  for (const id of ids as string[]) {
    if (!knownProduct(id)) return refuse(failure, `ProductID is invalid: ${id}`);
  }
  return { ok: true, request: { type: m.type, channel: ws, products: [...new Set(ids as string[])] } };
}
