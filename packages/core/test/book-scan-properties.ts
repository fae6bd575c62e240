import { expect } from "bun:test";
import { FUZZ_SEED, fc, fuzzRuns, mutatedJson, mutatedText } from "@tickerplant/testkit/fuzz";
import type { FrameResult } from "../src/adapter.ts";

/**
 * The properties every text reader (okx, bybit, kraken, binance `book-scan.ts`, bybit `tickers-scan.ts`) is held to:
 * whatever it takes gives exactly what the JSON.parse way gives, and it takes nothing JSON.parse
 * rejects. `sameBothWays(text)` is the exchange's comparison: false when the scan leaves the frame.
 */

/** A result as text, -0 and NaN kept apart from 0 and null. */
export const exactly = (r: FrameResult): string =>
  JSON.stringify(r, (_k, v) => (Object.is(v, -0) ? "-0" : Number.isNaN(v) ? "NaN" : v));

/** Decimal strings of every form: plain (leading zeros, signs, long), exponents, malformed. */
export const decimalString = fc.oneof(
  fc
    .tuple(fc.boolean(), fc.stringMatching(/^[0-9]{0,18}$/), fc.stringMatching(/^(\.[0-9]{0,18})?$/))
    .map(([neg, int, frac]) => `${neg ? "-" : ""}${int}${frac}`),
  fc.double({ noNaN: true }).map(String),
  fc.stringMatching(/^[-+.0-9eE ]{0,18}$/),
);

/** Any decimal string as the first level's price and size: taken exactly when both are numbers (num's definition). */
export function checkDecimalLevels(book: string, sameBothWays: (text: string) => boolean): void {
  const decimal = decimalString;
  fc.assert(
    fc.property(decimal, decimal, (px, sz) => {
      const text = book.replace(/\[\["[^"]*","[^"]*"/, `[["${px}","${sz}"`);
      const numbers = px !== "" && sz !== "" && Number.isFinite(+px) && Number.isFinite(+sz);
      expect(sameBothWays(text)).toBe(numbers);
    }),
    { numRuns: fuzzRuns(5000), seed: FUZZ_SEED },
  );
}

/** Edited frames: what the scan takes, JSON.parse takes, with the same result; more than 100 taken. */
export function checkEditedFrames(
  books: readonly string[],
  scan: (text: string) => unknown,
  sameBothWays: (text: string) => boolean,
): void {
  let taken = 0;
  fc.assert(
    fc.property(fc.oneof(mutatedText(books), mutatedJson(books)), (text) => {
      if (scan(text) === undefined) return;
      taken++;
      expect(() => JSON.parse(text)).not.toThrow();
      sameBothWays(text);
    }),
    { numRuns: fuzzRuns(2500), seed: FUZZ_SEED },
  );
  expect(taken).toBeGreaterThan(100);
}
