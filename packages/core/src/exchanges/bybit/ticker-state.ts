import { num, optionalNum, POW10 } from "../wire/fields.ts";
import { ownCopy } from "../wire/json-text.ts";
import { decimals, digitsDiff, digitsInteger, digitsToPercent, fractionToPercent } from "./fields.ts";

/**
 * A symbol's merged `tickers` topic (see tickers.ts): the 14 fields the messages are built from,
 * and their numbers, converted when a push changes their field.
 *
 * A field is kept as JSON gives it, except a plain decimal as Bybit writes it (`-?(0|[1-9]d*)(.d+)?`,
 * at most 15 digits: every value of the recordings) which is kept as its digits and scale, the
 * string made only when asked for (fieldValue): the tickers text reader (tickers-scan.ts) then keeps
 * nothing of its frame (a slice would keep the whole frame alive) and copies no string. Its text
 * and the digits and scale map one to one, so "the same text" is "the same digits and scale".
 * Fields no message reads are not kept.
 */

/** The fields the messages are read from, by index. */
export const FIELDS = [
  "lastPrice",
  "prevPrice24h",
  "price24hPcnt",
  "highPrice24h",
  "lowPrice24h",
  "volume24h",
  "turnover24h",
  "bid1Price",
  "ask1Price",
  "markPrice",
  "indexPrice",
  "fundingRate",
  "nextFundingTime",
  "openInterest",
] as const;

export const LAST = 0;
export const OPEN = 1;
export const PCNT = 2;
const HIGH = 3;
const LOW = 4;
const VOLUME = 5;
const TURNOVER = 6;
const BID = 7;
const ASK = 8;
const MARK = 9;
const INDEX = 10;
const FUNDING = 11;
const NEXT_FUNDING = 12;
const OI = 13;

/** A field's index in FIELDS (a Map: names such as "__proto__" or "constructor" are plain keys here). */
export const FIELD_INDEX: ReadonlyMap<string, number> = new Map(FIELDS.map((f, i) => [f, i]));

/** Which messages a field's change concerns. */
export const TICKER = 1;
export const DERIV = 2;

/** The value of a field kept as digits and scale. */
const DECIMAL = Symbol("decimal");

type Fields = Record<string, unknown>;

export class Merged {
  /** Each field as JSON gives it (undefined: absent), or DECIMAL: its digits and scale below. */
  readonly raw: unknown[] = new Array(FIELDS.length).fill(undefined);
  /** The signed integer of a DECIMAL field's digits (-0 for "-0…"). */
  readonly digits: number[] = new Array(FIELDS.length).fill(0);
  /** Digits after a DECIMAL field's point. */
  readonly scale: number[] = new Array(FIELDS.length).fill(0);
  /**
   * The fields object the merge was defined on (`{...snapshot}`, deltas assigned into it), made
   * only once a `__proto__` key comes (a JSON key of that name is an own property, assigning it
   * sets the object's prototype): from then on until the next snapshot the merge runs on it, and
   * the tickers text reader leaves the symbol's frames to the JSON way.
   */
  fields: Fields | undefined = undefined;
  last = 0;
  open = 0;
  high = 0;
  low = 0;
  volume = 0;
  quoteVolume = 0;
  /** NaN when price24hPcnt is not a decimal (or its percent is not finite). */
  changePct = 0;
  /** NaN when lastPrice − prevPrice24h is not finite. */
  change = 0;
  bid: number | null = null;
  ask: number | null = null;
  markPrice: number | null = null;
  indexPrice: number | null = null;
  fundingRate: number | null = null;
  nextFundingTime: number | null = null;
  openInterest: number | null = null;
}

/** decimalRun's digits and scale; scale −1 when the run is not a plain decimal as DECIMAL keeps it. */
export const found = { digits: 0, scale: -1 };

/**
 * Reads `s` from `start` up to a quote or `limit`, and returns where it stopped; sets found's digits
 * and scale when the text read is a plain decimal as DECIMAL keeps it, `-?(0|[1-9]d*)(.d+)?`
 * with at most 15 digits (scale −1 otherwise). One pass: the tickers reader finds a value's
 * end and reads it together.
 */
