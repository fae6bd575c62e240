import { describe, expect, test } from "bun:test";
import type { ParseContext } from "../src/adapter.ts";
import { binanceUsdm, guessUsdmMarket } from "../src/exchanges/binance/index.ts";
import type {
  Bbo,
  Book,
  Candle,
  Deriv,
  Liquidation,
  MarketMessage,
  Ticker,
  Trade,
} from "../src/schemas/messages.ts";
import { readJson, readLines } from "./fixtures.ts";
import {
  allMessages,
  expectAllValid,
  expectTardisTrade,
  onlyMessage,
  type ParsedFile,
  parseContext,
  parseLines,
  RECV_TS,
  readJsonlArrays,
  resultLabel,
} from "./parse-harness.ts";

const DIR = "binance-futures";

type Parsed = ParsedFile;

function parseFile(rel: string, c: ParseContext): Parsed {
  return parseLines(readLines(`${DIR}/${rel}`), binanceUsdm.parseFrame, c);
}

const only = onlyMessage;
const all = allMessages;

/**
 * A local book with the USD-M sync rule (PROVENANCE.md): drop diffs with u < lastUpdateId; the
 * first applied diff has U <= lastUpdateId <= u; afterwards pu == previous u. Records the top of
 * book after each applied diff, keyed by u, for the bookTicker cross-check.
 */
function replayBook(snapshot: Book, msgs: MarketMessage[], firstU: Map<number, number>) {
  const bids = new Map<number, number>(snapshot.bids);
  const asks = new Map<number, number>(snapshot.asks);
  let local = snapshot.seq;
  let dropped = 0;
  let applied = 0;
  let firstAppliedSeq = 0;
  const topAfter = new Map<number, [number, number, number, number]>();
  for (const m of msgs) {
    if (m.type !== "book" || m.kind !== "delta") continue;
    if (applied === 0) {
      if (m.seq < snapshot.seq) {
        dropped++;
        continue;
      }
      expect(firstU.get(m.seq)! <= snapshot.seq && snapshot.seq <= m.seq).toBe(true);
      firstAppliedSeq = m.seq;
    } else {
      expect(m.prevSeq).toBe(local);
    }
    for (const [p, q] of m.bids) q === 0 ? bids.delete(p) : bids.set(p, q);
    for (const [p, q] of m.asks) q === 0 ? asks.delete(p) : asks.set(p, q);
    local = m.seq;
    applied++;
    const bb = Math.max(...bids.keys());
    const ba = Math.min(...asks.keys());
    topAfter.set(m.seq, [bb, bids.get(bb)!, ba, asks.get(ba)!]);
  }
  let crosschecks = 0;
  for (const m of msgs) {
    if (m.type !== "bbo") continue;
    const top = topAfter.get(m.seq!);
    if (!top) continue;
    expect([m.bidPrice, m.bidAmount, m.askPrice, m.askAmount]).toEqual(top);
    crosschecks++;
  }
  return {
    dropped,
    applied,
    firstAppliedSeq,
    final: local,
    top5Bids: [...bids].sort((a, b) => b[0] - a[0]).slice(0, 5),
    top5Asks: [...asks].sort((a, b) => a[0] - b[0]).slice(0, 5),
    levels: [bids.size, asks.size],
    crosschecks,
  };
}

/** U of each depth line by u (the normalized delta keeps u and pu; U is only needed for the sync check). */
function firstIds(lines: string[]): Map<number, number> {
  const out = new Map<number, number>();
  for (const l of lines) {
    const d = JSON.parse(l).data;
    if (d.e === "depthUpdate") out.set(d.u, d.U);
  }
  return out;
}

const lv = (rows: [string, string][]) => rows.map(([p, q]): [number, number] => [Number(p), Number(q)]);

