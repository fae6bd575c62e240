import { describe, expect, test } from "bun:test";
import type { FrameResult, ParseContext } from "../src/adapter.ts";
import { scanBookFrame as scanWith } from "../src/exchanges/okx/book-scan.ts";
import { okxSpot } from "../src/exchanges/okx/index.ts";
import { parseBook, parseScannedBook } from "../src/exchanges/okx/parse-book.ts";
import { RecurringTexts } from "../src/exchanges/wire/json-text.ts";
import { checkDecimalLevels, checkEditedFrames, exactly } from "./book-scan-properties.ts";
import { readLines } from "./fixtures.ts";

/**
 * OKX book frames are read from their text when the scan takes them whole; otherwise JSON.parse
 * reads them. Whatever the scan takes must give exactly what the JSON way gives (numbers with
 * Object.is, JSON key order included), and it must take nothing JSON.parse rejects.
 */

const FILES = [
  "okx/v5_BTC-USDT_ws.jsonl",
  "okx/v5_BTC-USD-220527_ws.jsonl",
  "okx/tardis_v5_spot_messages.jsonl",
  "okx/tardis_v5_futures_messages.jsonl",
];
const frames = FILES.flatMap(readLines);
/** One connection's strings across the whole file, as in a feed. */
const texts = new RecurringTexts();
const scanBookFrame = (text: string) => scanWith(text, texts);
const books = frames.filter((f) => /"channel":"books/.test(f) && f.includes('"data"'));

const ctx = (): ParseContext => ({
  recvTs: 1_800_000_000_000,
  marketOf: (s) => okxSpot.marketOfSymbol(s) ?? "FUZZ-USDT",
  state: new Map(),
});

/** The JSON way for a frame the scan took (the scan only takes book frames with a non-empty data array). */
function viaJson(text: string): FrameResult {
  const msg = JSON.parse(text);
  expect(msg.event).toBeUndefined();
  expect(Array.isArray(msg.data) && msg.data.length > 0).toBe(true);
  return parseBook(msg.arg.channel, msg.action, msg.arg.instId, msg.data, ctx());
}

function sameBothWays(text: string): boolean {
  const scanned = scanBookFrame(text);
  if (scanned === undefined) return false;
  expect(exactly(parseScannedBook(scanned, ctx()))).toBe(exactly(viaJson(text)));
  return true;
}

describe("okx book scan", () => {
  test("takes every recorded book frame, with the JSON way's result", () => {
    expect(books.length).toBeGreaterThan(190);
    for (const f of books) expect(sameBothWays(f)).toBe(true);
  });

  test("leaves other frames to JSON.parse", () => {
    for (const f of frames) if (!books.includes(f)) expect(scanBookFrame(f)).toBeUndefined();
    const book = books[0]!;
    for (const text of [
      book.replace('"data"', '"event":"x","data"'), // events go their own way
      book.replace('"bids"', '"bi\\u0064s"'), // an escape
      book.replace('"action"', '"action":"update","action"'), // a repeated key
      book.replace('"data":[', '"data":[{"bids":[],"asks":[]},'), // extra row first: still read
      `${book} x`, // trailing garbage
      book.replace(/\[\["([0-9.]+)"/, "[[$1"), // a price as a number: the JSON way reports it
      book.replace('"data":[{', '"data":[ {').replace(/,/g, " ,\n"), // whitespace: still read
    ]) {
      const scanned = scanBookFrame(text);
      let parses = true;
      try {
        JSON.parse(text);
      } catch {
        parses = false;
      }
      if (scanned !== undefined) {
        expect(parses).toBe(true);
        sameBothWays(text);
      }
    }
    expect(scanBookFrame(book.replace('"data":[{', '"data":[ {').replace(/,/g, " ,\n"))).toBeDefined();
    expect(scanBookFrame(book.replace('"action"', '"action":"update","action"'))).toBeUndefined();
  });

  test("any decimal string as a price or size: the same number as num's", () => {
    checkDecimalLevels(books.find((f) => f.includes('"snapshot"') && f.length < 1000)!, sameBothWays);
  });

  test("edited frames: what the scan takes, JSON.parse takes, with the same result", () => {
    checkEditedFrames(books, scanBookFrame, sameBothWays);
  });
});
