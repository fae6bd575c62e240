import { describe, expect, test } from "bun:test";
import { resolve } from "node:path";
import { fixturesDir } from "../../core/test/fixtures.ts";

/**
 * `tickerplant book` on the recorded book sequences of each exchange (packages/core/test/fixtures): the final
 * book equals the known answers in PROVENANCE.md, and a recording with one frame removed prints a
 * status line for the break.
 */

const CLI = resolve(import.meta.dir, "../src/main.ts");
const FIXTURES = fixturesDir();

async function run(args: string[], lines: string[]) {
  const proc = Bun.spawn(["bun", CLI, "book", ...args], {
    stdin: new TextEncoder().encode(`${lines.join("\n")}\n`),
    stdout: "pipe",
    stderr: "pipe",
  });
  const [out, err, code] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
    proc.exited,
  ]);
  const messages = out
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l));
  return {
    code,
    err,
    books: messages.filter((m) => m.type === "book"),
    statuses: messages.filter((m) => m.type === "status"),
  };
}

const lines = async (file: string) => (await Bun.file(`${FIXTURES}/${file}`).text()).trim().split("\n");
const without = (xs: string[], i: number) => xs.filter((_, j) => j !== i);

describe("tickerplant book on each exchange's recordings", () => {
  test("binance perp (USD-M AKROUSDT + REST snapshot): known final book; a lost diff is a gap", async () => {
    const ws = await lines("binance-futures/usdm_AKROUSDT_ws.jsonl");
    const rest = (await lines("binance-futures/usdm_AKROUSDT_rest_depth_snapshot.json"))[0]!;
    const input = [ws[0]!, rest, ...ws.slice(1)];
    const args = ["--exchange", "binance", "--market-type", "perp", "--depth", "2"];
    const r = await run(args, input);
    expect(r.code).toBe(0);
    expect(r.statuses).toEqual([]);
    expect(r.books).toEqual([
      expect.objectContaining({
        market: "AKRO-USDT-PERP",
        seq: 600860423964,
        bids: [
          [0.01734, 502],
          [0.01733, 44695],
        ],
        asks: [
          [0.01735, 50697],
          [0.01736, 359660],
        ],
      }),
    ]);
    // input line 47 is a depth diff well after the bridge
    expect(input[47]).toContain("depthUpdate");
    const holed = await run(args, without(input, 47));
    expect(holed.statuses[0]).toMatchObject({ event: "gap", market: "AKRO-USDT-PERP", channels: ["book"] });
  });

  test("okx (BTC-USDT books with checksums): known final book; a lost update fails the checksum", async () => {
    const input = await lines("okx/v5_BTC-USDT_ws.jsonl");
    const r = await run(["--exchange", "okx", "--depth", "2"], input);
    expect(r.statuses).toEqual([]);
    expect(r.books).toEqual([
      expect.objectContaining({
        market: "BTC-USDT",
        bids: [
          [30236.1, 0.18050747],
          [30234, 0.052],
        ],
        asks: [
          [30236.2, 0.001],
          [30243.9, 0.0002],
        ],
      }),
    ]);
    expect(input[10]).toContain('"action":"update"');
    const holed = await run(["--exchange", "okx"], without(input, 10));
    expect(holed.statuses[0]).toMatchObject({ event: "resync", market: "BTC-USDT" });
    expect(holed.statuses[0].detail).toContain("checksum");
  });

  test("kraken (v1 book-1000 WAVES/EUR): every checksum passes, known final book; a lost update is caught", async () => {
    const input = await lines("kraken/v1_book1000_WAVESEUR_ws.jsonl");
    const r = await run(["--exchange", "kraken", "--depth", "2"], input);
    expect(r.statuses).toEqual([]);
    expect(r.books).toEqual([
      expect.objectContaining({
        market: "WAVES-EUR",
        bids: [
          [13.233, 651.13730823],
          [13.2329, 102],
        ],
        asks: [
          [13.2581, 29.25957971],
          [13.2646, 103],
        ],
      }),
    ]);
    // input[7] deletes bid 13.2253, inside the top 10
    const holed = await run(["--exchange", "kraken"], without(input, 7));
    expect(holed.statuses[0]).toMatchObject({ event: "resync", market: "WAVES-EUR" });
    expect(holed.statuses[0].detail).toContain("checksum");
  });

  test("bybit (spot orderbook.50) and coinbase (Advanced Trade, two products): known final books", async () => {
    const bybit = await run(
      ["--exchange", "bybit", "--depth", "1"],
      await lines("bybit/v5_spot_testnet_BTCUSDT_ws.jsonl"),
    );
    expect(bybit.statuses).toEqual([]);
    expect(bybit.books).toEqual([
      expect.objectContaining({
        market: "BTC-USDT",
        seq: 3734376,
        bids: [[77140.5, 0.236197]],
        asks: [[77140.7, 0.240076]],
      }),
    ]);
    const cb = await run(
      ["--exchange", "coinbase", "--depth", "1"],
      await lines("coinbase/advanced_trade_BTC-USD_ETH-USD_ws.jsonl"),
    );
    expect(cb.statuses).toEqual([]);
    expect(cb.books).toEqual([
      expect.objectContaining({
        market: "BTC-USD",
        bids: [[83277.25, 0.00715626]],
        asks: [[83277.26, 0.01110256]],
      }),
      expect.objectContaining({ market: "ETH-USD", bids: [[2666.03, 3.37671824]], asks: [[2666.04, 2.246]] }),
    ]);
  });
});
