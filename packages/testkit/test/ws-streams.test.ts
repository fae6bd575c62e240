import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type StartedSimulator, startSimulator } from "../src/index.ts";
import { rawConnect } from "./helpers/raw-ws.ts";
import { connect } from "./helpers/ws-client.ts";

type Frame = { stream: string; data: Record<string, unknown> };

let s: StartedSimulator;

beforeAll(async () => {
  s = await startSimulator({ seed: 11, markets: ["BTC-USDT", "ETH-USDT"], tradesPerSecond: 400 });
});
afterAll(() => s.stop());

describe("Binance streams", () => {
  test("combined trade streams equal the ground truth exactly", async () => {
    const c = await connect(`${s.wsUrl}/stream?streams=btcusdt@trade/ethusdt@trade`);
    await c.waitFor(() => c.messages.length >= 120, 2000, "120 trades");
    c.close();
    await c.closed;
    const frames = c.json() as Frame[];
    for (const market of ["BTC-USDT", "ETH-USDT"]) {
      const stream = `${market.replace("-", "").toLowerCase()}@trade`;
      const mine = frames.filter((f) => f.stream === stream).map((f) => f.data);
      expect(mine.length).toBeGreaterThan(20);
      const firstId = mine[0]!.t as number;
      mine.forEach((d, i) => {
        expect(d.t).toBe(firstId + i);
        const truth = s.sim.groundTruth.trade(market, d.t as number)!;
        expect(d).toEqual({
          e: "trade",
          E: d.E,
          s: market.replace("-", ""),
          t: truth.id,
          p: truth.price.toFixed(8),
          q: truth.amount.toFixed(8),
          T: truth.ts,
          m: truth.side === "sell",
          M: true,
        });
        expect(Number(d.p)).toBe(truth.price);
        expect(d.E as number).toBeGreaterThanOrEqual(d.T as number);
      });
      // Key order and string formatting as Binance sends them.
      const raw = c.messages.find((m) => m.includes(`"${stream}"`))!;
      expect(raw).toMatch(
        /^\{"stream":"[a-z]+@trade","data":\{"e":"trade","E":\d+,"s":"[A-Z]+","t":\d+,"p":"\d+\.\d{8}","q":"\d+\.\d{8}","T":\d+,"m":(true|false),"M":true\}\}$/,
      );
    }
  });

  test("raw /ws/<stream> sends payloads without the envelope", async () => {
    const c = await connect(`${s.wsUrl}/ws/btcusdt@aggTrade`);
    await c.waitFor(() => c.messages.length >= 3, 2000, "3 aggTrades");
    c.close();
    const d = c.json()[0] as Record<string, unknown>;
    expect(d.e).toBe("aggTrade");
    expect(d.a).toBe(d.f);
    expect(d.f).toBe(d.l);
    expect(Number(d.p)).toBe(s.sim.groundTruth.trade("BTC-USDT", d.a as number)!.price);
  });

  test("the upgrade response is labelled as simulated", async () => {
    const raw = await rawConnect("127.0.0.1", s.port, "/ws/btcusdt@trade");
    expect(raw.status).toBe(101);
    expect(raw.headers["x-tickerplant-simulated"]).toBe("1");
    raw.end();
    const bad = await rawConnect("127.0.0.1", s.port, "/ws/nosuch@trade");
    expect(bad.status).toBe(400);
    bad.end();
  });

  test("ticker, bookTicker and 1s klines: all fields, consistent with the truth", async () => {
    const c = await connect(`${s.wsUrl}/stream?streams=btcusdt@ticker/btcusdt@bookTicker/btcusdt@kline_1s`);
    const closedKline = () =>
      (c.json() as Frame[]).find((f) => f.stream === "btcusdt@kline_1s" && (f.data.k as { x: boolean }).x);
    await c.waitFor(
      () => closedKline() !== undefined && c.messages.some((m) => m.includes("24hrTicker")),
      2500,
      "a closed 1s kline and a ticker",
    );
    c.close();
    const frames = c.json() as Frame[];
    const ticker = frames.find((f) => f.stream === "btcusdt@ticker")!.data;
    expect(Object.keys(ticker)).toEqual("e,E,s,p,P,w,x,c,Q,b,B,a,A,o,h,l,v,q,O,C,F,L,n".split(","));
    expect(ticker.n).toBe((ticker.L as number) - (ticker.F as number) + 1);
    const book = frames.find((f) => f.stream === "btcusdt@bookTicker")!.data;
    expect(Object.keys(book)).toEqual(["u", "s", "b", "B", "a", "A"]);
    expect(Number(book.b)).toBeLessThan(Number(book.a));

    const k = closedKline()!.data.k as Record<string, string | number | boolean>;
    const truth = s.sim.groundTruth.candles("BTC-USDT", "1s", { from: k.t as number, to: k.t as number })[0]!;
    expect(k).toMatchObject({
      t: truth.openTime,
      T: truth.closeTime,
      i: "1s",
      o: truth.open.toFixed(8),
      h: truth.high.toFixed(8),
      l: truth.low.toFixed(8),
      c: truth.close.toFixed(8),
      v: truth.volume.toFixed(8),
      q: truth.quoteVolume.toFixed(8),
      n: truth.trades,
      f: truth.firstId,
      L: truth.lastId,
      x: true,
    });
  });

  test("depth@100ms diffs on top of a REST snapshot rebuild the book exactly", async () => {
    const c = await connect(`${s.wsUrl}/ws/ethusdt@depth@100ms`);
    await c.waitFor(() => c.messages.length >= 2, 2000, "depth updates");
    const snap = (await (await fetch(`${s.url}/api/v3/depth?symbol=ETHUSDT&limit=5000`)).json()) as {
      lastUpdateId: number;
      bids: [string, string][];
      asks: [string, string][];
    };
    await c.waitFor(
      () => (c.json() as Array<{ u: number }>).some((d) => d.u > snap.lastUpdateId),
      2000,
      "an update after the snapshot",
    );
    s.sim.pause();
    await Bun.sleep(250); // the last diff is flushed
    const final = (await (
      await fetch(`${s.url}/api/v3/depth?symbol=ETHUSDT&limit=5000`)
    ).json()) as typeof snap;
    s.sim.resume();
    c.close();

    const bids = new Map(snap.bids);
    const asks = new Map(snap.asks);
    let local = snap.lastUpdateId;
    let first = true;
    for (const d of c.json() as Array<{
      U: number;
      u: number;
      b: [string, string][];
      a: [string, string][];
    }>) {
      if (d.u <= local) continue;
      if (first) {
        expect(d.U).toBeLessThanOrEqual(local + 1);
        first = false;
      } else {
        expect(d.U).toBe(local + 1);
      }
      for (const [p, q] of d.b) Number(q) === 0 ? bids.delete(p) : bids.set(p, q);
      for (const [p, q] of d.a) Number(q) === 0 ? asks.delete(p) : asks.set(p, q);
      local = d.u;
    }
    expect(local).toBe(final.lastUpdateId);
    const sorted = (m: Map<string, string>, desc: boolean) =>
      [...m.entries()].sort((x, y) => (desc ? Number(y[0]) - Number(x[0]) : Number(x[0]) - Number(y[0])));
    expect(sorted(bids, true)).toEqual(final.bids);
    expect(sorted(asks, false)).toEqual(final.asks);
  });
});
