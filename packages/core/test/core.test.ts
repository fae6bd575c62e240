import { describe, expect, test } from "bun:test";
import { Value } from "@sinclair/typebox/value";
import {
  ChannelError,
  channelMatches,
  channelOf,
  channelOfSubject,
  channelSubjectFilter,
  formatChannel,
  isPattern,
  parseChannel,
} from "../src/channels.ts";
import { binance } from "../src/exchanges/binance/index.ts";
import { EXCHANGES } from "../src/exchanges/registry.ts";
import { formatMarket, isMarketName, parseMarket } from "../src/markets.ts";
import { MarketInfoSchema } from "../src/schemas/market-info.ts";
import {
  type Bbo,
  type Book,
  type Candle,
  type MarketMessage,
  MESSAGE_SCHEMAS,
  MESSAGE_TYPES,
  type Status,
  type Ticker,
  type Trade,
} from "../src/schemas/messages.ts";
import {
  ALL_MARKETS_TOKEN,
  analyticsSubject,
  jobSubject,
  marketSubject,
  messageId,
  parseMarketSubject,
  subjectOf,
} from "../src/subjects.ts";
import { readLines } from "./fixtures.ts";

const head = {
  exchange: "binance",
  market: "BTC-USDT",
  symbol: "BTCUSDT",
  ts: 1789295134225,
  recvTs: 1789295134300,
};
const trade: Trade = { type: "trade", ...head, id: "388510", price: 76745.19, amount: 0.00065, side: "buy" };
const bbo: Bbo = { type: "bbo", ...head, bidPrice: 1, bidAmount: 2, askPrice: 3, askAmount: 4, seq: 1801512 };
const ticker: Ticker = {
  type: "ticker",
  ...head,
  last: 1,
  open: 1,
  high: 1,
  low: 1,
  volume: 1,
  quoteVolume: 1,
  change: 0,
  changePct: 0,
  bid: null,
  ask: 2,
};
const candle: Candle = {
  type: "candle",
  ...head,
  interval: "1m",
  openTime: 1789295100000,
  closeTime: 1789295159999,
  open: 1,
  high: 2,
  low: 0.5,
  close: 1.5,
  volume: 10,
  quoteVolume: 15,
  trades: 3,
  closed: false,
};
const book: Book = { type: "book", ...head, kind: "delta", seq: 12, prevSeq: 9, bids: [[1, 0]], asks: [] };
const status: Status = {
  type: "status",
  exchange: "binance",
  market: "*",
  symbol: "*",
  ts: 1,
  recvTs: 1,
  event: "disconnected",
  detail: "close 1006",
};

