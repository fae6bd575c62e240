import { describe, expect, test } from "bun:test";
import type { ParseContext } from "../src/adapter.ts";
import { scanOrderbookFrame } from "../src/exchanges/bybit/book-scan.ts";
import { bybitLinear } from "../src/exchanges/bybit/index.ts";
import { parseOrderbook, parseScannedOrderbook } from "../src/exchanges/bybit/orderbook.ts";
import { checkDecimalLevels, checkEditedFrames, exactly } from "./book-scan-properties.ts";
import { readLines } from "./fixtures.ts";

/**
 * Bybit orderbook frames are read from their text when the scan takes them whole; otherwise
 * JSON.parse reads them. Whatever the scan takes must give exactly what the JSON way gives
 * (numbers with Object.is, JSON key order included), and it must take nothing JSON.parse rejects.
 */

const FILES = [
  "bybit/v5_spot_testnet_BTCUSDT_ws.jsonl",
  "bybit/v5_linear_tickers_BTCUSDT_2026_ws.jsonl",
  "bybit/tardis_v5_messages.jsonl",
];
const frames = FILES.flatMap(readLines);
const books = frames.filter((f) => f.startsWith('{"topic":"orderbook.'));

const ctx = (): ParseContext => ({
  recvTs: 1_800_000_000_000,
  marketOf: (s) => bybitLinear.marketOfSymbol(s) ?? "FUZZ-USDT",
  state: new Map(),
});

/** depth and symbol as parse.ts takes them from an `orderbook.<depth>.<S>` topic. */
function topicOf(topic: string): [string, string] {
  const first = topic.indexOf(".");
  const last = topic.lastIndexOf(".");
  return [topic.slice(first + 1, last), topic.slice(last + 1)];
}

function sameBothWays(text: string): boolean {
  const scanned = scanOrderbookFrame(text);
  if (scanned === undefined) return false;
  const msg = JSON.parse(text);
  expect(msg.topic).toBe(scanned.topic);
  const [depth, symbol] = topicOf(scanned.topic);
  expect(exactly(parseScannedOrderbook(scanned, depth, symbol, ctx()))).toBe(
    exactly(parseOrderbook(msg, depth, symbol, ctx())),
  );
  return true;
}

describe("bybit orderbook scan", () => {
  test("takes every recorded orderbook frame, with the JSON way's result", () => {
    expect(books.length).toBeGreaterThan(30);
    for (const f of books) expect(sameBothWays(f)).toBe(true);
    for (const f of frames) if (!books.includes(f)) expect(scanOrderbookFrame(f)).toBeUndefined();
  });

  test("any decimal string as a price or size: the same number as num's", () => {
    checkDecimalLevels(books.find((f) => f.includes('"snapshot"') && f.length < 2000)!, sameBothWays);
  });

  test("edited frames: what the scan takes, JSON.parse takes, with the same result", () => {
    checkEditedFrames(books, scanOrderbookFrame, sameBothWays);
  });
});
