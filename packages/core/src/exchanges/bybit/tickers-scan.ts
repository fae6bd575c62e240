import { KeyNames, textIs } from "../wire/json-text.ts";
import { decimalRun, FIELDS, found } from "./ticker-state.ts";

/**
 * A fast path for Bybit's `tickers.<S>` frames, most of a derivatives feed: their text read
 * instead of JSON.parse, which makes a string per field (~25 of a snapshot, 5–10 of a delta)
 * that the merge then compares and converts. Only the places of the fields the messages read are
 * noted; tickers.ts compares them to the symbol's state in place and keeps them as digits
 * (ticker-state.ts), so nothing of the frame is kept.
 *
 * It takes frames laid out as Bybit writes them,
 * `{"topic":"tickers.…","type":"delta"|"snapshot","data":{…},"cs":N,"ts":N}` with data's values
 * all strings and no whitespace, escapes or control characters: one regular expression finds any
 * escape or control character (the engine's search is ~10× a character loop's speed; a general
 * JSON reader in JS, wire/json-text.ts, was slower than JSON.parse on these frames), then each
 * string ends at its next quote. JSON.parse reads such a text as the strings between its quotes. Anything else — and a repeated field or symbol, or a `__proto__`
 * key — goes the JSON.parse way, whose checks (tickers.ts) see the same values.
 */

export interface ScannedTickers {
  /** Start and end of the topic's text. */
  topicStart: number;
  topicEnd: number;
  snapshot: boolean;
  ts: number;
  /** Start and end of `data.symbol`'s text; -1 when the frame has none. */
  symbolStart: number;
  symbolEnd: number;
  /** Start and end of each field's text (FIELDS' order), -1 when absent; valid until the next scan. */
  at: Int32Array;
  /** Each field's digits and scale as decimalRun read them (scale −1: not a plain decimal). */
  digits: number[];
  scale: number[];
}

/** A character JSON strings cannot hold as such: with none in a frame, each string ends at its next quote. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it looks for
const ESCAPE_OR_CONTROL = /[\\\x00-\x1f]/;

/** FIELDS, then data's symbol and a `__proto__` key. */
const KEYS = new KeyNames([...FIELDS, "symbol", "__proto__"]);
const SYMBOL = FIELDS.length;
const PROTO = FIELDS.length + 1;

const scanned: ScannedTickers = {
  topicStart: 0,
  topicEnd: 0,
  snapshot: false,
  ts: 0,
  symbolStart: -1,
  symbolEnd: -1,
  at: new Int32Array(2 * FIELDS.length),
  digits: new Array(FIELDS.length).fill(0),
  scale: new Array(FIELDS.length).fill(-1),
};

/**
 * A tickers frame read whole, or undefined: then it goes the general way. The result is reused by
 * the next scan. Every character outside the strings is checked where it stands.
 */
export function scanTickersFrame(s: string): ScannedTickers | undefined {
  if (ESCAPE_OR_CONTROL.test(s) || !textIs(s, 0, TOPIC.length, TOPIC)) return undefined;
  const out = scanned;
  const at = out.at;
  for (let k = 0; k < at.length; k++) at[k] = -1; // a loop: fill() was ~20 % of the scan
  out.symbolStart = -1;
  out.symbolEnd = -1;
  const topicEnd = quoteAt(s, TOPIC.length);
  if (topicEnd < 0) return undefined;
  const typeEnd = quoteAt(s, topicEnd + TYPE.length);
  if (typeEnd < 0 || !textIs(s, topicEnd, topicEnd + TYPE.length, TYPE)) return undefined;
  if (textIs(s, topicEnd + TYPE.length, typeEnd, "delta")) out.snapshot = false;
  else if (textIs(s, topicEnd + TYPE.length, typeEnd, "snapshot")) out.snapshot = true;
  else return undefined;
  if (!textIs(s, typeEnd, typeEnd + DATA.length, DATA)) return undefined;
  let p = typeEnd + DATA.length;
  // members "key":"value", up to data's "}"
  if (s.charCodeAt(p) === 125) p++;
  else
    for (;;) {
      if (s.charCodeAt(p) !== 34) return undefined;
      const keyStart = p + 1;
      const i = KEYS.at(s, keyStart);
      const keyEnd = i >= 0 ? keyStart + KEYS.names[i]!.length : quoteAt(s, keyStart);
      if (keyEnd < 0 || s.charCodeAt(keyEnd + 1) !== 58 || s.charCodeAt(keyEnd + 2) !== 34) return undefined;
      const valueStart = keyEnd + 3;
      let valueEnd: number;
      if (i < 0 || i === PROTO) {
        if (i === PROTO) return undefined; // assigned, it sets a prototype: the JSON way
        valueEnd = quoteAt(s, valueStart);
        if (valueEnd < 0) return undefined;
      } else if (i === SYMBOL) {
        if (out.symbolStart >= 0) return undefined; // repeated: JSON.parse keeps the last
        valueEnd = quoteAt(s, valueStart);
        if (valueEnd < 0) return undefined;
        out.symbolStart = valueStart;
        out.symbolEnd = valueEnd;
      } else {
        if (at[2 * i]! >= 0) return undefined;
        valueEnd = decimalRun(s, valueStart, s.length);
        if (valueEnd === s.length) return undefined;
        at[2 * i] = valueStart;
        at[2 * i + 1] = valueEnd;
        out.digits[i] = found.digits;
        out.scale[i] = found.scale;
      }
      p = valueEnd + 2;
      const c = s.charCodeAt(valueEnd + 1);
      if (c === 125) break;
      if (c !== 44) return undefined;
    }
  // ,"cs":N,"ts":N}
  if (!textIs(s, p, p + CS.length, CS)) return undefined;
  p = integerEnd(s, p + CS.length);
  if (p < 0 || !textIs(s, p, p + TS.length, TS)) return undefined;
  const tsStart = p + TS.length;
  const tsEnd = integerEnd(s, tsStart);
  if (tsEnd !== s.length - 1 || s.charCodeAt(tsEnd) !== 125) return undefined;
  out.topicStart = TOPIC.length - "tickers.".length;
  out.topicEnd = topicEnd;
  // a JSON number is + its text: its digits' value while they are at most 15 (exact)
  out.ts = tsEnd - tsStart <= 15 ? integerValue : +s.slice(tsStart, tsEnd);
  return out;
}

const TOPIC = '{"topic":"tickers.';
const TYPE = '","type":"';
const DATA = '","data":{';
const CS = ',"cs":';
const TS = ',"ts":';

/** The next quote from `p` on, or -1 (a loop: indexOf's call cost more on strings this short). */
function quoteAt(s: string, p: number): number {
  const n = s.length;
  while (p < n && s.charCodeAt(p) !== 34) p++;
  return p < n ? p : -1;
}

/** integerEnd's value of the digits (exact up to 15 digits). */
let integerValue = 0;

/** The end of a JSON integer without sign (`0` or digits not led by 0) at `p`, or -1; its value in integerValue. */
function integerEnd(s: string, p: number): number {
  const first = s.charCodeAt(p) - 48;
  integerValue = first;
  if (first === 0) return p + 1;
  if (!(first >= 1 && first <= 9)) return -1;
  for (p++; ; p++) {
    const d = s.charCodeAt(p) - 48;
    if (!(d >= 0 && d <= 9)) return p;
    integerValue = integerValue * 10 + d;
  }
}
