import { describe, expect, test } from "bun:test";
import type { Candle, Trade } from "@tickerplant/core";
import { EventContinuity } from "../src/event-continuity.ts";

const SUBJECT = "md.trade.binance.BTC-USDT";

function trade(id: string, ts: number, market = "BTC-USDT"): Trade {
  return {
    type: "trade",
    exchange: "binance",
    market,
    symbol: "BTCUSDT",
    ts,
    recvTs: ts,
    id,
    price: 1,
    amount: 1,
    side: "buy",
  };
}

describe("gaps across a restart", () => {
  test("sequential ids: the stream's last trade and the first new one give the missing ids and window", () => {
    const c = new EventContinuity(true);
    c.seed(SUBJECT, trade("100", 1_000));
    expect(c.check(SUBJECT, trade("131", 11_000))).toEqual({
      from: 1_000,
      to: 11_000,
      fromSeq: 101,
      toSeq: 130,
      detail: "ingestor restarted: trade ids 101..130 missing",
      channels: ["trade"],
    });
    expect(c.check(SUBJECT, trade("132", 11_001))).toBeUndefined();
  });

  test("sequential ids that follow on (or overlap) across the restart are no gap", () => {
    const c = new EventContinuity(true);
    c.seed(SUBJECT, trade("100", 1_000));
    expect(c.check(SUBJECT, trade("99", 900))).toBeUndefined();
    expect(c.check(SUBJECT, trade("101", 1_100))).toBeUndefined();
  });

  test("without a numbering, a restart's window is reported from the last published to the first new", () => {
    const c = new EventContinuity(false);
    c.seed(SUBJECT, trade("a9f", 1_000));
    expect(c.check(SUBJECT, trade("77c", 5_000))).toMatchObject({
      from: 1_000,
      to: 5_000,
      channels: ["trade"],
    });
    expect(c.check(SUBJECT, trade("88d", 6_000))).toBeUndefined();
  });

  test("a market with only candles is compared on its candle subject", () => {
    const c = new EventContinuity(false);
    const subject = "md.candle.kraken.BTC-USD.1m";
    const candle = (ts: number): Candle => ({
      type: "candle",
      exchange: "kraken",
      market: "BTC-USD",
      symbol: "XBT/USD",
      ts,
      recvTs: ts,
      interval: "1m",
      openTime: ts - (ts % 60_000),
      closeTime: ts - (ts % 60_000) + 59_999,
      open: 1,
      high: 1,
      low: 1,
      close: 1,
      volume: 1,
      quoteVolume: null,
      trades: null,
      closed: false,
    });
    c.seed(subject, candle(60_500));
    expect(c.check(subject, candle(190_000))).toMatchObject({
      from: 60_500,
      to: 190_000,
      channels: ["candle"],
    });
    expect(c.check(subject, candle(191_000))).toBeUndefined();
  });

  test("no history in the stream: nothing to compare", () => {
    const c = new EventContinuity(true);
    expect(c.check(SUBJECT, trade("500", 1))).toBeUndefined();
  });
});

describe("trade id continuity while running", () => {
  test("a skipped id is a gap; duplicates and older ids are not", () => {
    const c = new EventContinuity(true);
    expect(c.check(SUBJECT, trade("1", 10))).toBeUndefined();
    expect(c.check(SUBJECT, trade("2", 20))).toBeUndefined();
    expect(c.check(SUBJECT, trade("2", 20))).toBeUndefined();
    expect(c.check(SUBJECT, trade("5", 50))).toEqual({
      from: 20,
      to: 50,
      fromSeq: 3,
      toSeq: 4,
      detail: "trade ids 3..4 missing",
      channels: ["trade"],
    });
    expect(c.check(SUBJECT, trade("4", 40))).toBeUndefined();
    expect(c.check(SUBJECT, trade("6", 60))).toBeUndefined();
  });

  test("markets are checked apart; after a reconnect the first jump is the reconnect's gap", () => {
    const c = new EventContinuity(true);
    c.check(SUBJECT, trade("1", 10));
    c.check("md.trade.binance.ETH-USDT", trade("900", 10, "ETH-USDT"));
    expect(c.check(SUBJECT, trade("2", 11))).toBeUndefined();
    c.reconnected(["BTC-USDT"], 90);
    expect(c.check(SUBJECT, trade("40", 99))).toBeUndefined();
    expect(c.check("md.trade.binance.ETH-USDT", trade("902", 99, "ETH-USDT"))).toMatchObject({
      fromSeq: 901,
      toSeq: 901,
    });
  });

  test("a reconnect answered by silence: the first trade long after it starts a gap at the reconnect", () => {
    const c = new EventContinuity(true);
    c.check(SUBJECT, trade("1", 1_000));
    c.reconnected(["BTC-USDT"], 2_000);
    // 6 s without data after the reconnect: those trades are in no reconnect gap.
    expect(c.check(SUBJECT, trade("6000", 8_000))).toEqual({
      from: 2_000,
      to: 8_000,
      detail: "no data for 6 s after the reconnect: trade ids 2..5999 missing since 1000",
      channels: ["trade"],
    });
    expect(c.check(SUBJECT, trade("6002", 8_001))).toMatchObject({ fromSeq: 6001, toSeq: 6001 });
    expect(c.lastTradeTs("BTC-USDT")).toBe(8_001);
  });

  test("ids without a numbering are never compared while running", () => {
    const c = new EventContinuity(false);
    c.check(SUBJECT, trade("7", 1));
    expect(c.check(SUBJECT, trade("9", 2))).toBeUndefined();
  });
});
