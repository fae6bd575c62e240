import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type StartedSimulator, startSimulator } from "../src/index.ts";
import { BookFaultQueue, crossingBids } from "../src/simulator/profiles/book-faults.ts";
import { connect, type TestSocket } from "./helpers/ws-client.ts";

describe("BookFaultQueue", () => {
  /** Passes updates 1..n through the queue, injecting `fault` before update `at`; returns what was sent. */
  function run(n: number, fault?: Parameters<BookFaultQueue["inject"]>[0], at = 2): string[] {
    const q = new BookFaultQueue();
    const sent: string[] = [];
    for (let i = 1; i <= n; i++) {
      if (fault && i === at) q.inject(fault);
      q.pass((crossed) => {
        const update = crossed ? `${i}x` : String(i);
        return () => sent.push(update);
      });
    }
    return sent;
  }

  test("each fault changes only what it says", () => {
    expect(run(4)).toEqual(["1", "2", "3", "4"]);
    expect(run(4, "gap")).toEqual(["1", "3", "4"]);
    expect(run(4, "duplicate")).toEqual(["1", "2", "2", "3", "4"]);
    expect(run(4, "out-of-order")).toEqual(["1", "3", "2", "4"]);
    expect(run(4, "crossed")).toEqual(["1", "2x", "3", "4"]);
  });

  test("faults queue up, one per update; a held update counts as pending until sent", () => {
    const q = new BookFaultQueue();
    q.inject("out-of-order");
    q.inject("gap");
    const sent: number[] = [];
    for (let i = 1; i <= 4; i++) {
      q.pass(() => () => sent.push(i));
      if (i === 1) expect(q.size).toBe(2);
    }
    // 1 held, 2 sent then 1, 3 lost, 4 sent
    expect(sent).toEqual([2, 1, 4]);
    expect(q.size).toBe(0);
  });

  test("crossingBids puts a bid at the best ask first, replacing one at that price", () => {
    const bids: Array<[number, number]> = [
      [101, 0],
      [99, 2],
    ];
    expect(crossingBids(bids, [101, 5])).toEqual([
      [101, 5],
      [99, 2],
    ]);
  });
});

describe("/_sim/book-fault on Binance spot depth diffs", () => {
  const MARKET = "ETH-USDT";
  let s: StartedSimulator;
  let c: TestSocket;
  const control = (q: string) => fetch(`${s.url}/_sim/book-fault?${q}`, { method: "POST" });
  type Diff = { U: number; u: number; b: Array<[string, string]>; a: Array<[string, string]> };
  const diffs = () => c.json() as Diff[];

  /** Injects a fault and makes `updates` diffs, one per 100 ms flush; returns the diffs received after. */
  async function faulted(fault: string, updates: number, expected: number): Promise<Diff[]> {
    const from = diffs().length;
    const res = await control(`market=${MARKET}&fault=${fault}`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ market: MARKET, fault });
    for (let i = 0; i < updates; i++) {
      s.sim.generate(MARKET, 2);
      await Bun.sleep(130);
    }
    await c.waitFor(() => diffs().length >= from + expected, 2000, `${expected} diffs`);
    await Bun.sleep(150);
    return diffs().slice(from);
  }

  beforeAll(async () => {
    s = await startSimulator({ seed: 5, markets: [MARKET], tradesPerSecond: 0 });
    c = await connect(`${s.wsUrl}/ws/ethusdt@depth@100ms`);
    s.sim.generate(MARKET, 2);
    await c.waitFor(() => c.messages.length >= 1, 2000, "a diff");
  });
  afterAll(async () => {
    c?.close();
    await s?.stop();
  });

  test("gap: the next diff is lost, the one after starts past u + 1", async () => {
    const d = await faulted("gap", 2, 1);
    expect(d).toHaveLength(1);
    expect(d[0]!.U).toBeGreaterThan(diffs().at(-2)!.u + 1);
  });

  test("duplicate: the next diff arrives twice with its own U and u", async () => {
    const d = await faulted("duplicate", 2, 3);
    expect(d).toHaveLength(3);
    expect(d[1]).toEqual(d[0]!);
    expect(d[2]!.U).toBe(d[0]!.u + 1);
  });

  test("out-of-order: the next two diffs arrive swapped", async () => {
    const d = await faulted("out-of-order", 2, 2);
    expect(d).toHaveLength(2);
    expect(d[1]!.u + 1).toBe(d[0]!.U);
  });

  test("crossed: a bid at the best ask, in a diff whose numbering follows", async () => {
    const lastU = Math.max(...diffs().map((x) => x.u));
    const d = await faulted("crossed", 1, 1);
    expect(d).toHaveLength(1);
    expect(d[0]!.U).toBe(lastU + 1);
    const ask = s.sim.generator.book(MARKET).top();
    expect(d[0]!.b[0]!.map(Number)).toEqual([ask.askPrice, ask.askAmount]);
  });

  test("bad requests: unknown fault or market", async () => {
    expect((await control(`market=${MARKET}&fault=reorder`)).status).toBe(400);
    expect((await control("market=NOPE-USDT&fault=gap")).status).toBe(400);
  });
});
