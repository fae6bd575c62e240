import type { FrameResult, ParseContext } from "../../adapter.ts";
import { parseAdvanced } from "./advanced.ts";
import { isObject, sample } from "./fields.ts";
import { parseLegacy } from "./legacy.ts";
import { errorResult, invalid } from "./results.ts";

/**
 * Coinbase frames → normalized messages, for both protocols, told apart by shape: Advanced Trade
 * frames carry a `channel` (see advanced.ts), legacy Exchange feed messages a `type` (legacy.ts);
 * `{"type":"error",...}` is the error reply of both. Never throws.
 */

const decoder = new TextDecoder();

export function parseFrame(frame: string | Uint8Array, ctx: ParseContext): FrameResult {
  const text = typeof frame === "string" ? frame : decoder.decode(frame);
  let msg: unknown;
  try {
    msg = JSON.parse(text);
  } catch (err) {
    return invalid("malformed_json", `${(err as Error).message}; frame ${sample(text, 80)}`);
  }
  if (!isObject(msg)) return invalid("invalid_shape", `not a JSON object: ${sample(text, 80)}`);
  const channel = msg.channel;
  if (typeof channel === "string") return parseAdvanced(msg, channel, ctx);
  const type = msg.type;
  if (type === "error") return errorResult(msg);
  if (typeof type === "string") return parseLegacy(msg, type, ctx);
  return invalid(
    "unknown_event",
    `neither "channel" nor "type"; keys ${sample(Object.keys(msg).slice(0, 8).join(","))}`,
  );
}
