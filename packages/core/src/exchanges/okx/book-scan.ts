import type { Level } from "../../schemas/messages.ts";
import { num } from "../wire/fields.ts";

/**
 * A fast path for OKX's book frames (`books`, `books5`, `books-l2-tbt`, `books50-l2-tbt`): their
 * text read in one pass, the level prices and sizes converted as they are met, without the
 * JSON.parse step that makes a string per price and size and an array per level (JSON.parse and
 * the levels were ~75 % of a book frame; this pass costs less than JSON.parse alone).
 *
 * It reads strict JSON only and gives up (undefined) on anything it does not take whole: another
 * channel or an event, a string with an escape, a level that is not two plain decimal strings, a
 * repeated key, a structural error. The frame then goes the general way (JSON.parse and the same
 * checks), so a frame it reads gives what JSON.parse would have given: strings are the text
 * between their quotes, numbers `+` their text, levels `num` of their strings. Unknown keys are
 * skipped (validated, not kept), as the general path ignores them.
 */

export interface ScannedRow {
  ts: unknown;
  checksum: unknown;
  seqId: unknown;
  prevSeqId: unknown;
  bids: Level[];
  asks: Level[];
  /** The levels' own strings, kept when the row carries a non-zero checksum number. */
  exact: { bids: [string, string][]; asks: [string, string][] } | undefined;
}

export interface ScannedBook {
  channel: string;
  instId: string;
  /** undefined when the frame has none (as `msg.action` would be). */
  action: unknown;
  rows: ScannedRow[];
}

const BOOK_CHANNELS: ReadonlySet<string> = new Set(["books", "books5", "books-l2-tbt", "books50-l2-tbt"]);

// The scan's cursor: one frame at a time, synchronously (no callbacks run during a scan).
let s = "";
let p = 0;
let n = 0;
/** Start and end of each level's price and size strings in the current row (4 per level). */
let offsets = new Int32Array(1024);
let used = 0;
/** The value read by scalar(). */
let value: unknown;

const FAILED = -1;

function ws(): void {
  while (p < n) {
    const c = s.charCodeAt(p);
    if (c === 32 || c === 10 || c === 13 || c === 9) p++;
    else return;
  }
}

/** Skips whitespace, then `c`; false when the next character is another. */
function token(c: number): boolean {
  ws();
  if (p >= n || s.charCodeAt(p) !== c) return false;
  p++;
  return true;
}

/** After a member or element: true after a `,`, false after `close`; p = FAILED otherwise. */
function more(close: number): boolean {
  ws();
  const c = p < n ? s.charCodeAt(p) : FAILED;
  p++;
  if (c === 44) return true;
  if (c !== close) p = FAILED;
  return false;
}

/** A string without escapes: the start of its content (its end is p − 1), or FAILED. */
function stringStart(): number {
  ws();
  if (p >= n || s.charCodeAt(p) !== 34) return FAILED;
  const start = ++p;
  while (p < n) {
    const c = s.charCodeAt(p);
    if (c === 34) {
      p++;
      return start;
    }
    if (c === 92 || c < 32) return FAILED;
    p++;
  }
  return FAILED;
}

