import type { FrameResult } from "../../adapter.ts";
import { sample } from "./fields.ts";
import { invalid } from "./frame-results.ts";

/** Reading a WebSocket frame as JSON, the first step of every adapter's parser. */

const decoder = new TextDecoder();

/** A frame as text: binary frames are UTF-8. */
export function utf8Frame(frame: string | Uint8Array): string {
  return typeof frame === "string" ? frame : decoder.decode(frame);
}

/** A frame's JSON value, or the "malformed_json" result when it does not parse. */
export type ParsedJson = { ok: true; value: unknown } | { ok: false; result: FrameResult };

/**
 * JSON.parse that never throws: `json` is the frame's `text` or a rewrite of it, and a failure's
 * detail is `<JSON.parse's message>; frame <sample of text>`.
 */
export function parseJson(text: string, json = text): ParsedJson {
  try {
    return { ok: true, value: JSON.parse(json) };
  } catch (err) {
    return {
      ok: false,
      result: invalid("malformed_json", `${(err as Error).message}; frame ${sample(text, 80)}`),
    };
  }
}

/** The "invalid_shape" result for a frame whose JSON has another shape: `not <expected>: <sample>`. */
export function notAnObject(text: string, expected = "a JSON object"): FrameResult {
  return invalid("invalid_shape", `not ${expected}: ${sample(text, 80)}`);
}
