import { describe, expect, test } from "bun:test";
import type { FrameResult, ParseContext } from "../src/adapter.ts";
import { coinbase, INVALID_REASONS, isoMs } from "../src/exchanges/coinbase/index.ts";
import type { Bbo, Book, Candle, MarketMessage, Ticker, Trade } from "../src/schemas/messages.ts";
import { readLines } from "./fixtures.ts";
import { expectInvalidResult, parseContext } from "./parse-harness.ts";

/**
 * Advanced Trade frames built in the documented shapes (websocket-channels): channels the
 * recordings do not cover (ticker, ticker_batch, candles, heartbeats, status), the per-connection
 * sequence, and every way a frame can be malformed.
 */

const RECV = Date.UTC(2026, 3, 7, 14, 30, 5);
const SUBSCRIBED: Record<string, string> = {
  "BTC-USD": "BTC-USD",
  "ETH-USD": "ETH-USD",
  "SOL-USDC": "SOL-USDC",
};

function newCtx(): ParseContext {
  return parseContext(SUBSCRIBED, RECV);
}

type FrameFn = (channel: string, events: unknown[], extra?: Record<string, unknown>) => string;

/** A test connection: its parser state and its frames, numbered 0, 1, 2, ... like Coinbase's. */
function conn(): { ctx: ParseContext; frame: FrameFn } {
  let seq = 0;
  return {
    ctx: newCtx(),
    frame: (channel, events, extra = {}) =>
      JSON.stringify({
        channel,
        client_id: "",
        timestamp: "2026-04-07T14:30:03.123456789Z",
        sequence_num: seq++,
        events,
        ...extra,
      }),
  };
}

/** Parses the frame `build` makes as the first frame of a fresh connection. */
function first(build: (frame: FrameFn) => string): FrameResult {
  const k = conn();
  return coinbase.parseFrame(build(k.frame), k.ctx);
}

function messages(r: FrameResult): MarketMessage[] {
  expect(r.kind).toBe("data");
  return r.kind === "data" ? r.messages : [];
}

function expectInvalid(r: FrameResult, reason: string, detail?: RegExp): void {
  expectInvalidResult(r, reason, INVALID_REASONS, detail);
}

const ENV_TS = Date.UTC(2026, 3, 7, 14, 30, 3) + 123.456;

const TICKER = {
  type: "ticker",
  product_id: "BTC-USD",
  price: "68900.50",
  volume_24_h: "15328.12345678",
  low_24_h: "67500.00",
  high_24_h: "69200.00",
  low_52_w: "25000.00",
  high_52_w: "73800.00",
  price_percent_chg_24_h: "1.85",
  best_bid: "68900.00",
  best_bid_quantity: "1.50000000",
  best_ask: "68901.00",
  best_ask_quantity: "0.50000000",
};

describe("timestamps", () => {
  test("RFC 3339 with ns/µs/ms or no fraction → epoch ms with µs; anything else NaN", () => {
    expect(isoMs("2026-09-30T02:39:53.670986313Z")).toBe(Date.UTC(2026, 8, 30, 2, 39, 53) + 670.986);
    expect(isoMs("2026-09-30T02:39:53.407329Z")).toBe(Date.UTC(2026, 8, 30, 2, 39, 53) + 407.329);
    expect(isoMs("2019-08-01T00:00:03.818Z")).toBe(Date.UTC(2019, 7, 1, 0, 0, 3, 818));
    expect(isoMs("2019-08-01T00:00:03Z")).toBe(Date.UTC(2019, 7, 1, 0, 0, 3));
    for (const bad of [
      "0001-01-01T00:00:00.000000Z",
      "2019-08-01T00:00:03.Z",
      "2019-08-01 00:00:03Z",
      "2019-13-01T00:00:03Z",
      "2019-08-01T00:00:03+00:00",
      "2019-08-01T00:00:03.5",
      "",
      1564617603818,
      null,
    ]) {
      expect(isoMs(bad)).toBeNaN();
    }
  });
});

