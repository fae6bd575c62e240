import type { FrameResult, ParseContext } from "../../adapter.ts";
import { isObject, sample } from "./fields.ts";
import { parseV1Array, parseV1Event } from "./parse-v1.ts";
import { parseV2 } from "./parse-v2.ts";
import { invalid } from "./results.ts";

/**
 * Kraken spot frames → normalized messages, chosen by shape: v2 frames are objects with `channel`
 * or `method`, v1 data frames are arrays and v1 events objects with `event`. Never throws.
 */

const decoder = new TextDecoder();

/**
 * v2 book levels are JSON numbers printed with the pair's precision (`"qty":0.00100000`); the
 * checksum needs that text, which JSON.parse would lose. Book frames get their price/qty numbers
 * quoted before parsing.
 */
const BOOK_NUMBER = /"(price|qty)":\s*(-?[0-9][0-9.eE+-]*)/g;

export function preserveBookNumbers(text: string): string {
  return text.includes('"book"') ? text.replace(BOOK_NUMBER, '"$1":"$2"') : text;
}

export function parseFrame(frame: string | Uint8Array, ctx: ParseContext): FrameResult {
  const text = typeof frame === "string" ? frame : decoder.decode(frame);
  let msg: unknown;
  try {
    msg = JSON.parse(preserveBookNumbers(text));
  } catch (err) {
    return invalid("malformed_json", `${(err as Error).message}; frame ${sample(text, 80)}`);
  }
  if (Array.isArray(msg)) return parseV1Array(msg, ctx);
  if (!isObject(msg)) return invalid("invalid_shape", `not a JSON object or array: ${sample(text, 80)}`);
  if (msg.event !== undefined && msg.channel === undefined && msg.method === undefined)
    return parseV1Event(msg);
  return parseV2(msg, ctx);
}
