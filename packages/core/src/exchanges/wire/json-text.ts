import type { Level } from "../../schemas/messages.ts";
import { num, POW10, plainDecimalAt } from "./fields.ts";

/**
 * A reader of JSON text for the book fast paths (okx/book-scan.ts, bybit/book-scan.ts): a frame's
 * text read in one pass, level prices and sizes converted as they are met, without the JSON.parse
 * step that makes a string per price and size and an array per level.
 *
 * It reads strict JSON only and fails (false, null, FAILED) on anything it does not take whole:
 * a string with an escape, a level that is not two decimal strings, a structural error. The
 * caller then gives the frame to JSON.parse, so what it does read is what JSON.parse would have
 * given: strings are the text between their quotes, numbers `+` their text, levels `num` of
 * their strings. Strings it hands out to be kept (string(), exactOf) do not share the frame's
 * characters (ownCopy). One frame at a time, synchronously.
 */

export const FAILED = -1;

export class JsonText {
  private s = "";
  /** The cursor; FAILED once a structural error was met. */
  p = 0;
  private n = 0;
  /** The value scalar() read. */
  value: unknown;
  /** Start and end of each level's price and size strings (4 per level), with side(true). */
  private offsets = new Int32Array(1024);
  used = 0;
  /** decimalString's number (num of the string). */
  private number = 0;
  private texts: RecurringTexts | undefined;
  /** Start and end of each level's third string (2 per level), with side(_, true). */
  private thirdOffsets = new Int32Array(512);
  thirdsUsed = 0;

  /** The text being read. */
  get text(): string {
    return this.s;
  }

  /**
   * Reads `text` with `whole` (a frame reader of this text), then drops the text: a reader kept in
   * a module must not keep the last frame alive. The strings it hands out are made by (and shared
   * through) `texts`, the connection's; without, each is a copy of its own.
   */
  read<T>(text: string, texts: RecurringTexts | undefined, whole: () => T): T {
    this.s = text;
    this.texts = texts;
    this.p = 0;
    this.n = text.length;
    this.used = 0;
    this.thirdsUsed = 0;
    try {
      return whole();
    } finally {
      this.s = "";
      this.value = undefined;
      this.texts = undefined;
    }
  }

  /** Only whitespace is left. */
  atEnd(): boolean {
    this.ws();
    return this.p === this.n;
  }

  ws(): void {
    const s = this.s;
    let p = this.p;
    while (p < this.n) {
      const c = s.charCodeAt(p);
      if (c === 32 || c === 10 || c === 13 || c === 9) p++;
      else break;
    }
    this.p = p;
  }

  /** Skips whitespace, then `c`; false when the next character is another. */
  token(c: number): boolean {
    this.ws();
    if (this.p >= this.n || this.s.charCodeAt(this.p) !== c) return false;
    this.p++;
    return true;
  }

  /** The next character after whitespace is `c` (not consumed). */
  peek(c: number): boolean {
    this.ws();
    return this.p < this.n && this.s.charCodeAt(this.p) === c;
  }

  /** After a member or element: true after a `,`, false after `close`; p = FAILED otherwise. */
  more(close: number): boolean {
    this.ws();
    const c = this.p < this.n ? this.s.charCodeAt(this.p) : FAILED;
    this.p++;
    if (c === 44) return true;
    if (c !== close) this.p = FAILED;
    return false;
  }

  /** A string without escapes: the start of its content (its end is p − 1), or FAILED. */
  stringStart(): number {
    this.ws();
    const s = this.s;
    let p = this.p;
    if (p >= this.n || s.charCodeAt(p) !== 34) return FAILED;
    const start = ++p;
    while (p < this.n) {
      const c = s.charCodeAt(p);
      if (c === 34) {
        this.p = p + 1;
        return start;
      }
      if (c === 92 || c < 32) return FAILED;
      p++;
    }
    return FAILED;
  }

  /** Start and end of the key nextKey() read. */
  private keyStart = 0;
  private keyEnd = 0;

  /** Reads the next member's key (see keyIs), p after its `:`; false on a structural error. */
  nextKey(): boolean {
    const start = this.stringStart();
    if (start === FAILED) return false;
    this.keyStart = start;
    this.keyEnd = this.p - 1;
    return this.token(58);
  }

  /** The key nextKey() read is `name` (compared in place: no string made for it). */
  keyIs(name: string): boolean {
    return textIs(this.s, this.keyStart, this.keyEnd, name);
  }

  /** A string's content as a slice of the frame (for values read, not kept), or undefined as string(). */
  slice(): string | undefined {
    const start = this.stringStart();
    return start === FAILED ? undefined : this.s.slice(start, this.p - 1);
  }