describe("cryptofeed USD-M recordings (combined stream, 2021)", () => {
  const files = [
    {
      symbol: "AKROUSDT",
      market: "AKRO-USDT-PERP",
      lines: 293,
      counts: { "book:delta": 189, bbo: 88, candle: 8, trade: 8 },
      known: {
        dropped: 1,
        firstLine: 2,
        applied: 188,
        final: 600860423964,
        crosschecks: 7,
        bids: [
          ["0.01734", "502"],
          ["0.01733", "44695"],
          ["0.01732", "795679"],
          ["0.01731", "220319"],
          ["0.01730", "539620"],
        ],
        asks: [
          ["0.01735", "50697"],
          ["0.01736", "359660"],
          ["0.01737", "771502"],
          ["0.01738", "653449"],
          ["0.01739", "450336"],
        ],
        levels: [613, 761],
      },
    },
    {
      symbol: "KEEPUSDT",
      market: "KEEP-USDT-PERP",
      lines: 220,
      counts: { "book:delta": 135, bbo: 75, candle: 5, trade: 5 },
      known: {
        dropped: 3,
        firstLine: 4,
        applied: 132,
        final: 600860420312,
        crosschecks: 13,
        bids: [
          ["0.2463", "249"],
          ["0.2462", "339"],
          ["0.2461", "339"],
          ["0.2460", "1358"],
          ["0.2459", "5103"],
        ],
        asks: [
          ["0.2467", "9047"],
          ["0.2468", "406"],
          ["0.2469", "1939"],
          ["0.2470", "1573"],
          ["0.2471", "13509"],
        ],
        levels: [401, 614],
      },
    },
    {
      symbol: "SUSHIUSDT",
      market: "SUSHI-USDT-PERP",
      lines: 622,
      counts: { bbo: 305, "book:delta": 255, candle: 22, trade: 40 },
      known: {
        dropped: 3,
        firstLine: 6,
        applied: 252,
        final: 600860425198,
        crosschecks: 12,
        bids: [
          ["7.6120", "303"],
          ["7.6110", "105"],
          ["7.6100", "178"],
          ["7.6090", "294"],
          ["7.6080", "1421"],
        ],
        asks: [
          ["7.6160", "267"],
          ["7.6170", "261"],
          ["7.6180", "1133"],
          ["7.6190", "1038"],
          ["7.6200", "2662"],
        ],
        levels: [1006, 1000],
      },
    },
  ] as const;

  for (const f of files) {
    describe(f.symbol, () => {
      const p = parseFile(`usdm_${f.symbol}_ws.jsonl`, parseContext({ [f.symbol]: f.market }));

      test("every line is accounted for; every message validates", () => {
        expect(p.lines).toHaveLength(f.lines);
        expect(p.counts).toEqual(f.counts);
        expectAllValid(p);
        for (const m of all(p))
          expect([m.market, m.symbol, m.exchange]).toEqual([f.market, f.symbol, "binance"]);
      });

      test("deltas chain by pu: each prevSeq is the previous u", () => {
        const deltas = all(p).filter((m): m is Book => m.type === "book");
        for (let i = 1; i < deltas.length; i++) expect(deltas[i]!.prevSeq).toBe(deltas[i - 1]!.seq);
      });

      test("replayed on the REST snapshot with the USD-M rule, the diffs give the known answers", () => {
        const snap = binanceUsdm.rest.parseDepth(
          readJson(`${DIR}/usdm_${f.symbol}_rest_depth_snapshot.json`),
          {
            recvTs: RECV_TS,
            market: f.market,
          },
        );
        const r = replayBook(snap, all(p), firstIds(p.lines));
        const k = f.known;
        expect(r.dropped).toBe(k.dropped);
        expect(r.applied).toBe(k.applied);
        expect(r.final).toBe(k.final);
        // the first applied diff is on the known line
        expect((p.perLine[k.firstLine - 1]![0] as Book).seq).toBe(r.firstAppliedSeq);
        expect(r.top5Bids).toEqual(lv(k.bids as unknown as [string, string][]));
        expect(r.top5Asks).toEqual(lv(k.asks as unknown as [string, string][]));
        expect(r.levels).toEqual([...k.levels]);
        expect(r.crosschecks).toBe(k.crosschecks);
      });
    });
  }

  const akro = parseFile("usdm_AKROUSDT_ws.jsonl", parseContext({ AKROUSDT: "AKRO-USDT-PERP" }));

  test("AKROUSDT depth diff: seq = u, prevSeq = pu, ts = T", () => {
    expect(only<Book>(akro, 2)).toEqual({
      type: "book",
      exchange: "binance",
      market: "AKRO-USDT-PERP",
      symbol: "AKROUSDT",
      ts: 1626992741238,
      recvTs: RECV_TS,
      kind: "delta",
      seq: 600859605486,
      prevSeq: 600859599831,
      bids: [[0.0173, 183887]],
      asks: [[0.01736, 874535]],
    });
  });

  test("AKROUSDT aggTrade: id = a, ts = T, m ⇒ taker sell", () => {
    expect(only<Trade>(akro, 11)).toEqual({
      type: "trade",
      exchange: "binance",
      market: "AKRO-USDT-PERP",
      symbol: "AKROUSDT",
      ts: 1626992742134,
      recvTs: RECV_TS,
      id: "14888302",
      price: 0.01731,
      amount: 312,
      side: "sell",
    });
    const t = only<Trade>(akro, 71); // one aggregate of trades 27931349..27931350
    expect([t.id, t.price, t.amount, t.side]).toEqual(["14888303", 0.01731, 2644, "sell"]);
    const ids = all(akro)
      .filter((m): m is Trade => m.type === "trade")
      .map((x) => Number(x.id));
    expect(ids).toEqual(Array.from({ length: 8 }, (_, i) => 14888302 + i));
  });

  test("AKROUSDT bookTicker: seq = u, ts = T", () => {
    expect(only<Bbo>(akro, 9)).toEqual({
      type: "bbo",
      exchange: "binance",
      market: "AKRO-USDT-PERP",
      symbol: "AKROUSDT",
      ts: 1626992742134,
      recvTs: RECV_TS,
      bidPrice: 0.01731,
      bidAmount: 57306,
      askPrice: 0.01732,
      askAmount: 72524,
      seq: 600859621226,
    });
  });

  test("AKROUSDT kline_1m: the closing update has closed = true", () => {
    expect(only<Candle>(akro, 196)).toEqual({
      type: "candle",
      exchange: "binance",
      market: "AKRO-USDT-PERP",
      symbol: "AKROUSDT",
      ts: 1626992762003,
      recvTs: RECV_TS,
      interval: "1m",
      openTime: 1626992700000,
      closeTime: 1626992759999,
      open: 0.01731,
      high: 0.01733,
      low: 0.01731,
      close: 0.01733,
      volume: 235736,
      quoteVolume: 4082.63755,
      trades: 29,
      closed: true,
    });
    const candles = all(akro).filter((m): m is Candle => m.type === "candle");
    expect(candles.filter((c) => c.closed)).toHaveLength(1);
  });

  test("SUSHIUSDT and KEEPUSDT aggTrades: buyer-taker sides", () => {
    const sushi = parseFile("usdm_SUSHIUSDT_ws.jsonl", parseContext({ SUSHIUSDT: "SUSHI-USDT-PERP" }));
    const s = only<Trade>(sushi, 47);
    expect([s.id, s.price, s.amount, s.side, s.ts]).toEqual(["87353230", 7.612, 297, "buy", 1626992744108]);
    const keep = parseFile("usdm_KEEPUSDT_ws.jsonl", parseContext({ KEEPUSDT: "KEEP-USDT-PERP" }));
    const k = only<Trade>(keep, 53);
    expect([k.id, k.price, k.amount, k.side, k.ts]).toEqual(["1211537", 0.2464, 317, "buy", 1626992756696]);
    const d = only<Book>(keep, 1); // amount "0" deletes
    expect([d.seq, d.prevSeq, d.asks]).toEqual([600859602316, 600859581808, [[0.2465, 0]]]);
  });
});

