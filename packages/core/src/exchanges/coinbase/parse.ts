import type { FrameResult, ParseContext } from "../../adapter.ts";
import { isObject, sample } from "../wire/fields.ts";
import { notAnObject, parseJson, utf8Frame } from "../wire/frame-json.ts";
import { parseAdvanced } from "./advanced.ts";
import { parseLegacy } from "./legacy.ts";
import { errorResult, invalid } from "./results.ts";

/**
 * Coinbase frames → normalized messages, for both protocols, told apart by shape: Advanced Trade
 * frames carry a `channel` (see advanced.ts), legacy Exchange feed messages a `type` (legacy.ts);
 * `{"type":"error",...}` is the error reply of both. Never throws.
 */

export function parseFrame(frame: string | Uint8Array, ctx: ParseContext): FrameResult {
  const text = utf8Frame(frame);
  const json = parseJson(text);
  if (!json.ok) return json.result;
  const msg = json.value;
  if (!isObject(msg)) return notAnObject(text);
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
