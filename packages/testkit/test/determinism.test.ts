import { expect, test } from "bun:test";
import { MarketGenerator, startSimulator } from "../src/index.ts";

test("same seed → same first N trades from running simulators and a bare generator", async () => {
  const a = await startSimulator({ seed: 1234, markets: ["BTC-USDT", "ETH-USDT"], tradesPerSecond: 4000 });
  await Bun.sleep(40);
  const b = await startSimulator({ seed: 1234, markets: ["BTC-USDT", "ETH-USDT"], tradesPerSecond: 1500 });
  try {
    const enough = () =>
      a.sim.groundTruth.count("ETH-USDT") >= 200 && b.sim.groundTruth.count("ETH-USDT") >= 200;
    for (let i = 0; i < 100 && !enough(); i++) await Bun.sleep(20);
    const pick = (t: { id: number; price: number; amount: number; side: string }) => [
      t.id,
      t.price,
      t.amount,
      t.side,
    ];
    const ta = a.sim.groundTruth.trades("ETH-USDT", { limit: 200 }).map(pick);
    const tb = b.sim.groundTruth.trades("ETH-USDT", { limit: 200 }).map(pick);
    expect(ta.length).toBe(200);
    expect(tb).toEqual(ta);
    const bare = new MarketGenerator({ seed: 1234, markets: ["ETH-USDT"] })
      .generate("ETH-USDT", 200)
      .map(pick);
    expect(bare).toEqual(ta);
  } finally {
    await a.stop();
    await b.stop();
  }
});
