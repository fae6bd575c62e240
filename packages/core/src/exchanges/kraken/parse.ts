import type { FrameResult, ParseContext } from "../../adapter.ts";
import { isObject } from "../wire/fields.ts";
import { notAnObject, parseJson, utf8Frame } from "../wire/frame-json.ts";
import { textsOf } from "../wire/json-text.ts";
import { scanV1BookFrame } from "./book-scan.ts";
import { parseScannedV1Book, parseV1Array, parseV1Event } from "./parse-v1.ts";
import { parseV2 } from "./parse-v2.ts";

/**
 * Kraken spot frames → normalized messages, chosen by shape: v2 frames are objects with `channel`
 * or `method`, v1 data frames are arrays and v1 events objects with `event`. Never throws.
 */

/**
 * v2 book levels are JSON numbers printed with the pair's precision (`"qty":0.00100000`); the
 * checksum needs that text, which JSON.parse would lose. Book frames get their price/qty numbers
 * quoted before parsing.
 */
const BOOK_NUMBER = /"(price|qty)":\s*(-?[0-9][0-9.eE+-]*)/g;

export function preserveBookNumbers(text: string): string {
  return text.includes('"book"') ? text.replace(BOOK_NUMBER, '"$1":"$2"') : text;
}

/** The connection state's key of the v1 book reader's strings (wire/json-text.ts RecurringTexts). */
const TEXTS = "texts";

export function parseFrame(frame: string | Uint8Array, ctx: ParseContext): FrameResult {
  const text = utf8Frame(frame);
  // v1 book frames, most of a v1 book feed, are read from the text when they can be (book-scan.ts)
  if (text.charCodeAt(0) === 91) {
    const book = scanV1BookFrame(text, textsOf(ctx.state, TEXTS));
    if (book !== undefined) return parseScannedV1Book(book, ctx);
  }
  const json = parseJson(text, preserveBookNumbers(text));
  if (!json.ok) return json.result;
  const msg = json.value;
  if (Array.isArray(msg)) return parseV1Array(msg, ctx);
  if (!isObject(msg)) return notAnObject(text, "a JSON object or array");
  if (msg.event !== undefined && msg.channel === undefined && msg.method === undefined)
    return parseV1Event(msg);
  return parseV2(msg, ctx);
}