/** A JSON number's end (strict grammar), or FAILED; p at its start. */
function numberEnd(): number {
  let i = p;
  if (s.charCodeAt(i) === 45) i++;
  const int = i;
  while (i < n && isDigit(s.charCodeAt(i))) i++;
  if (i === int || (s.charCodeAt(int) === 48 && i > int + 1)) return FAILED;
  if (s.charCodeAt(i) === 46) {
    const frac = ++i;
    while (i < n && isDigit(s.charCodeAt(i))) i++;
    if (i === frac) return FAILED;
  }
  const e = s.charCodeAt(i);
  if (e === 101 || e === 69) {
    i++;
    const sign = s.charCodeAt(i);
    if (sign === 43 || sign === 45) i++;
    const exp = i;
    while (i < n && isDigit(s.charCodeAt(i))) i++;
    if (i === exp) return FAILED;
  }
  return i;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** A string, number, true, false or null into `value`; false for anything else. */
function scalar(): boolean {
  ws();
  if (p >= n) return false;
  const c = s.charCodeAt(p);
  if (c === 34) {
    const start = stringStart();
    if (start === FAILED) return false;
    value = s.slice(start, p - 1);
    return true;
  }
  if (c === 45 || isDigit(c)) {
    const end = numberEnd();
    if (end === FAILED) return false;
    value = +s.slice(p, end);
    p = end;
    return true;
  }
  return literal();
}

function literal(): boolean {
  if (s.startsWith("true", p)) {
    p += 4;
    value = true;
  } else if (s.startsWith("false", p)) {
    p += 5;
    value = false;
  } else if (s.startsWith("null", p)) {
    p += 4;
    value = null;
  } else return false;
  return true;
}

/** Any JSON value, validated and dropped. */
function skipValue(depth: number): boolean {
  ws();
  if (p >= n || depth > 64) return false;
  const c = s.charCodeAt(p);
  if (c === 123 || c === 91) {
    p++;
    const close = c === 123 ? 125 : 93;
    ws();
    if (s.charCodeAt(p) === close) {
      p++;
      return true;
    }
    do {
      if (c === 123 && (stringStart() === FAILED || !token(58))) return false;
      if (!skipValue(depth + 1)) return false;
    } while (more(close));
    return p !== FAILED;
  }
  return scalar();
}

/** The number of a level's string: its digits when plain (num's own path), else num of it. */
function decimalAt(start: number, end: number): number {
  const digitsFrom = start < end && s.charCodeAt(start) === 45 ? start + 1 : start;
  let v = 0;
  let dot = -1;
  for (let i = digitsFrom; i < end; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c >= 0 && c <= 9) v = v * 10 + c;
    else if (c === -2 && dot < 0) dot = i;
    else return num(s.slice(start, end));
  }
  const digits = dot < 0 ? end - digitsFrom : end - digitsFrom - 1;
  if (digits === 0 || digits > 15 || dot === digitsFrom || dot === end - 1) return num(s.slice(start, end));
  const r = dot < 0 ? v : v / POW10[end - 1 - dot]!;
  return digitsFrom !== start ? -r : r;
}

const POW10 = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];

/** `[[px, sz, ...], ...]` with px and sz decimal strings; their offsets appended; null otherwise. */
function side(): Level[] | null {
  if (!token(91)) return null;
  const out: Level[] = [];
  ws();
  if (s.charCodeAt(p) === 93) {
    p++;
    return out;
  }
  do {
    if (!token(91)) return null;
    const pxStart = stringStart();
    if (pxStart === FAILED) return null;
    const pxEnd = p - 1;
    if (!token(44)) return null;
    const szStart = stringStart();
    if (szStart === FAILED) return null;
    const szEnd = p - 1;
    const price = decimalAt(pxStart, pxEnd);
    const amount = decimalAt(szStart, szEnd);
    if (Number.isNaN(price) || Number.isNaN(amount)) return null;
    out.push([price, amount]);
    if (used + 4 > offsets.length) {
      const grown = new Int32Array(offsets.length * 2);
      grown.set(offsets);
      offsets = grown;
    }
    offsets[used++] = pxStart;
    offsets[used++] = pxEnd;
    offsets[used++] = szStart;
    offsets[used++] = szEnd;
    // OKX's level rows carry more (deprecated "0", order count): read, not kept
    while (more(93)) if (!skipValue(1)) return null;
    if (p === FAILED) return null;
  } while (more(93));
  return p === FAILED ? null : out;
}

function exactOf(from: number, to: number): [string, string][] {
  const out: [string, string][] = new Array((to - from) >> 2);
  for (let i = 0, j = from; j < to; i++, j += 4)
    out[i] = [s.slice(offsets[j]!, offsets[j + 1]!), s.slice(offsets[j + 2]!, offsets[j + 3]!)];
  return out;
}

/** The key of the next member (its content), p after its `:`; undefined on a structural error. */
function key(): string | undefined {
  const start = stringStart();
  if (start === FAILED) return undefined;
  const end = p - 1;
  if (!token(58)) return undefined;
  return s.slice(start, end);
}

