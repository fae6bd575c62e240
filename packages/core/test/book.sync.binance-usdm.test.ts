import { describe, expect, test } from "bun:test";
import { BookSync } from "../src/book/sync.ts";
import { binanceUsdm } from "../src/exchanges/binance/index.ts";
import type { Book } from "../src/schemas/messages.ts";
import { type KnownBook, recordedBookSyncTests } from "./book-replay.ts";

/**
 * Binance USD-M diffs recorded with their REST snapshots (test/fixtures/binance-futures), replayed
 * through BookSync with the adapter's rules (drop u < lastUpdateId, bridge, pu == previous u),
 * against the known answers in PROVENANCE.md: diffs applied and dropped, final update id, final
 * top 5 and level counts, and every bookTicker whose u is a diff's u equal to the book's top.
 */

const KNOWN: KnownBook[] = [
  {
    file: "AKROUSDT",
    market: "AKRO-USDT-PERP",
    before: 1,
    stale: 1,
    applied: 188,
    finalSeq: 600860423964,
    bids: [
      ["0.01734", "502"],
      ["0.01733", "44695"],
      ["0.01732", "795679"],
      ["0.01731", "220319"],
      ["0.01730", "539620"],
    ],
    asks: [
      ["0.01735", "50697"],
      ["0.01736", "359660"],
      ["0.01737", "771502"],
      ["0.01738", "653449"],
      ["0.01739", "450336"],
    ],
    levels: [613, 761],
    crossChecks: 7,
  },
  {
    file: "KEEPUSDT",
    market: "KEEP-USDT-PERP",
    before: 1,
    stale: 3,
    applied: 132,
    finalSeq: 600860420312,
    bids: [
      ["0.2463", "249"],
      ["0.2462", "339"],
      ["0.2461", "339"],
      ["0.2460", "1358"],
      ["0.2459", "5103"],
    ],
    asks: [
      ["0.2467", "9047"],
      ["0.2468", "406"],
      ["0.2469", "1939"],
      ["0.2470", "1573"],
      ["0.2471", "13509"],
    ],
    levels: [401, 614],
    crossChecks: 13,
  },
  {
    file: "SUSHIUSDT",
    market: "SUSHI-USDT-PERP",
    before: 2,
    stale: 3,
    applied: 252,
    finalSeq: 600860425198,
    bids: [
      ["7.6120", "303"],
      ["7.6110", "105"],
      ["7.6100", "178"],
      ["7.6090", "294"],
      ["7.6080", "1421"],
    ],
    asks: [
      ["7.6160", "267"],
      ["7.6170", "261"],
      ["7.6180", "1133"],
      ["7.6190", "1038"],
      ["7.6200", "2662"],
    ],
    levels: [1006, 1000],
    crossChecks: 12,
  },
];

describe("Binance USD-M book sync on recorded data", () => {
  recordedBookSyncTests({
    adapter: binanceUsdm,
    known: KNOWN,
    wsLines: (file) => `binance-futures/usdm_${file}_ws.jsonl`,
    restBody: (file) => `binance-futures/usdm_${file}_rest_depth_snapshot.json`,
    continuityOf: 2,
    holeAfter: 40, // a diff well after the bridge
  });

  test("the bridge: pu < lastUpdateId <= u applies, an older snapshot is refetched, u < lastUpdateId is dropped", () => {
    const rules = binanceUsdm.bookSync!;
    const d = (U: number, u: number, pu: number): Book => ({
      type: "book",
      exchange: "binance",
      market: "A-B-PERP",
      symbol: "AB",
      ts: 1,
      recvTs: 1,
      kind: "delta",
      seq: u,
      prevSeq: pu,
      bids: [[1, U]],
      asks: [],
    });
    expect(rules.bridge!(100, d(95, 99, 90))).toBe("drop");
    expect(rules.bridge!(100, d(96, 100, 90))).toBe("apply"); // u == lastUpdateId is applied (USD-M)
    expect(rules.bridge!(100, d(98, 105, 97))).toBe("apply");
    expect(rules.bridge!(100, d(102, 105, 100))).toBe("refetch"); // the diff ending at 100 is missing
    // a snapshot older than every buffered diff: fetch again, apply nothing
    const sync = new BookSync(rules);
    expect(sync.onMessage(d(120, 130, 110))).toEqual([{ kind: "need-snapshot" }]);
    const snap: Book = { ...d(0, 100, 0), kind: "snapshot", prevSeq: null, bids: [[1, 1]], asks: [[2, 1]] };
    expect(sync.onRestSnapshot(snap)).toEqual([{ kind: "need-snapshot" }]);
    expect(sync.synced).toBe(false);
    const out = sync.onRestSnapshot({ ...snap, seq: 125 });
    expect(out.map((o) => o.kind)).toEqual(["snapshot"]);
    expect(sync.seq).toBe(130);
  });
});