describe("per-connection sequence_num", () => {
  const hb = (seq: number) =>
    JSON.stringify({
      channel: "heartbeats",
      client_id: "",
      timestamp: "2026-04-07T14:30:10.000000Z",
      sequence_num: seq,
      events: [{ current_time: "2026-04-07 14:30:10.000000000 +0000 UTC m=+1.0", heartbeat_counter: 42 }],
    });

  test("contiguous from 0: no gap; a jump reports the missing range on the next result", () => {
    const c = newCtx();
    expect(coinbase.parseFrame(hb(0), c)).toEqual({ kind: "control", event: "heartbeat" });
    expect(coinbase.parseFrame(hb(1), c).gap).toBeUndefined();
    expect(coinbase.parseFrame(hb(4), c)).toEqual({
      kind: "control",
      event: "heartbeat",
      gap: { fromSeq: 2, toSeq: 3 },
    });
    expect(coinbase.parseFrame(hb(5), c).gap).toBeUndefined();
  });

  test("a connection whose first frame is not 0 lost its first frames", () => {
    const c = newCtx();
    expect(coinbase.parseFrame(hb(3), c).gap).toEqual({ fromSeq: 0, toSeq: 2 });
  });

  test("repeats and reorderings are not gaps; 0 again is a new connection in the same state", () => {
    const c = newCtx();
    coinbase.parseFrame(hb(0), c);
    coinbase.parseFrame(hb(1), c);
    coinbase.parseFrame(hb(2), c);
    expect(coinbase.parseFrame(hb(1), c).gap).toBeUndefined();
    expect(coinbase.parseFrame(hb(3), c).gap).toBeUndefined();
    expect(coinbase.parseFrame(hb(0), c).gap).toBeUndefined();
    expect(coinbase.parseFrame(hb(1), c).gap).toBeUndefined();
  });

  test("the gap rides on any result kind, data included; book chains are cut by it", () => {
    const c = newCtx();
    const l2 = (seq: number, type: string, t: string) =>
      JSON.stringify({
        channel: "l2_data",
        client_id: "",
        timestamp: "2026-04-07T14:30:10.5Z",
        sequence_num: seq,
        events: [
          {
            type,
            product_id: "BTC-USD",
            updates: [{ side: "bid", event_time: t, price_level: "1", new_quantity: "2" }],
          },
        ],
      });
    const s = messages(coinbase.parseFrame(l2(0, "snapshot", "2026-04-07T14:30:10.000001Z"), c))[0] as Book;
    const d1 = messages(coinbase.parseFrame(l2(1, "update", "2026-04-07T14:30:10.000002Z"), c))[0] as Book;
    expect([s.seq, d1.seq, d1.prevSeq]).toEqual([s.seq, s.seq + 1, s.seq]);
    const r = coinbase.parseFrame(l2(3, "update", "2026-04-07T14:30:10.000003Z"), c);
    expect(r.gap).toEqual({ fromSeq: 2, toSeq: 2 });
    const d2 = messages(r)[0] as Book;
    expect([d2.kind, d2.prevSeq, d2.seq]).toEqual(["delta", null, d1.seq + 1]);
    // the next delta chains again from there
    const d3 = messages(coinbase.parseFrame(l2(4, "update", "2026-04-07T14:30:10.000004Z"), c))[0] as Book;
    expect(d3.prevSeq).toBe(d2.seq);
  });

  test("equal event times still give increasing seqs; a delta with no snapshot has prevSeq null", () => {
    const c = newCtx();
    const upd = (seq: number) =>
      JSON.stringify({
        channel: "l2_data",
        timestamp: "2026-04-07T14:30:10.5Z",
        sequence_num: seq,
        events: [
          {
            type: "update",
            product_id: "ETH-USD",
            updates: [
              { side: "offer", event_time: "2026-04-07T14:30:10.25Z", price_level: "3", new_quantity: "0" },
            ],
          },
        ],
      });
    const a = messages(coinbase.parseFrame(upd(0), c))[0] as Book;
    const b = messages(coinbase.parseFrame(upd(1), c))[0] as Book;
    expect(a.prevSeq).toBeNull();
    expect(a.seq).toBe(Math.round((Date.UTC(2026, 3, 7, 14, 30, 10) + 250) * 1000));
    expect([b.seq, b.prevSeq]).toEqual([a.seq + 1, a.seq]);
    expect(b.asks).toEqual([[3, 0]]);
  });
});