describe("markPrice@1s, 2026 field set (p, ap, P, i, r, T, st)", () => {
  const p = parseFile(
    "usdm_markPrice1s_BTCUSDT_ETHUSDT_2026_ws.jsonl",
    parseContext({ BTCUSDT: "BTC-USDT-PERP", ETHUSDT: "ETH-USDT-PERP" }),
  );

  test("every line is a deriv message; open interest is not on the stream", () => {
    expect(p.lines).toHaveLength(20);
    expect(p.counts).toEqual({ deriv: 20 });
    expectAllValid(p);
    expect(all(p).every((m) => (m as Deriv).openInterest === null)).toBe(true);
  });

  test("mark p, index i, funding r (negative too), next funding T (16:00 UTC), ts = E", () => {
    expect(only<Deriv>(p, 1)).toEqual({
      type: "deriv",
      exchange: "binance",
      market: "BTC-USDT-PERP",
      symbol: "BTCUSDT",
      ts: 1790757176000,
      recvTs: RECV_TS,
      markPrice: 83003.1,
      indexPrice: 83045.69043478,
      fundingRate: -0.00001012,
      nextFundingTime: 1790784000000,
      openInterest: null,
    });
    const eth = only<Deriv>(p, 20);
    expect([eth.market, eth.markPrice, eth.indexPrice, eth.fundingRate, eth.ts]).toEqual([
      "ETH-USDT-PERP",
      2664.25,
      2666.24116279,
      0.00004646,
      1790757185001,
    ]);
    expect(new Date(eth.nextFundingTime!).toISOString()).toBe("2026-09-30T16:00:00.000Z");
    const btc = all(p).filter((m) => m.market === "BTC-USDT-PERP") as Deriv[];
    expect(btc).toHaveLength(10);
    expect(btc.map((d) => d.fundingRate)).toEqual([
      ...Array(5).fill(-0.00001012),
      ...Array(5).fill(-0.00001067),
    ]);
    expect(only<Deriv>(p, 17).markPrice).toBe(82998.1602029);
  });
});

