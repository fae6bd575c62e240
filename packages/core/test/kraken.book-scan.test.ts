import { describe, expect, test } from "bun:test";
import type { ParseContext } from "../src/adapter.ts";
import { scanV1BookFrame } from "../src/exchanges/kraken/book-scan.ts";
import { kraken } from "../src/exchanges/kraken/index.ts";
import { parseScannedV1Book, parseV1Array } from "../src/exchanges/kraken/parse-v1.ts";
import { RecurringTexts } from "../src/exchanges/wire/json-text.ts";
import { checkDecimalLevels, checkEditedFrames, exactly } from "./book-scan-properties.ts";
import { readLines } from "./fixtures.ts";

/**
 * Kraken v1 book frames are read from their text when the scan takes them whole; otherwise
 * JSON.parse reads them. Whatever the scan takes must give exactly what the JSON way gives
 * (numbers with Object.is, JSON key order included), and it must take nothing JSON.parse rejects.
 */

const FILES = [
  "kraken/v1_book1000_WAVESEUR_ws.jsonl",
  "kraken/v1_book1000_XMRUSD_ws.jsonl",
  "kraken/v1_ticker_allpairs_ws.jsonl",
  "kraken/v1_trade_allpairs_ws.jsonl",
  "kraken/tardis_v1_messages.jsonl",
];
const frames = FILES.flatMap(readLines);
const books = frames.filter((f) => f.startsWith("[") && f.includes('"book-'));
const texts = new RecurringTexts();
const scan = (text: string) => scanV1BookFrame(text, texts);

const ctx = (): ParseContext => ({
  recvTs: 1_800_000_000_000,
  marketOf: (s) => kraken.marketOfSymbol(s) ?? "FUZZ-USD",
  state: new Map(),
});

function sameBothWays(text: string): boolean {
  const scanned = scan(text);
  if (scanned === undefined) return false;
  expect(exactly(parseScannedV1Book(scanned, ctx()))).toBe(exactly(parseV1Array(JSON.parse(text), ctx())));
  return true;
}

describe("kraken v1 book scan", () => {
  test("takes the recorded book frames, with the JSON way's result; leaves other frames", () => {
    let taken = 0;
    for (const f of books) if (sameBothWays(f)) taken++;
    expect(taken).toBeGreaterThan(1400);
    for (const f of frames) if (!books.includes(f)) expect(scan(f)).toBeUndefined();
  });

  test("any decimal string as a price or volume: the same number as the JSON way's", () => {
    checkDecimalLevels(books.find((f) => scan(f) !== undefined && f.length < 3000)!, sameBothWays);
  });

  test("edited frames: what the scan takes, JSON.parse takes, with the same result", () => {
    checkEditedFrames(books, scan, sameBothWays);
  });
});
