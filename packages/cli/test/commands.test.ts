import { describe, expect, test } from "bun:test";
import { resolve } from "node:path";
import { fixturesDir } from "../../core/test/fixtures.ts";

const CLI = resolve(import.meta.dir, "../src/main.ts");
const FIXTURES = fixturesDir();

async function run(args: string[], stdin: string) {
  const proc = Bun.spawn(["bun", CLI, ...args], {
    stdin: new TextEncoder().encode(stdin),
    stdout: "pipe",
    stderr: "pipe",
  });
  const [out, err, code] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
    proc.exited,
  ]);
  return {
    out,
    err,
    code,
    messages: out
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l)),
  };
}

describe("tickerplant normalize", () => {
  test("turns recorded Binance frames into normalized JSON lines", async () => {
    const frames = await Bun.file(
      `${FIXTURES}/binance/spot_testnet_BTCUSDT_trade_bookTicker_depth_2026_ws.jsonl`,
    ).text();
    const r = await run(["normalize", "--exchange", "binance"], frames);
    expect(r.code).toBe(0);
    expect(r.messages).toHaveLength(23);
    expect(r.messages[0]).toMatchObject({
      type: "trade",
      exchange: "binance",
      market: "BTC-USDT",
      id: "388510",
      price: 76745.19,
      side: "buy",
    });
    expect(r.err).toContain("23 frames (data=23)");
  });

  test("reports and counts unknown frames on stderr, and keeps going", async () => {
    const good = '{"e":"trade","E":1,"s":"BTCUSDT","t":7,"p":"1.5","q":"2","T":1,"m":true}';
    const r = await run(
      ["normalize", "--exchange", "binance"],
      `not json\n${good}\n{"e":"nope","s":"BTCUSDT"}\n`,
    );
    expect(r.code).toBe(0);
    expect(r.messages).toEqual([expect.objectContaining({ type: "trade", id: "7", side: "sell" })]);
    expect(r.err).toContain("line 1: malformed_json");
    expect(r.err).toContain("line 3: unknown_event");
    expect(r.err).toContain("3 frames (invalid=2 data=1)");
  });

  test("rejects an unknown exchange or market type with usage errors", async () => {
    expect((await run(["normalize", "--exchange", "nope"], "")).code).toBe(2);
    expect((await run(["normalize"], "")).code).toBe(2);
    expect((await run(["normalize", "--exchange", "binance", "--market-type", "option"], "")).err).toContain(
      "no market type",
    );
  });
});

describe("tickerplant book", () => {
  async function nknInput(dropLine?: number) {
    const ws = (await Bun.file(`${FIXTURES}/binance/spot_NKNUSDT_ws.jsonl`).text()).trim().split("\n");
    const rest = (await Bun.file(`${FIXTURES}/binance/spot_NKNUSDT_rest_depth_snapshot.json`).text()).trim();
    const lines = [ws[0]!, rest, ...ws.slice(1)];
    return `${lines.filter((_, i) => i !== dropLine).join("\n")}\n`;
  }

  test("replays frames and the REST snapshot through Binance's procedure to the known final book", async () => {
    const r = await run(["book", "--exchange", "binance", "--depth", "5"], await nknInput());
    expect(r.code).toBe(0);
    expect(r.messages).toHaveLength(1);
    expect(r.messages[0]).toMatchObject({
      type: "book",
      kind: "snapshot",
      market: "NKN-USDT",
      seq: 499870179,
      bids: [
        [0.3527, 9602],
        [0.3526, 2829],
        [0.3525, 1850],
        [0.3524, 3421],
        [0.3522, 7231],
      ],
    });
  });

  test("a REST snapshot piped before any frame of its market is held until the market is known", async () => {
    const ws = (await Bun.file(`${FIXTURES}/binance/spot_NKNUSDT_ws.jsonl`).text()).trim().split("\n");
    const rest = (await Bun.file(`${FIXTURES}/binance/spot_NKNUSDT_rest_depth_snapshot.json`).text()).trim();
    const r = await run(["book", "--exchange", "binance", "--depth", "2"], `${[rest, ...ws].join("\n")}\n`);
    expect(r.code).toBe(0);
    expect(r.err).not.toContain("never synced");
    expect(r.err).toContain("0 unusable");
    expect(r.messages).toEqual([
      expect.objectContaining({
        type: "book",
        kind: "snapshot",
        market: "NKN-USDT",
        seq: 499870179,
        bids: [
          [0.3527, 9602],
          [0.3526, 2829],
        ],
      }),
    ]);
    // With nothing after it, the snapshot is reported as never matched, not silently lost.
    const alone = await run(["book", "--exchange", "binance"], `${rest}\n`);
    expect(alone.err).toContain("1 REST snapshot(s) never matched a market");
  });

  test("prints a status line for a deliberate hole", async () => {
    // Line 40 of the input is a depth diff; without it the next diff does not follow.
    const r = await run(["book", "--exchange", "binance"], await nknInput(40));
    const statuses = r.messages.filter((m) => m.type === "status");
    expect(statuses.length).toBeGreaterThanOrEqual(1);
    expect(statuses[0]).toMatchObject({ event: "gap", market: "NKN-USDT", channels: ["book"] });
    expect(statuses[0].toSeq).toBeGreaterThan(statuses[0].fromSeq);
    expect(r.err).toContain("never synced");
  });
});