describe("ticker and ticker_batch", () => {
  test("ticker: 24 h fields, open derived from the percent change, plus a bbo with sizes", () => {
    const k = conn();
    const msgs = messages(
      coinbase.parseFrame(k.frame("ticker", [{ type: "snapshot", tickers: [TICKER] }]), k.ctx),
    );
    expect(msgs).toHaveLength(2);
    const t = msgs[0] as Ticker;
    expect(t).toEqual({
      type: "ticker",
      exchange: "coinbase",
      market: "BTC-USD",
      symbol: "BTC-USD",
      ts: ENV_TS,
      recvTs: RECV,
      last: 68900.5,
      open: 67648.9936181,
      high: 69200,
      low: 67500,
      volume: 15328.12345678,
      quoteVolume: null,
      change: 1251.5063819,
      changePct: 1.85,
      bid: 68900,
      ask: 68901,
    });
    expect(t.open * 1.0185).toBeCloseTo(68900.5, 4);
    expect(msgs[1] as Bbo).toEqual({
      type: "bbo",
      exchange: "coinbase",
      market: "BTC-USD",
      symbol: "BTC-USD",
      ts: ENV_TS,
      recvTs: RECV,
      bidPrice: 68900,
      bidAmount: 1.5,
      askPrice: 68901,
      askAmount: 0.5,
    });
  });

  test("ticker_batch has no best bid/ask: a ticker with null bid/ask and no bbo", () => {
    const { best_bid: _a, best_ask: _b, best_bid_quantity: _c, best_ask_quantity: _d, ...batch } = TICKER;
    const msgs = messages(
      first((frame) =>
        frame("ticker_batch", [{ type: "update", tickers: [{ ...batch, product_id: "ETH-USD" }] }]),
      ),
    );
    expect(msgs).toHaveLength(1);
    expect(msgs[0]).toMatchObject({ type: "ticker", market: "ETH-USD", bid: null, ask: null, last: 68900.5 });
  });

  test("several products in one event; an unsubscribed product is skipped, all unknown is invalid", () => {
    const msgs = messages(
      first((frame) =>
        frame("ticker", [
          {
            type: "update",
            tickers: [TICKER, { ...TICKER, product_id: "XRP-USD" }, { ...TICKER, product_id: "ETH-USD" }],
          },
        ]),
      ),
    );
    expect(msgs.map((m) => `${m.type}:${m.market}`)).toEqual([
      "ticker:BTC-USD",
      "bbo:BTC-USD",
      "ticker:ETH-USD",
      "bbo:ETH-USD",
    ]);
    expectInvalid(
      first((frame) =>
        frame("ticker", [{ type: "update", tickers: [{ ...TICKER, product_id: "XRP-USD" }] }]),
      ),
      "unknown_symbol",
      /XRP-USD/,
    );
  });

  test("-USDC products are served with the -USD data: a SOL-USD frame belongs to subscribed SOL-USDC", () => {
    const msgs = messages(
      first((frame) =>
        frame("ticker", [{ type: "update", tickers: [{ ...TICKER, product_id: "SOL-USD" }] }]),
      ),
    );
    expect(msgs.map((m) => [m.market, m.symbol])).toEqual([
      ["SOL-USDC", "SOL-USD"],
      ["SOL-USDC", "SOL-USD"],
    ]);
  });
});