export function decimalRun(s: string, start: number, limit: number): number {
  let i = start;
  const negative = i < limit && s.charCodeAt(i) === 45; // "-"
  if (negative) i++;
  const first = i;
  let v = 0;
  let dot = -1;
  let plain = true;
  for (; i < limit; i++) {
    const c = s.charCodeAt(i);
    if (c === 34) break;
    const d = c - 48;
    if (d >= 0 && d <= 9) v = v * 10 + d;
    else if (d === -2 && dot < 0) dot = i;
    else plain = false;
  }
  const intEnd = dot < 0 ? i : dot;
  found.scale =
    !plain ||
    intEnd === first || // no integer part
    dot === i - 1 || // nothing after "."
    (s.charCodeAt(first) === 48 && intEnd > first + 1) || // a leading zero
    (dot < 0 ? i - first : i - first - 1) > 15
      ? -1
      : dot < 0
        ? 0
        : i - dot - 1;
  found.digits = negative ? -v : v;
  return i;
}

/** `v` is a plain decimal string as DECIMAL keeps it (found). */
function canonicalDecimal(v: string): boolean {
  return decimalRun(v, 0, v.length) === v.length && found.scale >= 0;
}

/** The text of a DECIMAL (its digits and scale map back to exactly one). */
function decimalText(digits: number, scale: number): string {
  let t = String(Math.abs(digits));
  if (scale > 0) {
    if (t.length <= scale) t = "0".repeat(scale + 1 - t.length) + t;
    t = `${t.slice(0, t.length - scale)}.${t.slice(t.length - scale)}`;
  }
  return digits < 0 || Object.is(digits, -0) ? `-${t}` : t;
}

/** Field i's value as JSON gives it (undefined when absent). */
export function fieldValue(m: Merged, i: number): unknown {
  const r = m.raw[i];
  return r === DECIMAL ? decimalText(m.digits[i]!, m.scale[i]!) : r;
}

/** The kept fields as an object (for tests, tools and the `__proto__` case). */
export function fieldsObject(m: Merged): Fields {
  const f: Fields = {};
  for (let i = 0; i < FIELDS.length; i++) {
    const v = fieldValue(m, i);
    if (v !== undefined) f[FIELDS[i]!] = v;
  }
  return f;
}

/** Field i holds the DECIMAL `digits`, `scale`. */
function holdsDecimal(m: Merged, i: number, digits: number, scale: number): boolean {
  if (m.raw[i] !== DECIMAL || m.scale[i] !== scale) return false;
  const d = m.digits[i]!;
  return d === digits && (d !== 0 || Object.is(d, digits));
}

/** Field i holds `v` (what `v === fields[name]` said of the fields object). */
export function holds(m: Merged, i: number, v: unknown): boolean {
  if (typeof v === "string" && canonicalDecimal(v)) return holdsDecimal(m, i, found.digits, found.scale);
  return m.raw[i] === v;
}

/** Sets field i to `v`, a JSON value. */
export function setField(m: Merged, i: number, v: unknown): void {
  if (typeof v === "string" && canonicalDecimal(v)) {
    m.raw[i] = DECIMAL;
    m.digits[i] = found.digits;
    m.scale[i] = found.scale;
  } else m.raw[i] = v;
}

/**
 * Sets field i to the string at [start, end) of `text` (a frame), which decimalRun read as
 * `digits` and `scale`; false when it held that text already. Nothing of the frame is kept: a
 * decimal is kept as digits, anything else copied.
 */
export function setFieldText(
  m: Merged,
  i: number,
  text: string,
  start: number,
  end: number,
  digits: number,
  scale: number,
): boolean {
  if (scale >= 0) {
    if (holdsDecimal(m, i, digits, scale)) return false;
    m.raw[i] = DECIMAL;
    m.digits[i] = digits;
    m.scale[i] = scale;
    return true;
  }
  const r = m.raw[i];
  if (typeof r === "string" && r.length === end - start) {
    let k = 0;
    while (k < r.length && r.charCodeAt(k) === text.charCodeAt(start + k)) k++;
    if (k === r.length) return false;
  }
  m.raw[i] = ownCopy(text.slice(start, end));
  return true;
}