  /** A string's content (its own copy), or undefined when the next value is not a string without escapes. */
  string(): string | undefined {
    const start = this.stringStart();
    if (start === FAILED) return undefined;
    const t = this.texts;
    return t === undefined ? ownCopy(this.s.slice(start, this.p - 1)) : t.of(this.s, start, this.p - 1);
  }

  /**
   * A string, number, true, false or null into `value`; false for anything else. A string here is
   * a slice of the frame: for values read, not kept (a kept one is string()'s).
   */
  scalar(): boolean {
    this.ws();
    if (this.p >= this.n) return false;
    const c = this.s.charCodeAt(this.p);
    if (c === 34) {
      const start = this.stringStart();
      if (start === FAILED) return false;
      this.value = this.s.slice(start, this.p - 1);
      return true;
    }
    if (c === 45 || isDigit(c)) {
      const end = this.numberEnd();
      if (end === FAILED) return false;
      // a JSON number is +its text; a plain one's digits give the same number (plainDecimal)
      const plain = plainDecimalAt(this.s, this.p, end);
      this.value = Number.isNaN(plain) ? +this.s.slice(this.p, end) : plain;
      this.p = end;
      return true;
    }
    return this.literal();
  }

  /** Any JSON value, validated and dropped. */
  skipValue(depth = 1): boolean {
    this.ws();
    if (this.p >= this.n || depth > 64) return false;
    const c = this.s.charCodeAt(this.p);
    if (c === 34) return this.stringStart() !== FAILED; // no slice: the value is dropped
    if (c === 45 || isDigit(c)) {
      const end = this.numberEnd();
      this.p = end === FAILED ? this.p : end;
      return end !== FAILED;
    }
    if (c !== 123 && c !== 91) return this.literal();
    this.p++;
    const close = c === 123 ? 125 : 93;
    if (this.peek(close)) {
      this.p++;
      return true;
    }
    do {
      if (c === 123 && (this.stringStart() === FAILED || !this.token(58))) return false;
      if (!this.skipValue(depth + 1)) return false;
    } while (this.more(close));
    return this.p !== FAILED;
  }

  /**
   * `[[px, sz, ...], ...]` with px and sz decimal strings → levels (`num` of each), the rest of a
   * row read and dropped; null otherwise. With `keep`, the strings' offsets are appended (exactOf);
   * with `third`, every row has a third element, a string, whose place is kept too (thirdAt).
   */
  side(keep: boolean, third = false): Level[] | null {
    if (!this.token(91)) return null;
    const out: Level[] = [];
    if (this.peek(93)) {
      this.p++;
      return out;
    }
    do {
      const at = this.p;
      const thirds = this.thirdsUsed;
      if (!this.compactLevel(out, keep, third)) {
        this.p = at;
        this.thirdsUsed = thirds;
        if (!this.level(out, keep, third)) return null;
      }
    } while (this.more(93));
    return this.p === FAILED ? null : out;
  }

  /** One level, any layout JSON allows; false when it is not one. */
  private level(out: Level[], keep: boolean, third: boolean): boolean {
    if (!this.token(91)) return false;
    const pxStart = this.stringStart();
    if (pxStart === FAILED) return false;
    const pxEnd = this.p - 1;
    if (!this.token(44)) return false;
    const szStart = this.stringStart();
    if (szStart === FAILED) return false;
    const szEnd = this.p - 1;
    if (third) {
      if (!this.token(44)) return false;
      const start = this.stringStart();
      if (start === FAILED) return false;
      this.third(start, this.p - 1);
    }
    const price = this.decimal(pxStart, pxEnd);
    const amount = this.decimal(szStart, szEnd);
    if (Number.isNaN(price) || Number.isNaN(amount)) return false;
    out.push([price, amount]);
    if (keep) this.keep(pxStart, pxEnd, szStart, szEnd);
    while (this.more(93)) if (!this.skipValue()) return false;
    return this.p !== FAILED;
  }