describe("tardis-node binance-futures vectors", () => {
  const LOCAL_TS = Date.parse("2019-09-01T00:00:01.275Z");
  const p = parseFile("tardis_usdm_messages.jsonl", {
    recvTs: LOCAL_TS,
    marketOf: guessUsdmMarket,
    state: new Map(),
  });
  const expected = readJsonlArrays(`${DIR}/tardis_usdm_expected_normalized.jsonl`);

  test("every line is accounted for", () => {
    expect(p.lines).toHaveLength(15);
    expect(expected).toHaveLength(15);
    expect(p.results.map((r) => resultLabel(r))).toEqual([
      "ignored:unsupported:aggTradeWithoutId", // 2019 aggTrade without `a`
      "ticker",
      "deriv", // @markPrice (3 s) of 2019: no index
      "ticker",
      "trade", // raw @trade (tardis's trade channel)
      "book:delta", // before the snapshot
      "book:snapshot", // tardis-generated @depthSnapshot envelope
      "book:delta",
      "deriv", // tardis-generated @openInterest envelope (REST body)
      "deriv",
      "ignored:unsupported:trade:INSURANCE_FUND",
      "trade",
      "liquidation",
      "deriv", // delivery contract: no funding
      "bbo",
    ]);
    expectAllValid(p);
  });

  test("matches tardis's normalized output where both normalize the line", () => {
    let compared = 0;
    expected.forEach((exp, i) => {
      if (exp.length === 0) return; // tardis: aggTrade, a diff before its snapshot, insurance-fund trade
      const e = exp[0]!;
      const m = p.perLine[i]![0]!;
      expect(m.symbol).toBe(e.symbol as string);
      switch (e.type) {
        case "trade": {
          expectTardisTrade(m as Trade, e);
          break;
        }
        case "derivative_ticker": {
          // tardis merges ticker, markPrice and open interest into one running state; we emit each
          // source as it comes: the 24h ticker as a ticker, markPrice and open interest as deriv
          if (m.type === "ticker") {
            expect((m as Ticker).last).toBe(e.lastPrice as number);
          } else {
            const d = m as Deriv;
            expect(d.type).toBe("deriv");
            if (d.openInterest !== null) expect(d.openInterest).toBe(e.openInterest as number);
            else {
              expect([d.markPrice, d.indexPrice, d.fundingRate]).toEqual([
                e.markPrice as number,
                e.indexPrice as number | null,
                e.fundingRate as number | null,
              ]);
              expect(d.nextFundingTime).toBe(
                e.fundingTimestamp === null ? null : Date.parse(e.fundingTimestamp as string),
              );
            }
            if (d.openInterest === null) expect(d.ts).toBe(Date.parse(e.timestamp as string));
          }
          break;
        }
        case "book_change": {
          const b = m as Book;
          const side = (rows: unknown) =>
            (rows as { price: number; amount: number }[]).map((r) => [r.price, r.amount]);
          expect(b.kind).toBe(e.isSnapshot ? "snapshot" : "delta");
          if (b.kind === "snapshot") {
            // tardis folds the diff it buffered (line 6) into its snapshot; ours is the REST body
            const pre = p.perLine[5]![0] as Book;
            const merge = (base: [number, number][], extra: [number, number][]) => [
              ...new Map([...base, ...extra]),
            ];
            expect(merge(b.bids, pre.bids)).toEqual(side(e.bids) as [number, number][]);
            expect(merge(b.asks, pre.asks)).toEqual(side(e.asks) as [number, number][]);
            expect(b.ts).toBe(LOCAL_TS);
          } else {
            expect([b.bids, b.asks]).toEqual([side(e.bids), side(e.asks)] as never);
            // tardis stamps diffs with E; we use T (the matching engine, as bookTicker), 4 ms earlier
            expect(b.ts).toBe(Date.parse(e.timestamp as string) - 4);
          }
          break;
        }
        case "liquidation": {
          const l = m as Liquidation;
          expect([l.type, l.price, l.amount, l.side, l.ts]).toEqual([
            "liquidation",
            e.price as number,
            e.amount as number,
            e.side as Liquidation["side"],
            Date.parse(e.timestamp as string),
          ]);
          break;
        }
        case "book_ticker": {
          const b = m as Bbo;
          expect([b.bidPrice, b.bidAmount, b.askPrice, b.askAmount]).toEqual([
            e.bidPrice as number,
            e.bidAmount as number,
            e.askPrice as number,
            e.askAmount as number,
          ]);
          // tardis: E; ours: T (3 ms earlier), as spot's parser reads the futures form
          expect(b.ts).toBe(Date.parse(e.timestamp as string) - 3);
          break;
        }
        default:
          throw new Error(`unexpected tardis type ${String(e.type)}`);
      }
      compared++;
    });
    expect(compared).toBe(11);
  });

  test("values on the lines, incl. those tardis leaves out", () => {
    const t = only<Ticker>(p, 2); // the futures 24h ticker has no best bid/ask
    expect([
      t.last,
      t.open,
      t.high,
      t.low,
      t.volume,
      t.quoteVolume,
      t.change,
      t.changePct,
      t.bid,
      t.ask,
    ]).toEqual([10223.74, 10311.91, 10329.38, 10080.7, 20248.9, 207024349.13, -88.17, -0.855, null, null]);
    const pre = only<Book>(p, 6);
    expect([pre.seq, pre.prevSeq]).toEqual([687687946, 687687946]); // hand-edited vector: pu = u
    const snap = only<Book>(p, 7);
    expect([snap.kind, snap.seq, snap.prevSeq, snap.market]).toEqual([
      "snapshot",
      687687945,
      null,
      "BTC-USDT-PERP",
    ]);
    expect(only<Book>(p, 8).prevSeq).toBe(687690832);
    expect(only<Deriv>(p, 9)).toEqual({
      type: "deriv",
      exchange: "binance",
      market: "BTC-USDT-PERP",
      symbol: "BTCUSDT",
      ts: LOCAL_TS, // tardis's envelope has no time
      recvTs: LOCAL_TS,
      markPrice: null,
      indexPrice: null,
      fundingRate: null,
      nextFundingTime: null,
      openInterest: 26286.181,
    });
    const l = only<Liquidation>(p, 13);
    expect([l.id, l.market, l.side, l.price, l.amount]).toEqual([
      "1584059031421",
      "BTC-USDT-PERP",
      "buy", // S=BUY: a short was liquidated
      4793.91,
      0.014, // z (filled), not l (last fill)
    ]);
    const delivery = only<Deriv>(p, 14);
    expect([delivery.market, delivery.fundingRate, delivery.nextFundingTime, delivery.markPrice]).toEqual([
      "BTC-BUSD-210129",
      null,
      null,
      31799.2773,
    ]);
    const eth = only<Trade>(p, 12);
    expect([eth.id, eth.side]).toEqual(["173525189", "sell"]);
    expect(only<Bbo>(p, 15).seq).toBe(185130926750);
  });
});