/** Field i's number, as `num` of its value (a DECIMAL's digits give the same number). */
function numberOf(m: Merged, i: number): number {
  if (m.raw[i] !== DECIMAL) return num(m.raw[i]);
  const s = m.scale[i]!;
  return s === 0 ? m.digits[i]! : m.digits[i]! / POW10[s]!;
}

/** As optionalNum of the value: a DECIMAL is never absent, null or "". */
function optionalNumberOf(m: Merged, i: number): number | null {
  return m.raw[i] === DECIMAL ? numberOf(m, i) : optionalNum(m.raw[i]);
}

/** The fraction's percent, NaN when it is not a decimal or its percent is not finite. */
function changePctOf(m: Merged): number {
  const x = numberOf(m, PCNT);
  if (m.raw[PCNT] === DECIMAL) {
    const pct = digitsToPercent(m.digits[PCNT]!, m.scale[PCNT]!, x);
    return Number.isFinite(pct) ? pct : Number.NaN;
  }
  const pct = fractionToPercent(String(m.raw[PCNT]));
  return Number.isNaN(x) || !Number.isFinite(pct) ? Number.NaN : pct;
}

/** lastPrice − prevPrice24h at their precision; NaN when not finite. */
function changeOf(m: Merged): number {
  const a = textParts(m, LAST);
  const ia = partDigits;
  const xa = partNumber;
  const b = textParts(m, OPEN);
  const change = digitsDiff(ia, a, xa, partDigits, b, partNumber);
  return Number.isFinite(change) ? change : Number.NaN;
}

let partDigits = 0;
let partNumber = 0;

/**
 * Field i read as decimalDiff reads String(value): returns its decimals, sets partDigits (its
 * digitsInteger) and partNumber (+ the string).
 */
function textParts(m: Merged, i: number): number {
  if (m.raw[i] === DECIMAL) {
    partDigits = m.digits[i]!;
    partNumber = numberOf(m, i);
    return m.scale[i]!;
  }
  const s = String(m.raw[i]);
  partDigits = digitsInteger(s);
  partNumber = +s;
  return decimals(s);
}

/** Converts field i's number; returns the messages it concerns. */
export function convert(m: Merged, i: number): number {
  switch (i) {
    case LAST:
      m.last = numberOf(m, i);
      return TICKER;
    case OPEN:
      m.open = numberOf(m, i);
      return TICKER;
    case PCNT:
      m.changePct = changePctOf(m);
      return TICKER;
    case HIGH:
      m.high = numberOf(m, i);
      return TICKER;
    case LOW:
      m.low = numberOf(m, i);
      return TICKER;
    case VOLUME:
      m.volume = numberOf(m, i);
      return TICKER;
    case TURNOVER:
      m.quoteVolume = numberOf(m, i);
      return TICKER;
    case BID:
      m.bid = optionalNumberOf(m, i);
      return TICKER;
    case ASK:
      m.ask = optionalNumberOf(m, i);
      return TICKER;
    case MARK:
      m.markPrice = optionalNumberOf(m, i);
      return DERIV;
    case INDEX:
      m.indexPrice = optionalNumberOf(m, i);
      return DERIV;
    case FUNDING:
      m.fundingRate = optionalNumberOf(m, i);
      return DERIV;
    case NEXT_FUNDING:
      m.nextFundingTime = optionalNumberOf(m, i);
      return DERIV;
    case OI:
      m.openInterest = optionalNumberOf(m, i);
      return DERIV;
  }
  return 0;
}

/** Converts every field, and the change. */
export function convertAll(m: Merged): void {
  for (let i = 0; i < FIELDS.length; i++) convert(m, i);
  m.change = changeOf(m);
}

/** After lastPrice or prevPrice24h changed. */
export function convertChange(m: Merged): void {
  m.change = changeOf(m);
}
