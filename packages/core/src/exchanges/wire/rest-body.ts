import { ParseError } from "../../errors.ts";
import type { Level } from "../../schemas/messages.ts";
import { isObject, levels, sample } from "./fields.ts";

/**
 * Shape checks of REST bodies, shared by every adapter's REST parsers: each returns the value as
 * the type it checked, or throws ParseError with `what` (e.g. "binance klines") and a sample of
 * what came instead. Exchange envelopes (`{code,msg,data}`, `{retCode,result}`, …) stay in their folder.
 */

/** `<what>: expected <expected>, got <sample>` unless `body` is an array. */
export function arrayBody(body: unknown, what: string, expected = "an array"): unknown[] {
  if (!Array.isArray(body)) throw new ParseError(`${what}: expected ${expected}, got ${sample(body)}`);
  return body;
}

/** `<what>: expected <expected>, got <sample>` unless `body` is a plain object. */
export function objectBody(body: unknown, what: string, expected = "an object"): Record<string, unknown> {
  if (!isObject(body)) throw new ParseError(`${what}: expected ${expected}, got ${sample(body)}`);
  return body;
}

/** The array under `field` of an object body; `<what>: expected an object with a "<field>" array, got <sample>` otherwise. */
export function arrayField(body: unknown, field: string, what: string): unknown[] {
  const v = isObject(body) ? body[field] : undefined;
  if (!Array.isArray(v)) {
    throw new ParseError(`${what}: expected an object with a "${field}" array, got ${sample(body)}`);
  }
  return v;
}

/** Row `i` of a page as an object; `<what>: row <i> is not an object: <sample>` otherwise. */
export function objectRow(row: unknown, i: number, what: string): Record<string, unknown> {
  if (!isObject(row)) throw new ParseError(`${what}: row ${i} is not an object: ${sample(row)}`);
  return row;
}

/** One side of a depth body; `<what>: <side> is not a list of <shape> <sample>` when malformed. */
export function bookSide(v: unknown, what: string, side: string, shape: string): Level[] {
  const out = levels(v);
  if (out === null) throw new ParseError(`${what}: ${side} is not a list of ${shape} ${sample(v)}`);
  return out;
}

/** Row `i` of a kline page as an array of at least `minLength` fields; `<what>: row <i> is not a kline row: <sample>` otherwise. */
export function klineRow(row: unknown, i: number, what: string, minLength: number): unknown[] {
  if (!Array.isArray(row) || row.length < minLength)
    throw new ParseError(`${what}: row ${i} is not a kline row: ${sample(row)}`);
  return row;
}

/** The error for a row with a field that does not read as a number: `<what>: row <i> has a non-numeric field: <sample>`. */
export function nonNumericRow(what: string, i: number, row: unknown): ParseError {
  return new ParseError(`${what}: row ${i} has a non-numeric field: ${sample(row, 160)}`);
}