describe("subjects", () => {
  test("marketSubject", () => {
    expect(marketSubject("trade", "binance", "BTC-USDT")).toBe("md.trade.binance.BTC-USDT");
    expect(marketSubject("candle", "binance", "BTC-USDT", "1m")).toBe("md.candle.binance.BTC-USDT.1m");
    expect(marketSubject("status", "binance", "*")).toBe(`md.status.binance.${ALL_MARKETS_TOKEN}`);
    expect(marketSubject("book", "okx", "BTC-USDT-250926")).toBe("md.book.okx.BTC-USDT-250926");
  });

  test("tokens with dots, spaces, wildcards or nothing are refused", () => {
    expect(() => marketSubject("trade", "binance", "BTC.USDT")).toThrow(/invalid subject token/);
    expect(() => marketSubject("trade", "binance", "")).toThrow();
    expect(() => marketSubject("trade", "bin ance", "BTC-USDT")).toThrow();
    expect(() => marketSubject("trade", "binance", "*")).toThrow();
    expect(() => marketSubject("trade", "binance", ">")).toThrow();
    expect(() => marketSubject("candle", "binance", "BTC-USDT", "1.5m")).toThrow();
  });

  test("subjectOf each message type", () => {
    expect(subjectOf(trade)).toBe("md.trade.binance.BTC-USDT");
    expect(subjectOf(bbo)).toBe("md.bbo.binance.BTC-USDT");
    expect(subjectOf(ticker)).toBe("md.ticker.binance.BTC-USDT");
    expect(subjectOf(candle)).toBe("md.candle.binance.BTC-USDT.1m");
    expect(subjectOf(book)).toBe("md.book.binance.BTC-USDT");
    expect(subjectOf(status)).toBe("md.status.binance._all");
  });

  test("parseMarketSubject reverses marketSubject", () => {
    expect(parseMarketSubject("md.candle.binance.BTC-USDT.1m")).toEqual({
      type: "candle",
      exchange: "binance",
      market: "BTC-USDT",
      interval: "1m",
    });
    expect(parseMarketSubject("md.trade.binance.BTC-USDT")).toEqual({
      type: "trade",
      exchange: "binance",
      market: "BTC-USDT",
    });
    expect(parseMarketSubject("an.stats.binance.BTC-USDT")).toBeNull();
    expect(parseMarketSubject("md.trade.binance")).toBeNull();
  });

  test("analytics and job subjects", () => {
    expect(analyticsSubject("stats", "binance", "BTC-USDT")).toBe("an.stats.binance.BTC-USDT");
    expect(analyticsSubject("alert", "binance", "ETH-BTC")).toBe("an.alert.binance.ETH-BTC");
    expect(jobSubject("backfill")).toBe("jobs.backfill");
    expect(() => jobSubject("a.b")).toThrow();
  });

  test("messageId is deterministic and ignores receive time", () => {
    expect(messageId(trade)).toBe("trade:binance:BTC-USDT:388510");
    expect(messageId({ ...trade, recvTs: trade.recvTs + 5000 })).toBe(messageId(trade));
    expect(messageId({ ...trade, id: "388511" })).not.toBe(messageId(trade));
    expect(messageId({ ...trade, market: "ETH-USDT" })).not.toBe(messageId(trade));
    expect(messageId(bbo)).toBe("bbo:binance:BTC-USDT:1801512");
    const { seq: _seq, ...bboWithoutSeq } = bbo;
    expect(messageId(bboWithoutSeq)).toBe(`bbo:binance:BTC-USDT:${bbo.ts}`);
    expect(messageId(book)).toBe("book:binance:BTC-USDT:delta:12");
    const snapshot = { ...book, kind: "snapshot" as const, prevSeq: null };
    // Snapshots of an unchanged book are republished: the second of `ts` tells them apart.
    expect(messageId(snapshot)).toBe(`book:binance:BTC-USDT:snapshot:12:${Math.floor(book.ts / 1000)}`);
    expect(messageId(candle)).toBe(`candle:binance:BTC-USDT:1m:1789295100000:${candle.ts}:0`);
    expect(messageId({ ...candle, closed: true })).not.toBe(messageId(candle));
    expect(messageId(ticker)).toBe(`ticker:binance:BTC-USDT:${ticker.ts}`);
    expect(messageId(status)).toBe("status:binance:*:disconnected:1");
  });

  test("every message parsed from a recording has a valid subject and a stable id", () => {
    const ctx = {
      recvTs: 1,
      marketOf: (s: string) => (s === "BTCUSDT" ? "BTC-USDT" : undefined),
      state: new Map<string, unknown>(),
    };
    const ctx2 = { ...ctx, recvTs: 2 };
    const lines = readLines("binance/spot_testnet_BTCUSDT_trade_bookTicker_depth_2026_ws.jsonl");
    const ids = new Set<string>();
    for (const line of lines) {
      const a = binance.parseFrame(line, ctx);
      const b = binance.parseFrame(line, ctx2);
      if (a.kind !== "data" || b.kind !== "data") throw new Error(`not data: ${line}`);
      const m = a.messages[0]!;
      const parsed = parseMarketSubject(subjectOf(m));
      expect(parsed).toMatchObject({ type: m.type, exchange: "binance", market: "BTC-USDT" });
      // bookTicker's ts is the receive time, but its id comes from u: redundant ingestors agree
      expect(messageId(b.messages[0]!)).toBe(messageId(m));
      ids.add(messageId(m));
    }
    expect(ids.size).toBe(lines.length);
  });
});

