import { describe, expect, test } from "bun:test";
import { FUZZ_SEED, fc, fuzzRuns } from "@tickerplant/testkit/fuzz";
import { decimalDiff, fractionToPercent } from "../src/exchanges/bybit/fields.ts";

/**
 * The rounding helpers compute plain decimals on their digits as integers; the definition is
 * `Number(x.toFixed(d))`. Both must give the same number (Object.is: -0 too) for any input.
 */

function decimals(s: string): number {
  const dot = s.indexOf(".");
  return dot < 0 ? 0 : s.length - dot - 1;
}
const byToFixedDiff = (a: string, b: string) =>
  Number((+a - +b).toFixed(Math.min(15, Math.max(decimals(a), decimals(b)))));
const byToFixedPercent = (s: string) =>
  Number((+s * 100).toFixed(Math.min(15, Math.max(0, decimals(s) - 2))));

/** Decimal strings as exchanges print them, and some they do not (long, exponent, signs, blanks). */
const decimal = fc.oneof(
  fc
    .tuple(
      fc.boolean(),
      fc.stringMatching(/^[0-9]{1,12}$/),
      fc.option(fc.stringMatching(/^[0-9]{1,12}$/), { nil: undefined }),
    )
    .map(([neg, int, frac]) => `${neg ? "-" : ""}${int}${frac === undefined ? "" : `.${frac}`}`),
  fc.double({ noNaN: false }).map(String),
  fc.constantFrom("0", "-0", "0.00", "-0.000", "1e-5", "+1.5", " 1.5", "1.", ".5", "", "-", "abc", "0x10"),
  fc.constantFrom(
    "562949953421312",
    "562949953421.313",
    "5629499534213.12",
    "999999999999999",
    "0.125",
    "-2.675",
  ),
);

describe("bybit decimal rounding: integer path = toFixed definition", () => {
  test("decimalDiff", () => {
    fc.assert(
      fc.property(decimal, decimal, (a, b) => {
        expect(Object.is(decimalDiff(a, b), byToFixedDiff(a, b))).toBe(true);
      }),
      { seed: FUZZ_SEED, numRuns: fuzzRuns(20_000) },
    );
    expect(decimalDiff("83024.60", "84057.70")).toBe(-1033.1);
  });

  test("fractionToPercent", () => {
    fc.assert(
      fc.property(decimal, (s) => {
        expect(Object.is(fractionToPercent(s), byToFixedPercent(s))).toBe(true);
      }),
      { seed: FUZZ_SEED, numRuns: fuzzRuns(20_000) },
    );
    expect(fractionToPercent("-0.012289")).toBe(-1.2289);
  });
});