  /**
   * One level as exchanges write it, `["px","sz"(,"…")*]` without whitespace or escapes: each
   * string's characters read once (end and digits together). False, with p anywhere, on any other
   * layout: level() then reads it again the general way (its results are the same).
   */
  private compactLevel(out: Level[], keep: boolean, third: boolean): boolean {
    const s = this.s;
    let p = this.p;
    if (s.charCodeAt(p) !== 91 || s.charCodeAt(p + 1) !== 34) return false;
    const pxStart = p + 2;
    const pxEnd = this.decimalString(pxStart);
    if (pxEnd === FAILED || s.charCodeAt(pxEnd + 1) !== 44 || s.charCodeAt(pxEnd + 2) !== 34) return false;
    const price = this.number;
    const szStart = pxEnd + 3;
    const szEnd = this.decimalString(szStart);
    if (szEnd === FAILED) return false;
    const amount = this.number;
    p = szEnd + 1;
    let rest = third ? 0 : 1;
    // the rest of the row: strings without escapes (with `third`, the first one's place kept)
    for (;;) {
      const c = s.charCodeAt(p);
      if (c === 93) break;
      if (c !== 44 || s.charCodeAt(p + 1) !== 34) return false;
      p += 2;
      const start = p;
      for (;;) {
        const d = s.charCodeAt(p);
        if (d === 34) break;
        if (d === 92 || d < 32 || Number.isNaN(d)) return false; // an escape, a control character, the end
        p++;
      }
      if (rest++ === 0) this.third(start, p);
      p++;
    }
    if (rest === 0 || Number.isNaN(price) || Number.isNaN(amount)) return false;
    out.push([price, amount]);
    if (keep) this.keep(pxStart, pxEnd, szStart, szEnd);
    this.p = p + 1;
    return true;
  }

  /**
   * The string whose content starts at `start`: its end (the closing quote), or FAILED at an
   * escape, a control character or the text's end. Sets number (num of the content: its digits
   * when plain, as plainDecimalAt) in the same pass.
   */
  private decimalString(start: number): number {
    const s = this.s;
    const n = this.n;
    const from = s.charCodeAt(start) === 45 ? start + 1 : start; // "-"
    let v = 0;
    let dot = -1;
    let plain = true;
    let i = start;
    for (; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c === 34) break;
      const d = c - 48;
      if (d >= 0 && d <= 9) v = v * 10 + d;
      else if (c === 46 && dot < 0) dot = i;
      else if (c === 92 || c < 32) return FAILED;
      else if (i !== start || c !== 45) plain = false;
    }
    if (i >= n) return FAILED;
    const digits = dot < 0 ? i - from : i - from - 1;
    if (!plain || digits === 0 || digits > 15 || dot === from || dot === i - 1) {
      this.number = num(s.slice(start, i));
      return i;
    }
    const r = dot < 0 ? v : v / POW10[i - 1 - dot]!;
    this.number = from !== start ? -r : r;
    return i;
  }

  /**
   * The exact strings of the levels whose offsets are at [from, to) (4 per level): slices of one
   * copy of the text from the first level's price to the last level's size, so that they share
   * that copy, not the frame (ownCopy). A string apiece cost more than the rest of a book frame:
   * copies (~100–200 ns each) or a cache of recurring texts (its lookups as much).
   */
  exactOf(from: number, to: number): [string, string][] {
    const n = (to - from) >> 2;
    const out: [string, string][] = new Array(n);
    if (n === 0) return out;
    const o = this.offsets;
    const base = o[from]!;
    const copy = ownCopy(this.s.slice(base, o[to - 1]!));
    for (let i = 0, j = from; j < to; i++, j += 4)
      out[i] = [copy.slice(o[j]! - base, o[j + 1]! - base), copy.slice(o[j + 2]! - base, o[j + 3]! - base)];
    return out;
  }

  /** The start (i = 0) or end (i = 1) of the k-th third string side(_, true) met since read() began. */
  thirdAt(k: number, i: number): number {
    return this.thirdOffsets[2 * k + i]!;
  }

  private third(start: number, end: number): void {
    const u = this.thirdsUsed * 2;
    if (u + 2 > this.thirdOffsets.length) {
      const grown = new Int32Array(this.thirdOffsets.length * 2);
      grown.set(this.thirdOffsets);
      this.thirdOffsets = grown;
    }
    this.thirdOffsets[u] = start;
    this.thirdOffsets[u + 1] = end;
    this.thirdsUsed++;
  }

  /** num of the text at [start, end): its digits when plain, else num of the string. */
  private decimal(start: number, end: number): number {
    const v = plainDecimalAt(this.s, start, end);
    return Number.isNaN(v) ? num(this.s.slice(start, end)) : v;
  }

  private keep(a: number, b: number, c: number, d: number): void {
    if (this.used + 4 > this.offsets.length) {
      const grown = new Int32Array(this.offsets.length * 2);
      grown.set(this.offsets);
      this.offsets = grown;
    }
    const o = this.offsets;
    const u = this.used;
    o[u] = a;
    o[u + 1] = b;
    o[u + 2] = c;
    o[u + 3] = d;
    this.used = u + 4;
  }

  /** A JSON number's end (strict grammar), or FAILED; p at its start. */
  private numberEnd(): number {
    const s = this.s;
    const n = this.n;
    let i = this.p;
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

  private literal(): boolean {
    const s = this.s;
    if (s.startsWith("true", this.p)) {
      this.p += 4;
      this.value = true;
    } else if (s.startsWith("false", this.p)) {
      this.p += 5;
      this.value = false;
    } else if (s.startsWith("null", this.p)) {
      this.p += 4;
      this.value = null;
    } else return false;
    return true;
  }
}