describe("channels", () => {
  test("parseChannel: concrete channels and patterns", () => {
    expect(parseChannel("trade:binance:BTC-USDT")).toEqual({
      type: "trade",
      exchange: "binance",
      market: "BTC-USDT",
    });
    expect(parseChannel("ticker:*:BTC-USDT")).toEqual({ type: "ticker", exchange: "*", market: "BTC-USDT" });
    expect(parseChannel("trade:binance:*")).toEqual({ type: "trade", exchange: "binance", market: "*" });
    expect(parseChannel("candle:binance:BTC-USDT:1m")).toEqual({
      type: "candle",
      exchange: "binance",
      market: "BTC-USDT",
      interval: "1m",
    });
    expect(parseChannel("candle:*:*:*")).toEqual({
      type: "candle",
      exchange: "*",
      market: "*",
      interval: "*",
    });
    expect(parseChannel("book:okx:BTC-USDT-PERP").market).toBe("BTC-USDT-PERP");
    expect(parseChannel("stats:binance:ETH-BTC").type).toBe("stats");
    expect(parseChannel("alert:*:*").type).toBe("alert");
    for (const interval of ["1s", "3m", "12h", "3d", "1w", "1M"]) {
      expect(parseChannel(`candle:binance:BTC-USDT:${interval}`).interval).toBe(
        interval as Candle["interval"],
      );
    }
  });

  test("parseChannel: invalid names carry a code", () => {
    const code = (name: string) => {
      try {
        parseChannel(name);
      } catch (err) {
        expect(err).toBeInstanceOf(ChannelError);
        return (err as ChannelError).code;
      }
      return "ok";
    };
    expect(code("")).toBe("invalid_channel");
    expect(code("x".repeat(101))).toBe("invalid_channel");
    expect(code("quote:binance:BTC-USDT")).toBe("unknown_channel_type");
    expect(code("Trade:binance:BTC-USDT")).toBe("unknown_channel_type");
    expect(code("trade:binance")).toBe("invalid_channel");
    expect(code("trade:binance:BTC-USDT:1m")).toBe("invalid_channel");
    expect(code("candle:binance:BTC-USDT")).toBe("invalid_channel");
    expect(code("candle:binance:BTC-USDT:2m")).toBe("invalid_interval");
    expect(code("candle:binance:BTC-USDT:1mo")).toBe("invalid_interval");
    expect(code("trade:Binance:BTC-USDT")).toBe("invalid_channel");
    expect(code("trade:binance:btc-usdt")).toBe("invalid_channel");
    expect(code("trade:binance:BTCUSDT")).toBe("invalid_channel");
    expect(code("trade:binance:BTC-*")).toBe("invalid_channel");
    expect(code("trade:binance:BTC-USDT")).toBe("ok");
  });

  test("formatChannel and isPattern", () => {
    for (const name of [
      "trade:binance:BTC-USDT",
      "ticker:*:BTC-USDT",
      "candle:binance:BTC-USDT:1h",
      "candle:*:ETH-BTC:*",
    ]) {
      expect(formatChannel(parseChannel(name))).toBe(name);
    }
    expect(isPattern(parseChannel("trade:binance:BTC-USDT"))).toBe(false);
    expect(isPattern(parseChannel("trade:*:BTC-USDT"))).toBe(true);
    expect(isPattern(parseChannel("trade:binance:*"))).toBe(true);
    expect(isPattern(parseChannel("candle:binance:BTC-USDT:*"))).toBe(true);
  });

  test("channelOf and channelMatches", () => {
    expect(channelOf("trade", "binance", "BTC-USDT")).toBe("trade:binance:BTC-USDT");
    expect(channelOf("candle", "binance", "BTC-USDT", "5m")).toBe("candle:binance:BTC-USDT:5m");
    expect(channelOf("status", "binance", ALL_MARKETS_TOKEN)).toBe("status:binance:*");

    const concrete = "trade:binance:BTC-USDT";
    expect(channelMatches(parseChannel("trade:binance:BTC-USDT"), concrete)).toBe(true);
    expect(channelMatches(parseChannel("trade:*:BTC-USDT"), concrete)).toBe(true);
    expect(channelMatches(parseChannel("trade:binance:*"), concrete)).toBe(true);
    expect(channelMatches(parseChannel("trade:*:*"), concrete)).toBe(true);
    expect(channelMatches(parseChannel("bbo:binance:BTC-USDT"), concrete)).toBe(false);
    expect(channelMatches(parseChannel("trade:okx:BTC-USDT"), concrete)).toBe(false);
    expect(channelMatches(parseChannel("trade:binance:ETH-USDT"), concrete)).toBe(false);
    expect(channelMatches(parseChannel("candle:binance:BTC-USDT:*"), "candle:binance:BTC-USDT:1m")).toBe(
      true,
    );
    expect(channelMatches(parseChannel("candle:binance:BTC-USDT:1m"), "candle:binance:BTC-USDT:1m")).toBe(
      true,
    );
    expect(channelMatches(parseChannel("candle:binance:BTC-USDT:5m"), "candle:binance:BTC-USDT:1m")).toBe(
      false,
    );
  });

  test("channelSubjectFilter", () => {
    expect(channelSubjectFilter(parseChannel("trade:binance:BTC-USDT"))).toBe("md.trade.binance.BTC-USDT");
    expect(channelSubjectFilter(parseChannel("ticker:*:BTC-USDT"))).toBe("md.ticker.*.BTC-USDT");
    expect(channelSubjectFilter(parseChannel("trade:binance:*"))).toBe("md.trade.binance.*");
    expect(channelSubjectFilter(parseChannel("candle:binance:BTC-USDT:1m"))).toBe(
      "md.candle.binance.BTC-USDT.1m",
    );
    expect(channelSubjectFilter(parseChannel("candle:*:*:*"))).toBe("md.candle.*.*.*");
    expect(channelSubjectFilter(parseChannel("status:binance:*"))).toBe("md.status.binance.*");
    expect(channelSubjectFilter(parseChannel("stats:binance:BTC-USDT"))).toBe("an.stats.binance.BTC-USDT");
    expect(channelSubjectFilter(parseChannel("alert:*:*"))).toBe("an.alert.*.*");
    // a concrete channel's filter is the subject its messages are published on
    expect(channelSubjectFilter(parseChannel(channelOf("candle", "binance", "BTC-USDT", "1m")))).toBe(
      subjectOf(candle),
    );
  });

  test("channelOfSubject is the inverse of channelSubjectFilter for concrete channels", () => {
    for (const name of [
      "trade:binance:BTC-USDT",
      "candle:binance:BTC-USDT:1m",
      "status:okx:ETH-USDT",
      "stats:binance:BTC-USDT",
      "alert:bybit:BTC-USDT-PERP",
      "composite:BTC",
      "spread:ETH",
      "portfolio:p-1",
    ]) {
      const spec = parseChannel(name);
      const back = channelOfSubject(channelSubjectFilter(spec));
      expect(back?.channel).toBe(name);
      expect(back?.type).toBe(spec.type);
    }
    expect(channelOfSubject("md.trade.binance.BTC-USDT")?.marketData).toBe(true);
    expect(channelOfSubject("an.stats.binance.BTC-USDT")?.marketData).toBe(false);
    // a connection-wide status goes to the exchange's `*` market
    expect(channelOfSubject(marketSubject("status", "binance", "*"))?.channel).toBe("status:binance:*");
  });

  test("channelOfSubject rejects what is no channel", () => {
    for (const subject of [
      "md.trade.binance",
      "md.nosuch.binance.BTC-USDT",
      "an.stats.binance",
      "an.composite.BTC.extra",
      "jobs.gap-heal",
      "md.trade..BTC-USDT",
      "",
    ])
      expect(channelOfSubject(subject)).toBeUndefined();
  });
});

