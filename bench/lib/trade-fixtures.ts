import { getAdapter, type ParseContext, type Trade } from "@tickerplant/core";
import { MarketGenerator } from "@tickerplant/testkit";
// Not exported by the testkit's index: the simulator's own wire format, byte for byte.
import { combined, tradePayload } from "../../packages/testkit/src/simulator/profiles/binance/payloads.ts";

/**
 * Trade data for the baselines, made by the simulator's generator and wire format so that the
 * baselines move exactly what the pipeline moves: raw Binance combined-stream trade frames, and
 * the normalized trades the ingestor publishes (parsed from those frames, `simulated: true`).
 */

export interface TradeFixtures {
  frames: string[];
  trades: Trade[];
  /** The normalized trades as JSON, as the ingestor publishes them. */
  json: string[];
  ctx: ParseContext;
}

export function binanceAdapter() {
  const adapter = getAdapter("binance");
  if (!adapter) throw new Error("binance adapter missing");
  return adapter;
}

export function buildTradeFixtures(markets: string[], count: number, seed = 42): TradeFixtures {
  const gen = new MarketGenerator({ seed, markets });
  const symbols = new Map<string, string>();
  for (const m of markets) {
    const spec = gen.spec(m);
    symbols.set(`${spec.base}${spec.quote}`, m);
  }
  const frames: string[] = [];
  const perTick = 100;
  let ts = Date.now() - 60_000;
  while (frames.length < count) {
    for (const [symbol, market] of symbols) {
      const stream = `${symbol.toLowerCase()}@trade`;
      for (const t of gen.generate(market, perTick, ts))
        frames.push(combined(stream, tradePayload(symbol, t, ts)));
    }
    ts += 1;
  }
  frames.length = count;

  const ctx: ParseContext = { recvTs: ts, marketOf: (s) => symbols.get(s), state: new Map() };
  const adapter = binanceAdapter();
  const trades: Trade[] = [];
  for (const f of frames) {
    const r = adapter.parseFrame(f, ctx);
    if (r.kind !== "data") throw new Error(`fixture frame did not parse: ${JSON.stringify(r)}`);
    const t = r.messages[0] as Trade;
    t.simulated = true;
    trades.push(t);
  }
  return { frames, trades, json: trades.map((t) => JSON.stringify(t)), ctx };
}