/**
 * `s`, a slice of the frame, made a string of its own. A slice shares the whole frame's
 * characters, so one kept in a book or a message would keep its frame alive (measured: 500 slices
 * of 100 KB frames kept 50 MB). Joined with "", it is copied into a new string (measured: nothing
 * kept; a single-element join, `+ ""` or a template give the slice back).
 */
export function ownCopy(s: string): string {
  return [s, ""].join("");
}

/**
 * The short strings (instruments, channels) a connection's frames made so far, direct-mapped: they
 * recur frame after frame, and a recurring one is handed out again instead of copied. Kept in the
 * connection's parser state (textsOf), so a reconnect, and every pass of the benchmark, starts
 * empty; its 1,024 slots are made on first use.
 */
export class RecurringTexts {
  private slots: (string | undefined)[] | undefined;

  /** The text at [start, end) of `s` as a string of its own: the one made before when it recurs, else a new copy. */
  of(s: string, start: number, end: number): string {
    const length = end - start;
    if (length > 64) return ownCopy(s.slice(start, end));
    let h = length;
    for (let i = start; i < end; i++) h = (Math.imul(h, 31) + s.charCodeAt(i)) | 0;
    const slot = (h ^ (h >>> 13)) & (SLOTS - 1);
    let slots = this.slots;
    if (slots === undefined) slots = this.slots = new Array(SLOTS).fill(undefined);
    const known = slots[slot];
    if (known !== undefined && known.length === length) {
      let i = 0;
      while (i < length && known.charCodeAt(i) === s.charCodeAt(start + i)) i++;
      if (i === length) return known;
    }
    const made = ownCopy(s.slice(start, end));
    slots[slot] = made;
    return made;
  }
}

const SLOTS = 1024;

/** The connection's RecurringTexts, kept in its parser state (ParseContext.state) under `key`. */
export function textsOf(state: Map<string, unknown>, key: string): RecurringTexts {
  let t = state.get(key) as RecurringTexts | undefined;
  if (t === undefined) {
    t = new RecurringTexts();
    state.set(key, t);
  }
  return t;
}

/**
 * Names a text reader recognizes where a key begins, before finding its end: a name is told
 * apart from the others by its first and third characters (checked when made), then compared in
 * place with its closing quote. A tickers delta has ~10 keys and its reader 16 names.
 */
export class KeyNames {
  private readonly slots = new Int16Array(1 << 14).fill(-1);

  constructor(readonly names: readonly string[]) {
    names.forEach((name, i) => {
      const slot = slotOf(name, 0);
      if (name.length < 3 || this.slots[slot] !== -1) throw new Error(`KeyNames: ${name} is not told apart`);
      this.slots[slot] = i;
    });
  }

  /** The index of the name that the key whose text begins at `start` of `s` is, or -1. */
  at(s: string, start: number): number {
    const i = this.slots[slotOf(s, start)]!;
    if (i < 0) return -1;
    const name = this.names[i]!;
    const end = start + name.length;
    return s.charCodeAt(end) === 34 && textIs(s, start, end, name) ? i : -1;
  }
}

function slotOf(s: string, start: number): number {
  return ((s.charCodeAt(start) & 127) << 7) | (s.charCodeAt(start + 2) & 127);
}

/** The text at [start, end) of `text` is `s` (compared in place: no string made). */
export function textIs(text: string, start: number, end: number, s: string): boolean {
  const n = s.length;
  if (end - start !== n) return false;
  for (let i = 0; i < n; i++) if (text.charCodeAt(start + i) !== s.charCodeAt(i)) return false;
  return true;
}

/**
 * `text` begins with `prefix`: how parsers pick the frames a fast path may take. A loop that stops
 * at the first other character (String.prototype.startsWith cost ~30 ns a frame).
 */
export function hasPrefix(text: string, prefix: string): boolean {
  const n = prefix.length;
  if (text.length < n) return false;
  for (let i = 0; i < n; i++) if (text.charCodeAt(i) !== prefix.charCodeAt(i)) return false;
  return true;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}