describe("markets", () => {
  test("parseMarket", () => {
    expect(parseMarket("BTC-USDT")).toEqual({ base: "BTC", quote: "USDT", kind: "spot" });
    expect(parseMarket("BTC-USDT-PERP")).toEqual({ base: "BTC", quote: "USDT", kind: "perp" });
    expect(parseMarket("BTC-USD-250926")).toEqual({
      base: "BTC",
      quote: "USD",
      kind: "future",
      expiry: "250926",
    });
    expect(parseMarket("1000SATS-FDUSD").base).toBe("1000SATS");
    for (const bad of [
      "BTCUSDT",
      "btc-usdt",
      "BTC-USDT-PERPX",
      "BTC-USDT-2509",
      "BTC--USDT",
      "BTC/USDT",
      "",
    ]) {
      expect(() => parseMarket(bad)).toThrow(/invalid market name/);
      expect(isMarketName(bad)).toBe(false);
    }
  });

  test("formatMarket round-trips and uppercases", () => {
    for (const name of ["BTC-USDT", "ETH-BTC-PERP", "BTC-USD-251226"])
      expect(formatMarket(parseMarket(name))).toBe(name);
    expect(formatMarket({ base: "eth", quote: "usdc", kind: "spot" })).toBe("ETH-USDC");
    expect(formatMarket({ base: "BTC", quote: "USDT", kind: "perp" })).toBe("BTC-USDT-PERP");
    expect(isMarketName("BTC-USDT")).toBe(true);
    expect(isMarketName(`${"9".repeat(38)}-USDT-PERP`)).toBe(true); // 48 characters
    expect(isMarketName(`${"9".repeat(39)}-USDT-PERP`)).toBe(false); // longer than any schema accepts
  });

  test("an exchange symbol no market name can be maps to no market (OKX: a 400-digit instId)", () => {
    const okx = EXCHANGES.okx!.adapters;
    for (const a of okx) {
      expect(a.marketOfSymbol("9".repeat(400))).toBeUndefined();
      expect(a.marketOfSymbol(`${"9".repeat(400)}-SWAP`)).toBeUndefined();
    }
  });
});