describe("frames not read from recordings", () => {
  const c = parseContext({ BTCUSDT: "BTC-USDT-PERP" });

  test("partial depth (@depth5/10/20) shares the diff's event type and is ignored", () => {
    const data = { e: "depthUpdate", E: 2, T: 1, s: "BTCUSDT", U: 1, u: 2, pu: 0, b: [], a: [] };
    for (const s of ["btcusdt@depth5", "btcusdt@depth10@100ms", "btcusdt@depth20@500ms"]) {
      expect(binanceUsdm.parseFrame(JSON.stringify({ stream: s, data }), c)).toEqual({
        kind: "ignored",
        reason: "unsupported:partialDepth",
      });
    }
    for (const s of ["btcusdt@depth", "btcusdt@depth@0ms", "btcusdt@depth@100ms"]) {
      expect(resultLabel(binanceUsdm.parseFrame(JSON.stringify({ stream: s, data }), c))).toBe("book:delta");
    }
  });

  test("the documented forceOrder example", () => {
    const frame =
      '{"e":"forceOrder","E":1568014460893,"o":{"s":"BTCUSDT","S":"SELL","o":"LIMIT","f":"IOC","q":"0.014","p":"9910","ap":"9910","X":"FILLED","l":"0.014","z":"0.014","T":1568014460893}}';
    const r = binanceUsdm.parseFrame(frame, c);
    expect(r).toEqual({
      kind: "data",
      messages: [
        {
          type: "liquidation",
          exchange: "binance",
          market: "BTC-USDT-PERP",
          symbol: "BTCUSDT",
          ts: 1568014460893,
          recvTs: RECV_TS,
          id: "1568014460893",
          price: 9910,
          amount: 0.014,
          side: "sell",
        },
      ],
    });
  });

  test("futures streams we never subscribe are ignored, not invalid", () => {
    for (const e of [
      "24hrMiniTicker",
      "continuous_kline",
      "compositeIndex",
      "contractInfo",
      "assetIndexUpdate",
    ]) {
      expect(binanceUsdm.parseFrame(JSON.stringify({ e, E: 1, s: "BTCUSDT" }), c)).toEqual({
        kind: "ignored",
        reason: `unsupported:${e}`,
      });
    }
    // !markPrice@arr: an array payload
    expect(binanceUsdm.parseFrame('{"stream":"!markPrice@arr","data":[]}', c).kind).toBe("ignored");
  });

  test("µs timestamps and binary frames read as on spot", () => {
    const frame = JSON.stringify({
      e: "aggTrade",
      E: 1790757176000123,
      a: 5,
      s: "BTCUSDT",
      p: "1",
      q: "2",
      f: 1,
      l: 1,
      T: 1790757176000456,
      m: false,
    });
    const r = binanceUsdm.parseFrame(new TextEncoder().encode(frame), c);
    expect((r as { messages: Trade[] }).messages[0]!.ts).toBeCloseTo(1790757176000.456, 3);
  });
});
