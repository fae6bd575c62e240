import { describe, expect, test } from "bun:test";
import { binance } from "../src/exchanges/binance/index.ts";
import { bboCrossChecks, breaks, levels, readJson, readLines, replay } from "./book-replay.ts";

/**
 * Binance.US spot diffs recorded with their REST snapshots (shared/fixtures/binance-us; the same
 * protocol as Binance spot, so the spot adapter and its rules), replayed through BookSync against
 * the known answers in PROVENANCE.md: diffs applied and dropped, final update id, final top 5 and
 * level counts, and every bookTicker whose u is a diff's u equal to the book's top.
 */

interface Known {
  file: string;
  market: string;
  /** WS lines received before the REST snapshot arrived. */
  before: number;
  stale: number;
  applied: number;
  finalSeq: number;
  bids: Array<[string, string]>;
  asks: Array<[string, string]>;
  levels: [number, number];
  crossChecks: number;
}

const KNOWN: Known[] = [
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

const run = (k: Known, skipDelta?: number) =>
  replay({
    adapter: binance,
    lines: readLines(`binance-us/spot_${k.file}_ws.jsonl`),
    rest: {
      body: readJson(`binance-us/spot_${k.file}_rest_depth_snapshot.json`),
      afterLines: k.before,
      market: k.market,
    },
    skipDelta,
  });

describe("Binance.US spot book sync on recorded data", () => {
  for (const k of KNOWN) {
    test(`${k.file}: bridges the REST snapshot and ends at the known book`, () => {
      const r = run(k);
      const sync = r.syncs.get(k.market)!;
      expect(breaks(r)).toEqual([]);
      expect(sync.synced).toBe(true);
      expect(r.applied).toBe(k.applied);
      expect(r.fed.get(k.market)!.length - r.applied).toBe(k.stale);
      expect(sync.seq).toBe(k.finalSeq);
      expect(sync.book.top(5)).toEqual({ bids: levels(k.bids), asks: levels(k.asks) });
      expect([sync.book.bids.size, sync.book.asks.size]).toEqual(k.levels);
      // the exchange's own best bid/ask at the same update id
      const x = bboCrossChecks(r);
      expect(x.failed).toEqual([]);
      expect(x.passed).toBe(k.crossChecks);
    });
  }

  test("published messages are continuous: each delta's prevSeq is the previous message's seq", () => {
    const r = run(KNOWN[0]!);
    let last: number | null = null;
    for (const o of r.outputs) {
      if (o.kind === "snapshot") last = o.book.seq;
      if (o.kind === "delta") {
        expect(o.book.prevSeq).toBe(last);
        last = o.book.seq;
      }
    }
    expect(last).toBe(KNOWN[0]!.finalSeq);
  });

  for (const k of KNOWN) {
    test(`${k.file}: a deliberate hole (one diff left out) is a gap`, () => {
      const skip = k.stale + 20; // a diff well after the bridge
      const r = run(k, skip);
      const hole = r.skipped!;
      const fed = r.fed.get(k.market)!;
      const next = fed[fed.findIndex((d) => d.prevSeq === hole.seq)]!;
      expect(next.prevSeq).toBe(hole.seq); // the diff after the hole names the missing one's u
      expect(breaks(r)).toEqual([
        expect.objectContaining({ reason: "gap", fromSeq: hole.prevSeq, toSeq: next.seq }),
      ]);
      expect(r.outputs.some((o) => o.kind === "need-snapshot")).toBe(true);
      expect(r.syncs.get(k.market)!.synced).toBe(false);
    });
  }
});
