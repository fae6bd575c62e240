import { type Book, BookSync, type BookSyncRules, getAdapter, type MarketMessage } from "@tickerplant/core";
import { readBody, readFrames } from "./fixtures.ts";

/**
 * The recorded order-book sequences of packages/core/test/fixtures (a snapshot, REST or in-stream, then
 * the exchange's deltas), parsed by our adapters once, up front. They give the book benchmark its
 * level distribution and its replay rows.
 */

export interface RecordedBook {
  file: string;
  rules: BookSyncRules;
  /** REST snapshot (Binance) or the stream's first snapshot. */
  snapshot: Book;
  fromRest: boolean;
  /** Book messages after the snapshot, in receive order, as BookSync gets them. */
  messages: Book[];
  /** The messages BookSync applied (stale ones dropped): what OrderBook.apply gets. */
  applied: Book[];
}

interface Source {
  exchange: string;
  marketType: "spot" | "perp";
  file: string;
  rest?: string;
}

export const BOOK_GROUPS: Record<string, Source[]> = {
  "Binance spot (+ .US)": [
    {
      exchange: "binance",
      marketType: "spot",
      file: "binance/spot_NKNUSDT_ws.jsonl",
      rest: "binance/spot_NKNUSDT_rest_depth_snapshot.json",
    },
    {
      exchange: "binance",
      marketType: "spot",
      file: "binance-us/spot_OMGBUSD_ws.jsonl",
      rest: "binance-us/spot_OMGBUSD_rest_depth_snapshot.json",
    },
    {
      exchange: "binance",
      marketType: "spot",
      file: "binance-us/spot_ZRXUSDT_ws.jsonl",
      rest: "binance-us/spot_ZRXUSDT_rest_depth_snapshot.json",
    },
  ],
  "Binance USD-M": [
    {
      exchange: "binance",
      marketType: "perp",
      file: "binance-futures/usdm_SUSHIUSDT_ws.jsonl",
      rest: "binance-futures/usdm_SUSHIUSDT_rest_depth_snapshot.json",
    },
    {
      exchange: "binance",
      marketType: "perp",
      file: "binance-futures/usdm_AKROUSDT_ws.jsonl",
      rest: "binance-futures/usdm_AKROUSDT_rest_depth_snapshot.json",
    },
    {
      exchange: "binance",
      marketType: "perp",
      file: "binance-futures/usdm_KEEPUSDT_ws.jsonl",
      rest: "binance-futures/usdm_KEEPUSDT_rest_depth_snapshot.json",
    },
  ],
  "Kraken v1 book-1000 (CRC32 per message)": [
    { exchange: "kraken", marketType: "spot", file: "kraken/v1_book1000_XMRUSD_ws.jsonl" },
    { exchange: "kraken", marketType: "spot", file: "kraken/v1_book1000_WAVESEUR_ws.jsonl" },
  ],
  "Coinbase Exchange feed (legacy level2)": [
    { exchange: "coinbase", marketType: "spot", file: "coinbase/exchange_legacy_SKL-USD_ws.jsonl" },
    { exchange: "coinbase", marketType: "spot", file: "coinbase/exchange_legacy_BAND-GBP_ws.jsonl" },
  ],
  "OKX v5 books (CRC32 where sent)": [
    { exchange: "okx", marketType: "spot", file: "okx/v5_BTC-USDT_ws.jsonl" },
    { exchange: "okx", marketType: "perp", file: "okx/v5_BTC-USD-220527_ws.jsonl" },
  ],
};

function load(s: Source): RecordedBook {
  const adapter = getAdapter(s.exchange, s.marketType);
  if (!adapter?.bookSync) throw new Error(`${s.exchange} ${s.marketType} has no book sync rules`);
  const rules = adapter.bookSync;
  const ctx = { recvTs: 0, marketOf: adapter.marketOfSymbol, state: new Map() };
  const books: Book[] = [];
  for (const frame of readFrames(s.file)) {
    const r = adapter.parseFrame(frame, ctx);
    if (r.kind !== "data") continue;
    for (const m of r.messages as MarketMessage[]) if (m.type === "book") books.push(m);
  }
  const market = books[0]?.market;
  if (!market) throw new Error(`${s.file} has no book messages`);
  let snapshot: Book;
  let messages: Book[];
  if (s.rest) {
    snapshot = adapter.rest.parseDepth(readBody(s.rest), { recvTs: 0, market });
    messages = books;
  } else {
    const first = books.findIndex((b) => b.kind === "snapshot");
    if (first < 0) throw new Error(`${s.file} has no stream snapshot`);
    snapshot = books[first]!;
    messages = books.slice(first + 1);
  }
  // A dry run through BookSync: which messages it applies, and proof the replay stays in sync.
  const sync = new BookSync(rules);
  if (s.rest) sync.onRestSnapshot(snapshot);
  else sync.onMessage(snapshot);
  const applied: Book[] = [];
  for (const m of messages) {
    const out = sync.onMessage(m);
    const broke = out.find((o) => o.kind === "break");
    if (broke) throw new Error(`${s.file}: the recorded sequence broke (${JSON.stringify(broke)})`);
    if (out.length > 0) applied.push(m);
  }
  return { file: s.file, rules, snapshot, fromRest: s.rest !== undefined, messages, applied };
}

export function loadRecordedBooks(): Record<string, RecordedBook[]> {
  return Object.fromEntries(Object.entries(BOOK_GROUPS).map(([g, sources]) => [g, sources.map(load)]));
}
