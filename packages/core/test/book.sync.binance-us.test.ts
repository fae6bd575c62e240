import { describe } from "bun:test";
import { binance } from "../src/exchanges/binance/index.ts";
import { type KnownBook, recordedBookSyncTests } from "./book-replay.ts";

/**
 * Binance.US spot diffs recorded with their REST snapshots (test/fixtures/binance-us; the same
 * protocol as Binance spot, so the spot adapter and its rules), replayed through BookSync against
 * the known answers in PROVENANCE.md: diffs applied and dropped, final update id, final top 5 and
 * level counts, and every bookTicker whose u is a diff's u equal to the book's top.
 */

const KNOWN: KnownBook[] = [
  {
    file: "OMGBUSD",
    market: "OMG-BUSD",
    before: 1,
    stale: 1,
    applied: 158,
    finalSeq: 77819802,
    bids: [
      ["13.73070000", "91.95000000"],
      ["13.73050000", "80.49000000"],
      ["13.72310000", "72.87000000"],
      ["13.71950000", "24.66000000"],
      ["13.71030000", "363.71000000"],
    ],
    asks: [
      ["13.77280000", "72.96000000"],
      ["13.77290000", "71.76000000"],
      ["13.77690000", "109.46000000"],
      ["13.78090000", "1200.00000000"],
      ["13.78330000", "72.55000000"],
    ],
    levels: [196, 183],
    crossChecks: 19,
  },
  {
    file: "ZRXUSDT",
    market: "ZRX-USDT",
    before: 2,
    stale: 1,
    applied: 40,
    finalSeq: 96975046,
    bids: [
      ["0.99470000", "307.93000000"],
      ["0.99460000", "347.86000000"],
      ["0.99450000", "5019.86000000"],
      ["0.99400000", "10035.65000000"],
      ["0.99310000", "383.89000000"],
    ],
    asks: [
      ["0.99780000", "7119.69000000"],
      ["0.99820000", "379.60000000"],
      ["0.99830000", "2100.00000000"],
      ["0.99860000", "336.27000000"],
      ["0.99890000", "10038.64000000"],
    ],
    levels: [174, 256],
    crossChecks: 11,
  },
];

describe("Binance.US spot book sync on recorded data", () => {
  recordedBookSyncTests({
    adapter: binance,
    known: KNOWN,
    wsLines: (file) => `binance-us/spot_${file}_ws.jsonl`,
    restBody: (file) => `binance-us/spot_${file}_rest_depth_snapshot.json`,
    continuityOf: 0,
    holeAfter: 20, // a diff well after the bridge
  });
});
