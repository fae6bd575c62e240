import type { FrameResult, ParseContext } from "../../adapter.ts";
import { isObject, sample } from "../wire/fields.ts";
import { notAnObject, parseJson, utf8Frame } from "../wire/frame-json.ts";
import { badFieldUnquoted, ignoredFrozen } from "../wire/frame-results.ts";
import { parseCandles, rememberCandleInterval } from "./candles.ts";
import { invalid } from "./results.ts";
import { parseBookTicker, parseDepth, parseMarketStats, parseTrades } from "./updates.ts";
import { intervalOfRequestId } from "./ws.ts";

/**
 * WhiteBIT frames (JSON-RPC) → results. Never throws.
 *
 * | frame                                                   | result                                 |
 * |---------------------------------------------------------|----------------------------------------|
 * | `{"method":"trades_update","params":[mkt,[...]]}`       | trades, oldest first                   |
 * | `market_update` (24 h statistics)                       | ticker (ts = recvTs)                   |
 * | `bookTicker_update`                                     | bbo (seq = update_id)                  |
 * | `depth_update` [true,…] / [false,…]                     | book snapshot / delta (update ids)     |
 * | `candles_update`                                        | candle(s); see candles.ts              |
 * | `lastprice_update`, `marketToday_update`                | ignoredFrozen (`unsupported:<method>`)       |
 * | `{"id":n,"result":"pong","error":null}`                 | control pong                           |
 * | `{"id":n,"result":{"status":"success"},"error":null}`   | ack                                    |
 * | `{"id":n,"result":null,"error":{"code":c,"message":m}}` | error                                  |
 */

const PONG: FrameResult = Object.freeze({ kind: "control", event: "pong" });

/** Pushes WhiteBIT sends that we understand but do not normalize (we never subscribe to them). */
const IGNORED_METHODS: ReadonlyMap<string, FrameResult> = new Map(
  ["lastprice_update", "marketToday_update"].map((m): [string, FrameResult] => [
    m,
    ignoredFrozen(`unsupported:${m}`),
  ]),
);

export function parseFrame(frame: string | Uint8Array, ctx: ParseContext): FrameResult {
  const text = utf8Frame(frame);
  const json = parseJson(text);
  if (!json.ok) return json.result;
  const msg = json.value;
  if (!isObject(msg)) return notAnObject(text);
  const method = msg.method;
  if (method !== undefined) {
    if (typeof method !== "string") return badFieldUnquoted("push", "method", method);
    const params = msg.params;
    if (!Array.isArray(params)) return badFieldUnquoted(method, "params", params);
    switch (method) {
      case "trades_update":
        return parseTrades(params, ctx);
      case "market_update":
        return parseMarketStats(params, ctx);
      case "bookTicker_update":
        return parseBookTicker(params, ctx);
      case "depth_update":
        return parseDepth(params, ctx);
      case "candles_update":
        return parseCandles(params, ctx);
      default:
        return (
          IGNORED_METHODS.get(method) ?? invalid("unknown_method", `unknown method ${sample(method, 40)}`)
        );
    }
  }
  if ("result" in msg || "error" in msg) return parseReply(msg, ctx);
  return invalid("invalid_shape", `neither a push nor a reply; keys ${sample(Object.keys(msg).join(","))}`);
}

function requestId(id: unknown): string | number | null {
  return typeof id === "number" || typeof id === "string" ? id : null;
}

function parseReply(msg: Record<string, unknown>, ctx: ParseContext): FrameResult {
  const id = requestId(msg.id);
  const error = msg.error;
  if (error !== null && error !== undefined) {
    const text = isObject(error)
      ? `${typeof error.message === "string" ? error.message : sample(error.message)} (code ${sample(error.code, 20)})`
      : sample(error);
    return { kind: "error", id, message: text };
  }
  if (msg.result === "pong") return PONG;
  const interval = intervalOfRequestId(id);
  if (interval !== undefined) rememberCandleInterval(ctx.state, interval);
  return { kind: "ack", id };
}