describe("candles (5 minutes; closed when a later start appears)", () => {
  const candle = (start: number, close: string, product = "BTC-USD") => ({
    start: String(start),
    high: "68950.00",
    low: "68800.00",
    open: "68850.00",
    close,
    volume: "12.5",
    product_id: product,
  });
  const T0 = Date.UTC(2026, 3, 7, 14, 25) / 1000;

  test("updates of the open candle, then the previous one again as closed with ts = its close time", () => {
    const k = conn();
    const a = messages(
      coinbase.parseFrame(
        k.frame("candles", [{ type: "snapshot", candles: [candle(T0, "68900.00")] }]),
        k.ctx,
      ),
    );
    expect(a).toEqual([
      {
        type: "candle",
        exchange: "coinbase",
        market: "BTC-USD",
        symbol: "BTC-USD",
        ts: ENV_TS,
        recvTs: RECV,
        interval: "5m",
        openTime: T0 * 1000,
        closeTime: T0 * 1000 + 299_999,
        open: 68850,
        high: 68950,
        low: 68800,
        close: 68900,
        volume: 12.5,
        quoteVolume: null,
        trades: null,
        closed: false,
      },
    ]);
    const b = messages(
      coinbase.parseFrame(k.frame("candles", [{ type: "update", candles: [candle(T0, "68910.00")] }]), k.ctx),
    );
    expect(b.map((m) => [(m as Candle).closed, (m as Candle).close])).toEqual([[false, 68910]]);
    const next = messages(
      coinbase.parseFrame(
        k.frame("candles", [{ type: "update", candles: [candle(T0 + 300, "68920.00")] }]),
        k.ctx,
      ),
    ) as Candle[];
    expect(next.map((m) => [m.openTime, m.closed, m.close, m.ts])).toEqual([
      [T0 * 1000, true, 68910, T0 * 1000 + 299_999],
      [(T0 + 300) * 1000, false, 68920, ENV_TS],
    ]);
    // a late word on the finished bucket is re-sent closed; the open one stays current
    const late = messages(
      coinbase.parseFrame(k.frame("candles", [{ type: "update", candles: [candle(T0, "68915.00")] }]), k.ctx),
    ) as Candle[];
    expect(late.map((m) => [m.openTime, m.closed, m.close])).toEqual([[T0 * 1000, true, 68915]]);
    const again = messages(
      coinbase.parseFrame(
        k.frame("candles", [{ type: "update", candles: [candle(T0 + 600, "1.00")] }]),
        k.ctx,
      ),
    ) as Candle[];
    expect(again.map((m) => [m.openTime, m.closed, m.close])).toEqual([
      [(T0 + 300) * 1000, true, 68920],
      [(T0 + 600) * 1000, false, 1],
    ]);
  });

  test("per product, and a snapshot with several candles in any order", () => {
    const k = conn();
    const out = messages(
      coinbase.parseFrame(
        k.frame("candles", [
          {
            type: "snapshot",
            candles: [candle(T0 + 300, "2.00"), candle(T0, "1.00"), candle(T0, "3.00", "ETH-USD")],
          },
        ]),
        k.ctx,
      ),
    ) as Candle[];
    expect(out.map((m) => [m.market, m.openTime, m.closed, m.close])).toEqual([
      ["BTC-USD", T0 * 1000, false, 1],
      ["ETH-USD", T0 * 1000, false, 3],
      ["BTC-USD", T0 * 1000, true, 1],
      ["BTC-USD", (T0 + 300) * 1000, false, 2],
    ]);
  });
});

describe("control frames and channels we do not normalize", () => {
  test("heartbeats → control; subscriptions → ack; status/user → ignored; error → error", () => {
    const k = conn();
    expect(
      coinbase.parseFrame(k.frame("heartbeats", [{ current_time: "x", heartbeat_counter: 1 }]), k.ctx),
    ).toEqual({
      kind: "control",
      event: "heartbeat",
    });
    expect(
      coinbase.parseFrame(k.frame("subscriptions", [{ subscriptions: { level2: ["BTC-USD"] } }]), k.ctx),
    ).toEqual({
      kind: "ack",
      id: null,
    });
    expect(coinbase.parseFrame(k.frame("status", [{ type: "snapshot", products: [] }]), k.ctx)).toEqual({
      kind: "ignored",
      reason: "unsupported:status",
    });
    expect(coinbase.parseFrame(k.frame("user", []), k.ctx)).toEqual({
      kind: "ignored",
      reason: "unsupported:user",
    });
    const c = k.ctx;
    expect(coinbase.parseFrame('{"type":"error","message":"failure to subscribe"}', c)).toEqual({
      kind: "error",
      id: null,
      message: "failure to subscribe",
    });
    expect(
      coinbase.parseFrame(
        '{"type":"error","message":"Failed to subscribe","reason":"No channels provided"}',
        c,
      ),
    ).toEqual({ kind: "error", id: null, message: "Failed to subscribe: No channels provided" });
    expect(coinbase.parseFrame(k.frame("market_trades", [{ type: "update", trades: [] }]), k.ctx)).toEqual({
      kind: "ignored",
      reason: "empty",
    });
  });

  test("legacy heartbeat, subscriptions and full-channel messages", () => {
    const c = newCtx();
    expect(
      coinbase.parseFrame(
        '{"type":"heartbeat","sequence":90,"last_trade_id":20,"product_id":"BTC-USD","time":"2014-11-07T08:19:28.464459Z"}',
        c,
      ),
    ).toEqual({ kind: "control", event: "heartbeat" });
    expect(
      coinbase.parseFrame(
        '{"type":"subscriptions","channels":[{"name":"level2","product_ids":["ETH-USD"]}]}',
        c,
      ),
    ).toEqual({ kind: "ack", id: null });
    expect(coinbase.parseFrame('{"type":"received","product_id":"BTC-USD"}', c)).toEqual({
      kind: "ignored",
      reason: "unsupported:received",
    });
  });

  test("bytes are decoded as UTF-8", () => {
    const k = conn();
    const r = coinbase.parseFrame(
      new TextEncoder().encode(k.frame("market_trades", [{ type: "update", trades: [] }])),
      k.ctx,
    );
    expect(r).toEqual({ kind: "ignored", reason: "empty" });
  });
});

