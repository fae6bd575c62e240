import { describe, expect, test } from "bun:test";
import { bybitLinear, bybitSpot } from "../src/exchanges/bybit/index.ts";
import type { Book } from "../src/schemas/messages.ts";
import { breaks, levels, readLines, replay } from "./book-replay.ts";

/**
 * Bybit v5 `orderbook.50` recorded on spot testnet (test/fixtures/bybit) replayed through
 * BookSync with the adapter's rules: snapshot, then deltas whose u grows by exactly 1 (Bybit's docs
 * do not promise it for orderbook.50/200; every recording here shows it: spot 50, and linear 50
 * and 1 in the tardis vectors). Proof: the known top 5 in PROVENANCE.md, and after each
 * orderbook.50 frame the book's best bid/ask equals the orderbook.1 frame of the same cross
 * sequence (`seq`), the exchange's own view of the top at that engine event.
 */

const FILE = "bybit/v5_spot_testnet_BTCUSDT_ws.jsonl";
const lines = readLines(FILE);
const marketOf = (s: string) => (s === "BTCUSDT" ? "BTC-USDT" : undefined);

const KNOWN = {
  bids: [
    ["77140.5", "0.236197"],
    ["77140.4", "0.177861"],
    ["77140.3", "0.131763"],
    ["77140.2", "0.097612"],
    ["77140.1", "0.127871"],
  ] as Array<[string, string]>,
  asks: [
    ["77140.7", "0.240076"],
    ["77140.8", "0.177784"],
    ["77140.9", "0.131763"],
    ["77141", "0.131763"],
    ["77141.1", "0.131763"],
  ] as Array<[string, string]>,
};

/** Raw orderbook frames: topic depth, u and the cross sequence. */
const raw = lines
  .map((l) => JSON.parse(l))
  .filter((f) => typeof f.topic === "string" && f.topic.startsWith("orderbook."))
  .map((f) => ({
    depth: f.topic.split(".")[1] as string,
    u: f.data.u as number,
    seq: f.data.seq as number,
    f,
  }));

describe("Bybit book sync on recorded data", () => {
  test("orderbook.50: snapshot then 18 deltas, u contiguous 3734358..3734376, final book as known", () => {
    const r = replay({ adapter: bybitSpot, lines, marketOf });
    expect(breaks(r)).toEqual([]);
    expect(r.outputs.map((o) => o.kind)).toEqual(["snapshot", ...Array(18).fill("delta")]);
    const us = r.fed.get("BTC-USDT")!.map((m) => m.seq);
    expect(us).toEqual(Array.from({ length: 19 }, (_, i) => 3734358 + i));
    const sync = r.syncs.get("BTC-USDT")!;
    expect(sync.seq).toBe(3734376);
    expect(sync.book.top(5)).toEqual({ bids: levels(KNOWN.bids), asks: levels(KNOWN.asks) });
  });

  test("after each orderbook.50 frame the top equals the orderbook.1 frame with the same cross sequence", () => {
    const r = replay({ adapter: bybitSpot, lines, marketOf });
    const topByU = r.topAt;
    let passed = 0;
    for (const l1 of raw.filter((x) => x.depth === "1")) {
      const l50 = raw.find((x) => x.depth === "50" && x.seq === l1.seq);
      if (!l50) continue;
      const top = topByU.get(l50.u)!;
      expect(top.bid).toEqual(levels(l1.f.data.b)[0]);
      expect(top.ask).toEqual(levels(l1.f.data.a)[0]);
      passed++;
    }
    expect(passed).toBe(13); // PROVENANCE: orderbook1_crosschecks_passed
  });

  test("a deliberate hole (one delta frame lost) is a gap; only a new snapshot resyncs", () => {
    const r = replay({ adapter: bybitSpot, lines, marketOf, skipDelta: 7 });
    expect(r.skipped!.seq).toBe(3734366);
    expect(breaks(r)).toEqual([expect.objectContaining({ reason: "gap", fromSeq: 3734365, toSeq: 3734367 })]);
    expect(r.outputs.filter((o) => o.kind === "need-snapshot")).toHaveLength(1);
    expect(r.syncs.get("BTC-USDT")!.synced).toBe(false);
  });

  test("a new snapshot, or a delta with u = 1 (service restart), replaces the book", () => {
    const r = replay({ adapter: bybitSpot, lines, marketOf });
    const sync = r.syncs.get("BTC-USDT")!;
    const restart = JSON.stringify({
      ...raw[0]!.f,
      type: "delta",
      data: { ...raw[0]!.f.data, u: 1, b: [["70000", "1"]], a: [["70001", "1"]] },
    });
    const out = bybitSpot.parseFrame(restart, { recvTs: 1, marketOf, state: new Map() });
    if (out.kind !== "data") throw new Error(out.kind);
    const res = sync.onMessage(out.messages[0] as Book);
    expect(res.map((o) => o.kind)).toEqual(["snapshot"]);
    expect(sync.book.top(5)).toEqual({ bids: [[70000, 1]], asks: [[70001, 1]] });
    expect(sync.seq).toBe(1);
  });

  test("linear (tardis vectors, BTCPERP orderbook.50): the delta after the snapshot is u + 1 and follows", () => {
    const vectors = readLines("bybit/tardis_v5_messages.jsonl").filter((l) =>
      l.includes("orderbook.50.BTCPERP"),
    );
    expect(vectors).toHaveLength(2);
    const r = replay({ adapter: bybitLinear, lines: vectors, marketOf: () => "BTC-USDC-PERP" });
    expect(breaks(r)).toEqual([]);
    expect(r.outputs.map((o) => o.kind)).toEqual(["snapshot", "delta"]);
    expect(r.syncs.get("BTC-USDC-PERP")!.book.top(1)).toEqual({
      bids: [[28555.2, 0.677]],
      asks: [[28555.3, 0.029]],
    });
    expect(bybitLinear.bookSync).toBe(bybitSpot.bookSync);
  });
});
