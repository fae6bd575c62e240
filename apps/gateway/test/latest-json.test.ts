import { expect, test } from "bun:test";
import type { TSchema } from "@sinclair/typebox";
import { TypeCompiler } from "@sinclair/typebox/compiler";
import { createMirror } from "exact-mirror";
import { LatestJson } from "../src/latest-json.ts";
import type { LatestEntry, LatestKind } from "../src/latest-state.ts";
import { freshness } from "../src/routes/common.ts";
import { DerivWithFreshness, StatsWithFreshness, TickerWithFreshness } from "../src/routes/latest.ts";

const figures = {
  last: 1,
  open: 2,
  change: 3,
  changePct: 4,
  high: 5,
  low: 6,
  volume: 7,
  quoteVolume: 8,
  vwap: 9,
  trades: 10,
  volatility: 0.5,
};
// Keys out of the schema's order and fields the schema does not have: the answer has neither.
const records: Array<[LatestKind, unknown]> = [
  [
    "ticker",
    {
      ask: 100.51,
      bid: 100.49,
      type: "ticker",
      exchange: "binance",
      market: "BTC-USDT",
      symbol: 'BTC"USDT',
      ts: 1_700_000_000_000.123,
      recvTs: 1_700_000_000_001,
      last: 100.5,
      open: 99.1,
      high: 101.2,
      low: 98.7,
      volume: 1e-7,
      quoteVolume: 1.5e21,
      change: -0,
      changePct: 1.4127,
      internal: "not in the schema",
      simulated: true,
    },
  ],
  [
    "stats",
    {
      type: "stats",
      exchange: "okx",
      market: "ETH-USDT",
      window: "24h",
      ts: 1_700_000_000_000,
      ...figures,
      windows: { "5m": { ...figures, extra: 1 }, "1m": figures },
    },
  ],
  [
    "deriv",
    {
      type: "deriv",
      exchange: "bybit",
      market: "BTC-USDT-PERP",
      symbol: "BTCUSDT",
      ts: 1_700_000_000_000,
      recvTs: 1_700_000_000_002,
      markPrice: 100,
      indexPrice: null,
      fundingRate: 0.0001,
      nextFundingTime: null,
      openInterest: null,
    },
  ],
];

const composite: Partial<Record<LatestKind, TSchema>> = {
  ticker: TickerWithFreshness,
  stats: StatsWithFreshness,
  deriv: DerivWithFreshness,
};

test("a record's JSON plus its freshness is what Elysia's response check made of it", () => {
  const json = new LatestJson();
  for (const [kind, data] of records) {
    const schema = composite[kind]!;
    const check = TypeCompiler.Compile(schema);
    for (const updatedAt of [1_700_000_000_500, null]) {
      const entry: LatestEntry = { kind, exchange: "x", market: "y", data, updatedAt, seq: null };
      const f = freshness(updatedAt, 1_700_000_001_000);
      const expected = { ...(data as object), ...f };
      expect(check.Check(expected)).toBe(true);
      const mirrored = (createMirror(schema, { TypeCompiler }) as (v: unknown) => unknown)(expected);
      const open = json.open(kind, entry);
      expect(`${open}"updatedAt":${f.updatedAt},"ageMs":${f.ageMs}}`).toBe(JSON.stringify(mirrored));
      expect(json.open(kind, entry)).toBe(open); // made once per record
    }
  }
});

test("a record that does not match its schema is null", () => {
  const entry: LatestEntry = {
    kind: "ticker",
    exchange: "x",
    market: "y",
    data: { type: "ticker", last: "1" },
    updatedAt: 1,
    seq: null,
  };
  expect(new LatestJson().open("ticker", entry)).toBeNull();
});
