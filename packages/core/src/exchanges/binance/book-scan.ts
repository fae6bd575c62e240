import type { Level } from "../../schemas/messages.ts";
import { hasPrefix, JsonText, type RecurringTexts, textIs } from "../wire/json-text.ts";

/**
 * A fast path for Binance's combined-stream `depthUpdate` frames,
 * `{"stream":"<s>@depth…","data":{"e":"depthUpdate","E":…,"s":…,"U":…,"u":…,"b":[…],"a":[…]}}`:
 * read from their text (wire/json-text.ts) instead of JSON.parse, which makes a string per price
 * and size and an array per level that the levels then convert. It gives up (undefined) on
 * anything it does not take whole — a payload whose first member is not `"e":"depthUpdate"`, a
 * `stream` that is not a string, a repeated key, a value of another shape than the JSON way
 * accepts for it, a side that is not levels of decimal strings, a string with an escape, bad
 * JSON — and the frame then goes the JSON.parse way, whose checks (parse.ts, depthDiffOf) see
 * the same values. Unknown keys are read and dropped, as there.
 */

export interface ScannedDepth {
  /** `data.s`: a string of its own (the connection's texts), or another scalar. */
  s: unknown;
  E: unknown;
  U: unknown;
  u: unknown;
  bids: Level[];
  asks: Level[];
}

const j = new JsonText();

const STREAM_FRAME = '{"stream":"';

/**
 * `text` is a combined-stream frame that ends `]}}`, as a depthUpdate's does (`…,"a":[…]}}`) and a
 * trade's or a bookTicker's does not: the frames worth scanning. A scan they would give up on costs
 * its reading up to the payload's first key, and a search for `@depth` in the stream still 2–14 %
 * of a trade frame's parse; this reads a character.
 */
export function isDepthFrame(text: string): boolean {
  return text.charCodeAt(text.length - 3) === 93 && hasPrefix(text, STREAM_FRAME);
}

/** A depthUpdate frame read whole, or undefined: then it goes the general way. */
export function scanDepthFrame(text: string, texts: RecurringTexts): ScannedDepth | undefined {
  return j.read(text, texts, frame);
}

const STREAM = 1;
const DATA = 2;

function frame(): ScannedDepth | undefined {
  let out: ScannedDepth | undefined;
  let seen = 0;
  const at = compactOpening(j.text);
  if (at !== -1) {
    j.p = at;
    out = readMembers();
    if (out === undefined) return undefined;
    seen = STREAM | DATA;
  } else if (!j.token(123)) return undefined;
  if (at === -1 || j.more(125)) {
    do {
      if (!j.nextKey()) return undefined;
      let bit = 0;
      if (j.keyIs("stream")) {
        bit = STREAM;
        // only its being a string matters: the payload is read the same whatever the stream
        if (j.stringStart() === -1) return undefined;
      } else if (j.keyIs("data")) {
        bit = DATA;
        out = readData();
        if (out === undefined) return undefined;
      } else if (!j.skipValue()) return undefined;
      if ((seen & bit) !== 0) return undefined; // a repeated key: JSON.parse keeps the last
      seen |= bit;
    } while (j.more(125));
  }
  if (j.p === -1 || seen !== (STREAM | DATA) || !j.atEnd()) return undefined;
  return out;
}

const OPENING = '{"stream":"';
const PAYLOAD = '","data":{"e":"depthUpdate"';

/**
 * Where the payload's members begin after the opening Binance writes, `{"stream":"<s>","data":{"e":"depthUpdate"`
 * (the stream without escapes), or -1: then the opening is read member by member. Most of
 * the reading of a small diff otherwise.
 */
function compactOpening(s: string): number {
  if (!hasPrefix(s, OPENING)) return -1;
  const n = Math.min(s.length, 128);
  let p = OPENING.length;
  for (; p < n; p++) {
    const c = s.charCodeAt(p);
    if (c === 34) break;
    if (c === 92 || c < 32) return -1;
  }
  return textIs(s, p, p + PAYLOAD.length, PAYLOAD) ? p + PAYLOAD.length : -1;
}

const E = 1;
const S = 2;
const FIRST = 4;
const LAST = 8;
const BIDS = 16;
const ASKS = 32;

/** `data`: `"e":"depthUpdate"` first, then `E, s, U, u, b, a, …` with both sides. */
function readData(): ScannedDepth | undefined {
  if (!j.token(123) || !j.nextKey() || !j.keyIs("e")) return undefined;
  const e = j.stringStart();
  if (e === -1 || !textIs(j.text, e, j.p - 1, "depthUpdate")) return undefined;
  return readMembers();
}

/** The payload's members after `"e":"depthUpdate"`, through its `}`. */
function readMembers(): ScannedDepth | undefined {
  const out: ScannedDepth = { s: undefined, E: undefined, U: undefined, u: undefined, bids: [], asks: [] };
  let seen = 0;
  for (;;) {
    let key = compactKey();
    if (key === -1) {
      if (!j.more(125)) break;
      if (!j.nextKey()) return undefined;
      key = knownKey();
    }
    let bit = 0;
    switch (key) {
      case 69: // E
        bit = E;
        if (!j.scalar()) return undefined;
        out.E = j.value;
        break;
      case 115: // s
        bit = S;
        if (j.peek(34)) {
          const s = j.string();
          if (s === undefined) return undefined;
          out.s = s;
        } else if (!j.scalar()) return undefined;
        else out.s = j.value;
        break;
      case 85: // U
        bit = FIRST;
        if (!j.scalar()) return undefined;
        out.U = j.value;
        break;
      case 117: // u
        bit = LAST;
        if (!j.scalar()) return undefined;
        out.u = j.value;
        break;
      case 98: // b
      case 97: {
        // a
        bit = key === 98 ? BIDS : ASKS;
        const side = j.side(false);
        if (side === null) return undefined;
        if (bit === BIDS) out.bids = side;
        else out.asks = side;
        break;
      }
      case 101: // e, repeated
        return undefined;
      default:
        if (!j.skipValue()) return undefined;
    }
    if ((seen & bit) !== 0) return undefined;
    seen |= bit;
  }
  return j.p !== -1 && (seen & (BIDS | ASKS)) === (BIDS | ASKS) ? out : undefined;
}

/**
 * The next member's one-character key as Binance writes it, `,"<c>":` (p then after the `:`), or -1:
 * then more() and nextKey() read it. Key by key, the most of a diff's reading otherwise.
 */
function compactKey(): number {
  const s = j.text;
  const p = j.p;
  if (
    s.charCodeAt(p) !== 44 ||
    s.charCodeAt(p + 1) !== 34 ||
    s.charCodeAt(p + 3) !== 34 ||
    s.charCodeAt(p + 4) !== 58
  )
    return -1;
  const c = s.charCodeAt(p + 2);
  if (c === 34 || c === 92 || c < 32) return -1; // a quote, an escape, a control character
  j.p = p + 5;
  return c;
}

/** The key nextKey() read as compactKey's code when it is one of the payload's, else 0 (dropped). */
function knownKey(): number {
  for (const k of KEYS) if (j.keyIs(k)) return k.charCodeAt(0);
  return 0;
}

const KEYS = ["E", "s", "U", "u", "b", "a", "e"];
