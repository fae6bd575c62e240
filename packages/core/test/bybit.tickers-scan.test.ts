import { describe, expect, test } from "bun:test";
import { FUZZ_SEED, fc, fuzzRuns, mutatedJson, mutatedText } from "@tickerplant/testkit/fuzz";
import type { ParseContext } from "../src/adapter.ts";
import { bybitLinear, bybitSpot, tickerState } from "../src/exchanges/bybit/index.ts";
import { parseJsonFrame } from "../src/exchanges/bybit/parse.ts";
import { FIELDS } from "../src/exchanges/bybit/ticker-state.ts";
import { scanTickersFrame } from "../src/exchanges/bybit/tickers-scan.ts";
import { checkEditedFrames, decimalString, exactly } from "./book-scan-properties.ts";
import { readLines } from "./fixtures.ts";

/**
 * Bybit tickers frames are read from their text when the scan takes them whole; otherwise
 * JSON.parse reads them. A connection's ticker state carries from frame to frame, so frames are
 * compared in sequences: whatever the scan takes must give exactly what the JSON way gives
 * (numbers with Object.is, JSON key order included) and leave the same state; it must take nothing
 * JSON.parse rejects. The state keeps plain decimals as digits: it must give every value back as sent.
 */

const FILES = ["bybit/v5_linear_tickers_BTCUSDT_2026_ws.jsonl", "bybit/tardis_v5_messages.jsonl"];
const frames = FILES.flatMap(readLines);
const tickers = frames.filter((f) => f.startsWith('{"topic":"tickers.'));
const snapshots = tickers.filter((f) => f.includes('"type":"snapshot"'));
const SYMBOLS = ["BTCUSDT", "BTCUSD", "BTCUSDU23", "ETHUSDT", "FOO"];

const ctx = (): ParseContext => ({
  recvTs: 1_800_000_000_000,
  marketOf: (s) => (s === "FOO" ? undefined : (bybitLinear.marketOfSymbol(s) ?? "FUZZ-USDT-PERP")),
  state: new Map(),
});

const stateOf = (c: ParseContext, symbol: string): string => {
  const s = tickerState(c, symbol);
  return s === undefined ? "none" : exactly(FIELDS.map((k) => s[k]) as never);
};

/** Each frame of `sequence` both ways (the adapter's, which scans what it can, and the JSON way): the same results and states. */
function sameBothWays(sequence: readonly string[], category: "linear" | "spot" = "linear"): void {
  const adapter = category === "linear" ? bybitLinear : bybitSpot;
  const scanned = ctx();
  const json = ctx();
  for (const f of sequence) {
    expect(exactly(adapter.parseFrame(f, scanned))).toBe(exactly(parseJsonFrame(f, json, category)));
    for (const s of SYMBOLS) expect(stateOf(scanned, s)).toBe(stateOf(json, s));
  }
}