describe("malformed frames → invalid, never throw", () => {
  const k = conn();
  const c = k.ctx;
  const frame = k.frame;
  const parse = (f: string) => coinbase.parseFrame(f, c);

  test("not JSON, not an object, neither channel nor type", () => {
    expectInvalid(parse(""), "malformed_json");
    expectInvalid(parse("{"), "malformed_json");
    expectInvalid(parse('{"channel":"l2_data","events":['), "malformed_json", /l2_data/);
    expectInvalid(parse("[1,2]"), "invalid_shape");
    expectInvalid(parse("null"), "invalid_shape");
    expectInvalid(parse("42"), "invalid_shape");
    expectInvalid(parse('{"foo":1}'), "unknown_event", /foo/);
    expectInvalid(
      parse('{"channel":"futures_xyz","sequence_num":1,"events":[]}'),
      "unknown_event",
      /futures_xyz/,
    );
    expectInvalid(parse('{"type":"somethingNew"}'), "unknown_event", /somethingNew/);
  });

  test("envelope: sequence_num and events", () => {
    expectInvalid(parse('{"channel":"l2_data","events":[]}'), "invalid_field", /sequence_num/);
    expectInvalid(
      parse('{"channel":"l2_data","sequence_num":-1,"events":[]}'),
      "invalid_field",
      /sequence_num/,
    );
    expectInvalid(
      parse('{"channel":"l2_data","sequence_num":"x","events":[]}'),
      "invalid_field",
      /sequence_num/,
    );
    expectInvalid(parse(frame("l2_data", {} as unknown as unknown[])), "invalid_field", /events/);
    expectInvalid(
      parse(frame("ticker", [{ type: "update", tickers: [TICKER] }], { timestamp: "soon" })),
      "invalid_field",
      /timestamp/,
    );
  });

  test("level2 fields", () => {
    const ev = (u: Record<string, unknown>, patch: Record<string, unknown> = {}) =>
      frame("l2_data", [
        {
          type: "update",
          product_id: "BTC-USD",
          updates: [
            { side: "bid", event_time: "2026-04-07T14:30:03Z", price_level: "1", new_quantity: "1", ...u },
          ],
          ...patch,
        },
      ]);
    expectInvalid(parse(ev({ side: "ask" })), "invalid_field", /side/);
    expectInvalid(parse(ev({ price_level: "abc" })), "invalid_field", /price_level/);
    expectInvalid(parse(ev({ new_quantity: null })), "invalid_field", /new_quantity/);
    expectInvalid(parse(ev({ event_time: "yesterday" })), "invalid_field", /event_time/);
    expectInvalid(parse(ev({}, { type: "delta" })), "invalid_field", /type/);
    expectInvalid(parse(ev({}, { updates: "none" })), "invalid_field", /updates/);
    expectInvalid(parse(ev({}, { product_id: 7 })), "invalid_field", /product_id/);
    expectInvalid(parse(ev({}, { product_id: "DOGE-USD" })), "unknown_symbol", /DOGE-USD/);
  });

  test("trade fields", () => {
    const t = (patch: Record<string, unknown>) =>
      frame("market_trades", [
        {
          type: "update",
          trades: [
            {
              product_id: "BTC-USD",
              trade_id: "1",
              price: "1",
              size: "1",
              time: "2026-04-07T14:30:03Z",
              side: "BUY",
              ...patch,
            },
          ],
        },
      ]);
    expect(messages(parse(t({}))).map((m) => (m as Trade).side)).toEqual(["sell"]);
    expect(messages(parse(t({ side: "UNKNOWN_ORDER_SIDE" }))).map((m) => (m as Trade).side)).toEqual([
      "unknown",
    ]);
    expectInvalid(parse(t({ side: 1 })), "invalid_field", /side/);
    expectInvalid(parse(t({ trade_id: "" })), "invalid_field", /trade_id/);
    expectInvalid(parse(t({ trade_id: null })), "invalid_field", /trade_id/);
    expectInvalid(parse(t({ price: "1,5" })), "invalid_field", /price/);
    expectInvalid(parse(t({ size: "" })), "invalid_field", /size/);
    expectInvalid(parse(t({ time: "0001-01-01T00:00:00Z" })), "invalid_field", /time/);
    expectInvalid(parse(t({ product_id: "DOGE-USD" })), "unknown_symbol");
  });

  test("ticker and candle fields", () => {
    const tk = (patch: Record<string, unknown>) =>
      frame("ticker", [{ type: "update", tickers: [{ ...TICKER, ...patch }] }]);
    expectInvalid(parse(tk({ price: "" })), "invalid_field", /price/);
    expectInvalid(parse(tk({ price_percent_chg_24_h: "-100" })), "invalid_field", /price_percent_chg_24_h/);
    expectInvalid(parse(tk({ best_bid: "x" })), "invalid_field", /best_bid/);
    expectInvalid(parse(tk({ volume_24_h: undefined })), "invalid_field", /missing "volume_24_h"/);
    const cd = (patch: Record<string, unknown>) =>
      frame("candles", [
        {
          type: "update",
          candles: [
            {
              start: "1",
              high: "1",
              low: "1",
              open: "1",
              close: "1",
              volume: "1",
              product_id: "BTC-USD",
              ...patch,
            },
          ],
        },
      ]);
    expect(messages(parse(cd({})))).toHaveLength(1);
    expectInvalid(parse(cd({ start: "1.5" })), "invalid_field", /start/);
    expectInvalid(parse(cd({ close: "-" })), "invalid_field", /close/);
  });

  test("legacy fields", () => {
    expectInvalid(
      parse('{"type":"match","trade_id":1,"side":"up","size":"1","price":"1","product_id":"BTC-USD"}'),
      "invalid_field",
      /side/,
    );
    expectInvalid(
      parse('{"type":"match","trade_id":"x","side":"buy","size":"1","price":"1","product_id":"BTC-USD"}'),
      "invalid_field",
      /trade_id/,
    );
    expectInvalid(
      parse('{"type":"l2update","product_id":"BTC-USD","changes":[["buy","1"]]}'),
      "invalid_field",
      /changes\[0\]/,
    );
    expectInvalid(
      parse('{"type":"l2update","product_id":"BTC-USD","changes":[["hold","1","1"]]}'),
      "invalid_field",
      /changes\[0\]\[0\]/,
    );
    expectInvalid(
      parse('{"type":"snapshot","product_id":"BTC-USD","bids":{},"asks":[]}'),
      "invalid_field",
      /bids/,
    );
    expectInvalid(parse('{"type":"ticker","product_id":"BTC-USD","price":"1"}'), "invalid_field", /open_24h/);
    expectInvalid(
      parse('{"type":"match","trade_id":1,"side":"buy","size":"1","price":"1","product_id":"DOGE-EUR"}'),
      "unknown_symbol",
    );
  });

  test("truncations of recorded frames are invalid (every cut of the small lines, sampled cuts of the snapshots)", () => {
    let n = 0;
    for (const rel of [
      "coinbase/advanced_trade_BTC-USD_ETH-USD_ws.jsonl",
      "coinbase/tardis_exchange_legacy_messages.jsonl",
    ]) {
      for (const line of readLines(rel)) {
        const step = line.length > 2000 ? 997 : 1;
        for (let cut = 0; cut < line.length; cut += step) {
          const r = coinbase.parseFrame(line.slice(0, cut), newCtx());
          expect(r.kind).toBe("invalid");
          n++;
        }
      }
    }
    expect(n).toBeGreaterThan(3000);
  });
});
