import { describe, expect, test } from "bun:test";
import { BookSync } from "../src/book/sync.ts";
import { binanceUsdm } from "../src/exchanges/binance/index.ts";
import type { Book } from "../src/schemas/messages.ts";
import { bboCrossChecks, breaks, levels, readJson, readLines, replay } from "./book-replay.ts";

/**
 * Binance USD-M diffs recorded with their REST snapshots (shared/fixtures/binance-futures), replayed
 * through BookSync with the adapter's rules (drop u < lastUpdateId, bridge, pu == previous u),
 * against the known answers in PROVENANCE.md: diffs applied and dropped, final update id, final
 * top 5 and level counts, and every bookTicker whose u is a diff's u equal to the book's top.
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

const run = (k: Known, skipDelta?: number) =>
  replay({
    adapter: binanceUsdm,
    lines: readLines(`binance-futures/usdm_${k.file}_ws.jsonl`),
    rest: {
      body: readJson(`binance-futures/usdm_${k.file}_rest_depth_snapshot.json`),
      afterLines: k.before,
      market: k.market,
    },
    skipDelta,
  });

describe("Binance USD-M book sync on recorded data", () => {
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
    const r = run(KNOWN[2]!);
    let last: number | null = null;
    for (const o of r.outputs) {
      if (o.kind === "snapshot") last = o.book.seq;
      if (o.kind === "delta") {
        expect(o.book.prevSeq).toBe(last);
        last = o.book.seq;
      }
    }
    expect(last).toBe(KNOWN[2]!.finalSeq);
  });

  for (const k of KNOWN) {
    test(`${k.file}: a deliberate hole (one diff left out) is a gap`, () => {
      const skip = k.stale + 40; // a diff well after the bridge
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