/** Edits that keep a tickers frame JSON and find the merge's corners: equal and -0 decimals, `__proto__`, other symbols. */
const field = fc.constantFrom(...FIELDS, "symbol", "__proto__", "bid1Size", "constructor");
const value = fc.oneof(
  decimalString.map((d) => JSON.stringify(d)),
  fc.constantFrom(
    '"0"',
    '"-0"',
    '"0.0"',
    '"-0.0"',
    '"00"',
    '""',
    "0",
    "null",
    "{}",
    '{"lastPrice":"-0"}',
    '"a\\u0030"',
  ),
);
const setField = (k: string, v: string) => (t: string) => {
  const re = new RegExp(`"${k}":("[^"]*"|[^,}]*)`);
  // replacer functions: a value may hold "$" patterns
  return re.test(t)
    ? t.replace(re, () => `"${k}":${v}`)
    : t.replace('"data":{', () => `"data":{"${k}":${v},`);
};
const edit = fc.oneof(
  fc.tuple(field, value).map(([k, v]) => setField(k, v)),
  fc
    .tuple(
      fc.constantFrom("lastPrice", "prevPrice24h", "price24hPcnt", "markPrice"),
      fc.constantFrom('"0"', '"-0"', '"0.0"', '"1"'),
    )
    .map(([k, v]) => setField(k, v)),
  fc.tuple(field, value).map(
    ([k, v]) =>
      (t: string) =>
        t.replace(/}(,"cs")/, `,"${k}":${v}}$1`),
  ),
  field.map((k) => (t: string) => t.replace(new RegExp(`"${k}":("[^"]*"|[^,}]*),?`), "")),
  fc
    .constantFrom("ETHUSDT", "FOO", "BTCUSD")
    .map((s) => (t: string) => t.replace(/"symbol":"[^"]*"/, `"symbol":"${s}"`)),
  fc
    .constantFrom("tickers.FOO", "tickers.ETHUSDT", "tickers.lt.BTCUSDT")
    .map((s) => (t: string) => t.replace(/"topic":"[^"]*"/, `"topic":"${s}"`)),
  fc
    .constantFrom("snapshot", "delta", "x")
    .map((s) => (t: string) => t.replace(/"type":"[^"]*"/, `"type":"${s}"`)),
  fc
    .constantFrom('"1"', "0", "-1", "1e3", "null")
    .map((s) => (t: string) => t.replace(/"ts":[0-9]+/, `"ts":${s}`)),
  fc.constant((t: string) => t.replace(/":/g, '": ')),
  fc
    .constantFrom("lastPrice", "markPrice")
    .map(
      (k) => (t: string) =>
        t
          .replace(new RegExp(`"${k}":"[^"]*",?`), "")
          .replace('"data":{', `"data":{"__proto__":{"${k}":"-0"},`),
    ),
);
const edited = fc.oneof(
  {
    weight: 6,
    arbitrary: fc
      .tuple(fc.constantFrom(...tickers), fc.array(edit, { minLength: 1, maxLength: 3 }))
      .map(([t, es]) => es.reduce((s, e) => e(s), t)),
  },
  { weight: 1, arbitrary: mutatedJson(tickers) },
  { weight: 1, arbitrary: mutatedText(tickers) },
);

describe("bybit tickers scan", () => {
  test("takes every recorded tickers frame, with the JSON way's results and state", () => {
    expect(tickers.length).toBeGreaterThan(30);
    for (const f of tickers) expect(scanTickersFrame(f)).toBeDefined();
    for (const f of frames) if (!tickers.includes(f)) expect(scanTickersFrame(f)).toBeUndefined();
    sameBothWays(frames);
    sameBothWays(frames, "spot");
  });

  test("sequences of recorded and edited frames: the same results and states both ways", () => {
    let taken = 0;
    fc.assert(
      fc.property(
        fc.constantFrom(...snapshots),
        fc.array(fc.oneof(fc.constantFrom(...tickers), edited, edited), { maxLength: 12 }),
        fc.constantFrom("linear" as const, "spot" as const),
        (first, rest, category) => {
          for (const f of rest) if (scanTickersFrame(f) !== undefined) taken++;
          sameBothWays([first, ...rest], category);
        },
      ),
      { numRuns: fuzzRuns(800), seed: FUZZ_SEED },
    );
    expect(taken).toBeGreaterThan(1000);
  });

  test("edited frames: what the scan takes, JSON.parse takes, with the same result", () => {
    checkEditedFrames(tickers, scanTickersFrame, (text) => {
      sameBothWays([...snapshots, text]);
      return true;
    });
  });

  test("any string as a field: the state gives it back as sent", () => {
    const snapshot = snapshots[0]!;
    fc.assert(
      fc.property(
        fc.constantFrom(...FIELDS),
        fc.oneof(decimalString, fc.string({ maxLength: 12 })),
        (k, v) => {
          const delta = `{"topic":"tickers.BTCUSDT","type":"delta","data":{"symbol":"BTCUSDT","${k}":${JSON.stringify(v)}},"cs":1,"ts":1790757082383}`;
          for (const text of [setField(k, JSON.stringify(v))(snapshot), delta]) {
            const c = ctx();
            bybitLinear.parseFrame(snapshot, c);
            bybitLinear.parseFrame(text, c);
            expect(tickerState(c, "BTCUSDT")![k]).toBe(v);
          }
        },
      ),
      { numRuns: fuzzRuns(3000), seed: FUZZ_SEED },
    );
  });
});