function row(): ScannedRow | null {
  if (!token(123)) return null;
  let ts: unknown;
  let checksum: unknown;
  let seqId: unknown;
  let prevSeqId: unknown;
  let bids: Level[] | null = null;
  let asks: Level[] | null = null;
  let bidsFrom = 0;
  let bidsTo = 0;
  let asksFrom = 0;
  let asksTo = 0;
  let seen = 0;
  used = 0;
  ws();
  if (s.charCodeAt(p) === 125) return null; // no levels: the general way reports it
  do {
    const k = key();
    if (k === undefined) return null;
    let bit = 0;
    switch (k) {
      case "asks":
        bit = 1;
        asksFrom = used;
        asks = side();
        if (asks === null) return null;
        asksTo = used;
        break;
      case "bids":
        bit = 2;
        bidsFrom = used;
        bids = side();
        if (bids === null) return null;
        bidsTo = used;
        break;
      case "ts":
        bit = 4;
        if (!scalar()) return null;
        ts = value;
        break;
      case "checksum":
        bit = 8;
        if (!scalar()) return null;
        checksum = value;
        break;
      case "seqId":
        bit = 16;
        if (!scalar()) return null;
        seqId = value;
        break;
      case "prevSeqId":
        bit = 32;
        if (!scalar()) return null;
        prevSeqId = value;
        break;
      default:
        if (!skipValue(1)) return null;
    }
    if ((seen & bit) !== 0) return null; // a repeated key: JSON.parse keeps the last
    seen |= bit;
  } while (more(125));
  if (p === FAILED || bids === null || asks === null) return null;
  const exact =
    typeof checksum === "number" && checksum !== 0
      ? { bids: exactOf(bidsFrom, bidsTo), asks: exactOf(asksFrom, asksTo) }
      : undefined;
  return { ts, checksum, seqId, prevSeqId, bids, asks, exact };
}

/** `arg`: its channel (a book channel) and instId; false otherwise. */
function arg(out: { channel: string; instId: string }): boolean {
  if (!token(123)) return false;
  let seen = 0;
  ws();
  if (s.charCodeAt(p) === 125) return false;
  do {
    const k = key();
    if (k === undefined) return false;
    if (k === "channel" || k === "instId") {
      const bit = k === "channel" ? 1 : 2;
      if ((seen & bit) !== 0) return false;
      seen |= bit;
      const start = stringStart();
      if (start === FAILED) return false;
      const v = s.slice(start, p - 1);
      if (bit === 1) {
        if (!BOOK_CHANNELS.has(v)) return false;
        out.channel = v;
      } else out.instId = v;
    } else if (!skipValue(1)) return false;
  } while (more(125));
  return p !== FAILED && seen === 3;
}

/** A book frame read whole, or undefined: then it goes the general way. */
export function scanBookFrame(text: string): ScannedBook | undefined {
  s = text;
  p = 0;
  n = text.length;
  const result = frame();
  s = ""; // do not keep the frame alive
  return result;
}

function frame(): ScannedBook | undefined {
  if (!token(123)) return undefined;
  const a = { channel: "", instId: "" };
  let action: unknown;
  let rows: ScannedRow[] | undefined;
  let seen = 0;
  do {
    const k = key();
    if (k === undefined) return undefined;
    let bit = 0;
    switch (k) {
      case "arg":
        bit = 1;
        if (!arg(a)) return undefined;
        break;
      case "action":
        bit = 2;
        if (!scalar()) return undefined;
        action = value;
        break;
      case "data":
        bit = 4;
        if (!token(91)) return undefined;
        rows = [];
        do {
          const r = row();
          if (r === null) return undefined;
          rows.push(r);
        } while (more(93));
        if (p === FAILED) return undefined;
        break;
      case "event":
        return undefined;
      default:
        if (!skipValue(1)) return undefined;
    }
    if ((seen & bit) !== 0) return undefined;
    seen |= bit;
  } while (more(125));
  if (p === FAILED || (seen & 5) !== 5 || rows === undefined) return undefined;
  ws();
  if (p !== n) return undefined;
  return { channel: a.channel, instId: a.instId, action, rows };
}