describe("schemas", () => {
  const valid: MarketMessage[] = [trade, bbo, ticker, candle, book];

  test("MESSAGE_SCHEMAS cover every type and accept well-formed messages", () => {
    expect([...MESSAGE_TYPES].sort()).toEqual(
      [
        "bbo",
        "book",
        "candle",
        "deriv",
        "liquidation",
        "status",
        "ticker",
        "trade",
      ].sort() as typeof MESSAGE_TYPES,
    );
    for (const m of valid) expect(Value.Check(MESSAGE_SCHEMAS[m.type], m)).toBe(true);
    expect(Value.Check(MESSAGE_SCHEMAS.status, status)).toBe(true);
    expect(Value.Check(MESSAGE_SCHEMAS.trade, { ...trade, simulated: true })).toBe(true);
  });

  test("malformed messages are rejected", () => {
    expect(Value.Check(MESSAGE_SCHEMAS.trade, { ...trade, price: "76745.19" })).toBe(false);
    expect(Value.Check(MESSAGE_SCHEMAS.trade, { ...trade, side: "long" })).toBe(false);
    expect(Value.Check(MESSAGE_SCHEMAS.trade, { ...trade, market: "BTCUSDT" })).toBe(false);
    expect(Value.Check(MESSAGE_SCHEMAS.trade, { ...trade, exchange: "Binance" })).toBe(false);
    const { id: _id, ...noId } = trade;
    expect(Value.Check(MESSAGE_SCHEMAS.trade, noId)).toBe(false);
    expect(Value.Check(MESSAGE_SCHEMAS.book, { ...book, bids: [[1, 2, 3]] })).toBe(false);
    expect(Value.Check(MESSAGE_SCHEMAS.book, { ...book, kind: "diff" })).toBe(false);
    expect(Value.Check(MESSAGE_SCHEMAS.candle, { ...candle, interval: "2m" })).toBe(false);
    expect(Value.Check(MESSAGE_SCHEMAS.ticker, { ...ticker, bid: undefined })).toBe(false);
    expect(Value.Check(MESSAGE_SCHEMAS.status, { ...status, market: "all" })).toBe(false);
    expect(Value.Check(MESSAGE_SCHEMAS.bbo, { ...trade, type: "bbo" })).toBe(false);
  });

  test("MarketInfo schema", () => {
    const info = {
      exchange: "binance",
      market: "BTC-USDT",
      symbol: "BTCUSDT",
      base: "BTC",
      quote: "USDT",
      type: "spot",
      status: "trading",
      tickSize: 0.01,
      lotSize: null,
      minNotional: 5,
    };
    expect(Value.Check(MarketInfoSchema, info)).toBe(true);
    expect(Value.Check(MarketInfoSchema, { ...info, status: "open" })).toBe(false);
  });
});
