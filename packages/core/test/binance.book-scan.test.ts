import { describe, expect, test } from "bun:test";
import type { ParseContext } from "../src/adapter.ts";
import { isDepthFrame, scanDepthFrame } from "../src/exchanges/binance/book-scan.ts";
import { binance } from "../src/exchanges/binance/index.ts";
import { parseFrame, parseJsonFrame, parseScannedDepth } from "../src/exchanges/binance/parse.ts";
import { RecurringTexts } from "../src/exchanges/wire/json-text.ts";
import { checkDecimalLevels, checkEditedFrames, exactly } from "./book-scan-properties.ts";
import { readLines } from "./fixtures.ts";

/**
 * Binance spot depthUpdate frames are read from their text when the scan takes them whole;
 * otherwise JSON.parse reads them. Whatever the scan takes must give exactly what the JSON way
 * gives (numbers with Object.is, JSON key order included), and it must take nothing JSON.parse
 * rejects.
 */

const FILES = [
  "binance/spot_NKNUSDT_ws.jsonl",
  "binance/spot_testnet_BTCUSDT_trade_bookTicker_depth_2026_ws.jsonl",
  "binance/tardis_spot_messages.jsonl",
  "binance-us/spot_OMGBUSD_ws.jsonl",
  "binance-us/spot_ZRXUSDT_ws.jsonl",
];
const frames = FILES.flatMap(readLines);
const books = frames.filter((f) => f.includes('"data":{"e":"depthUpdate"'));
const texts = new RecurringTexts();
const scan = (text: string) => scanDepthFrame(text, texts);

const ctx = (): ParseContext => ({
  recvTs: 1_800_000_000_000,
  marketOf: (s) => binance.marketOfSymbol(s) ?? "FUZZ-USDT",
  state: new Map(),
});

function sameBothWays(text: string): boolean {
  const scanned = scan(text);
  if (scanned === undefined) return false;
  expect(exactly(parseScannedDepth(scanned, ctx()))).toBe(exactly(parseJsonFrame(text, ctx())));
  return true;
}

describe("binance depthUpdate scan", () => {
  test("takes every recorded depthUpdate frame, with the JSON way's result; leaves other frames", () => {
    expect(books.length).toBeGreaterThan(300);
    for (const f of books) expect(sameBothWays(f)).toBe(true);
    for (const f of frames) if (!books.includes(f)) expect(scan(f)).toBeUndefined();
  });

  test("other layouts of the same frames (whitespace, the envelope's members reordered): taken, the same result", () => {
    for (const f of books) {
      const msg = JSON.parse(f);
      expect(sameBothWays(JSON.stringify(msg, null, 1))).toBe(true);
      expect(sameBothWays(JSON.stringify({ data: msg.data, x: [1, { y: null }], stream: msg.stream }))).toBe(
        true,
      );
    }
  });

  test("tried on frames that end as a depthUpdate does", () => {
    for (const f of books) expect(isDepthFrame(f)).toBe(true);
    for (const f of frames)
      if (f.includes('"data":{"e":"trade"') || f.includes("@bookTicker")) expect(isDepthFrame(f)).toBe(false);
    expect(isDepthFrame('{"stream":"x@depth","data":{"e":"depthUpdate","b":[],"a":[]}} ')).toBe(false);
  });

  test("every recorded frame parses as the JSON way parses it", () => {
    for (const f of frames) expect(exactly(parseFrame(f, ctx()))).toBe(exactly(parseJsonFrame(f, ctx())));
  });

  test("any decimal string as a price or size: the same number as num's", () => {
    checkDecimalLevels(books.find((f) => f.includes('"b":[["'))!, sameBothWays);
  });

  test("edited frames: what the scan takes, JSON.parse takes, with the same result", () => {
    checkEditedFrames(books, scan, sameBothWays);
  });
});
