import { describe, expect, test } from "bun:test";
import { FUZZ_SEED, fc, fuzzRuns } from "@tickerplant/testkit/fuzz";
import { levels, num, plainDecimal } from "../src/exchanges/wire/fields.ts";

/**
 * `num` reads plain decimals on their digits (plainDecimal) and everything else with the engine's
 * conversion; its definition is the engine's alone: "" → NaN, else `+v` when finite. Both must give
 * the same number (Object.is: -0 too) for any string.
 */
const byDefinition = (v: string): number => {
  if (v.length === 0) return Number.NaN;
  const n = +v;
  return Number.isFinite(n) ? n : Number.NaN;
};

const plain = fc
  .tuple(
    fc.boolean(),
    fc.stringMatching(/^[0-9]{0,17}$/),
    fc.option(fc.stringMatching(/^[0-9]{0,17}$/), { nil: undefined }),
  )
  .map(([neg, int, frac]) => `${neg ? "-" : ""}${int}${frac === undefined ? "" : `.${frac}`}`);
const decimal = fc.oneof(
  plain,
  fc.double({ noNaN: false }).map(String),
  fc.double().map((x) => x.toFixed(8)),
  fc.stringMatching(/^[-+.0-9eE x]{0,18}$/),
  fc.constantFrom(
    "0",
    "-0",
    "-0.0",
    "00.5",
    "999999999999999",
    "9999999999999999",
    "0.000000000000001",
    "1.",
    ".5",
    "-",
    "-.",
    "1e5",
    " 1",
  ),
);

describe("num: the digits path = the engine's conversion", () => {
  test("any string", () => {
    fc.assert(
      fc.property(decimal, (s) => {
        expect(Object.is(num(s), byDefinition(s))).toBe(true);
      }),
      { numRuns: fuzzRuns(20_000), seed: FUZZ_SEED },
    );
  });

  test("plainDecimal takes plain decimals of up to 15 digits only", () => {
    expect(plainDecimal("83024.60")).toBe(83024.6);
    expect(Object.is(plainDecimal("-0.00"), -0)).toBe(true);
    expect(plainDecimal("999999999999999")).toBe(999999999999999);
    for (const s of ["", "-", "1.", ".5", "1e5", "+1", " 1", "1.2.3", "9999999999999999", "0x10"])
      expect(plainDecimal(s)).toBeNaN();
  });

  test("levels keeps the exact strings by index", () => {
    const exact: [string, string][] = [];
    expect(
      levels(
        [
          ["1.50", "2", "0", "3"],
          [7, "0.10"],
        ],
        exact,
      ),
    ).toEqual([
      [1.5, 2],
      [7, 0.1],
    ]);
    expect(exact).toEqual([
      ["1.50", "2"],
      ["7", "0.10"],
    ]);
  });
});
