import type { TradeBatch } from "../../market/generator.ts";
import type { Candle, SimLiquidation } from "../../market/types.ts";
import type { SimConnection } from "../../server/connection.ts";
import { type BookFault, BookFaultQueue, crossingBids } from "../book-faults.ts";
import type { ProfileContext } from "../types.ts";
import { BookView } from "./book-view.ts";
import type { Fanout } from "./fanout.ts";
import {
  type BookResult,
  bookFrame,
  bookResult,
  Decimals,
  klineFrame,
  liquidationFrame,
  type TickDirection,
  tickerFrame,
  tradeFrame,
  type WireTrade,
} from "./payloads.ts";
import type { BybitSession } from "./session.ts";
import type { Category, SymbolMaps } from "./symbols.ts";
import { tickerFields } from "./ticker-fields.ts";
import { TickerView } from "./ticker-view.ts";
import {
  DEPTH_PERIOD_MS,
  DEPTHS,
  type Depth,
  KLINE_INTERVALS,
  KLINE_NAMES,
  type SimTopic,
} from "./topics.ts";

type Conn = SimConnection<BybitSession>;

/** Trades per publicTrade push at most. */
const MAX_TRADES_PER_PUSH = 1024;
/** Level-1 books are re-sent unchanged after this long. */
const LEVEL1_RESEND_MS = 3000;

interface MarketWire {
  market: string;
  category: Category;
  symbol: string;
  decimals: Decimals;
  views: Map<Depth, BookView>;
  /** Book pushes still to drop per depth (a `u` gap on command; level 1 is never skipped). */
  skip: Map<Depth, number>;
  /** Book faults on command per depth ≥ 50 (each topic numbers its own `u`). */
  faults: Map<Depth, BookFaultQueue>;
  ticker: TickerView;
  lastPrice: number | undefined;
  tick: TickDirection;
  lastTradeTs: number;
  pendingLiquidations: SimLiquidation[];
}

/**
 * The market-data pushes of every topic, at Bybit's rates: trades as they happen (≤ 1024 per push),
 * books per depth (level 1 every 10 ms as snapshots, 50/200/1000 as deltas every 20/100/200 ms),
 * tickers (spot snapshots every 50 ms, linear deltas every 100 ms), klines every second and on
 * close, liquidations every 500 ms.
 */
export class MarketStreams {
  private readonly wires = new Map<string, MarketWire>();
  private readonly unlisten: () => void;

  constructor(
    private readonly ctx: ProfileContext,
    symbols: SymbolMaps,
    private readonly fanout: Fanout,
  ) {
    const g = ctx.generator;
    for (const market of g.markets) {
      const spec = g.spec(market);
      const category = symbols.category(market);
      const book = g.book(market);
      this.wires.set(market, {
        market,
        category,
        symbol: symbols.symbol(market),
        decimals: new Decimals(category, spec.priceDecimals, spec.qtyDecimals),
        views: new Map(DEPTHS.map((d): [Depth, BookView] => [d, new BookView(d, book)])),
        skip: new Map(),
        faults: new Map(DEPTHS.map((d): [Depth, BookFaultQueue] => [d, new BookFaultQueue()])),
        ticker: new TickerView(),
        lastPrice: undefined,
        tick: "ZeroPlusTick",
        lastTradeTs: 0,
        pendingLiquidations: [],
      });
    }
    this.unlisten = g.addListener({
      onTrades: (b) => this.onTrades(b),
      onCandleClosed: (m, c) => this.onCandleClosed(m, c),
      onLiquidation: (m, l) => this.wires.get(m)?.pendingLiquidations.push(l),
    });
    for (const d of DEPTHS) ctx.every(DEPTH_PERIOD_MS[d], () => this.flushBooks(d));
    ctx.every(50, () => this.flushTickers("spot"));
    ctx.every(100, () => this.flushTickers("linear"));
    ctx.every(1000, () => this.publishKlines());
    ctx.every(500, () => this.flushLiquidations());
  }

  decimals(market: string): Decimals {
    return this.wire(market).decimals;
  }

  /** Drops the next `count` book pushes of every depth ≥ 50 of a market: a gap in `u`. */
  skipBookUpdates(market: string, count: number): void {
    const w = this.wire(market);
    for (const d of DEPTHS) if (d !== 1) w.skip.set(d, (w.skip.get(d) ?? 0) + count);
  }

  /** A book fault on the next push of every depth ≥ 50 of a market (level 1 sends snapshots only). */
  injectBookFault(market: string, fault: BookFault): void {
    const w = this.wire(market);
    for (const d of DEPTHS) if (d !== 1) w.faults.get(d)!.inject(fault);
  }

  stop(): void {
    this.unlisten();
  }

  private wire(market: string): MarketWire {
    const w = this.wires.get(market);
    if (!w) throw new Error(`simulator: unknown market ${market}`);
    return w;
  }

  /**
   * Adds a topic to a connection. Book and ticker topics first push what changed to the existing
   * listeners, then the new one gets a snapshot of that state: every subscriber's snapshot and the
   * deltas after it line up.
   */
  subscribe(conn: Conn, topic: SimTopic): void {
    const w = this.wire(topic.market);
    const now = Date.now();
    if (topic.kind === "book") {
      this.advanceBook(w, topic.depth, now);
      this.fanout.add(conn, topic);
      const view = w.views.get(topic.depth)!;
      if (topic.depth === 1) view.lastPushAt = now;
      const snap = view.snapshot();
      conn.sendData(
        bookFrame(
          {
            topic: topic.name,
            symbol: w.symbol,
            type: "snapshot",
            ...snap,
            u: view.u,
            seq: view.seq,
            cts: this.lastMatch(w),
          },
          w.decimals,
          now,
        ),
      );
      return;
    }
    if (topic.kind === "ticker") {
      this.advanceTicker(w, now);
      this.fanout.add(conn, topic);
      const fields = w.ticker.snapshot()!;
      conn.sendData(tickerFrame(w.category, w.symbol, "snapshot", fields, this.cs(w), now));
      return;
    }
    this.fanout.add(conn, topic);
  }

  /** Cross sequence: the matching engine's update id. */
  private cs(w: MarketWire): number {
    return this.ctx.generator.book(w.market).lastUpdateId;
  }

  private lastMatch(w: MarketWire): number {
    return w.lastTradeTs || this.ctx.generator.startTime;
  }

  private onTrades(batch: TradeBatch): void {
    const w = this.wires.get(batch.market);
    if (!w) return;
    const wire: WireTrade[] = new Array(batch.trades.length);
    batch.trades.forEach((t, i) => {
      // tick direction against the previous trade (a flat trade keeps the last move's sign)
      if (w.lastPrice !== undefined) {
        if (t.price > w.lastPrice) w.tick = "PlusTick";
        else if (t.price < w.lastPrice) w.tick = "MinusTick";
        else w.tick = w.tick === "PlusTick" || w.tick === "ZeroPlusTick" ? "ZeroPlusTick" : "ZeroMinusTick";
      }
      w.lastPrice = t.price;
      w.lastTradeTs = t.ts;
      wire[i] = { trade: t, seq: batch.bbos[i]!.updateId, tick: w.tick };
    });
    const now = Date.now();
    this.fanout.publishLazy(w.category, `publicTrade.${w.symbol}`, () => {
      const frames: string[] = [];
      for (let i = 0; i < wire.length; i += MAX_TRADES_PER_PUSH) {
        frames.push(
          tradeFrame(w.category, w.symbol, wire.slice(i, i + MAX_TRADES_PER_PUSH), w.decimals, now),
        );
      }
      return frames;
    });
  }

  private onCandleClosed(market: string, candle: Candle): void {
    const w = this.wires.get(market);
    const code = KLINE_NAMES.get(candle.interval);
    if (!w || !code) return;
    const topic = `kline.${code}.${w.symbol}`;
    this.fanout.publishLazy(w.category, topic, () => [
      klineFrame(topic, code, candle, w.decimals, candle.closeTime, Date.now()),
    ]);
  }

  /** One book topic: refresh its view and push what changed (level 1: always a snapshot). */
  private advanceBook(w: MarketWire, depth: Depth, now: number): void {
    const view = w.views.get(depth)!;
    const delta = view.refresh();
    const topic = `orderbook.${depth}.${w.symbol}`;
    if (depth === 1) {
      if (!delta && now - view.lastPushAt < LEVEL1_RESEND_MS) return;
      if (!this.fanout.has(w.category, topic)) return;
      view.lastPushAt = now;
      const snap = view.snapshot();
      this.fanout.publishLazy(w.category, topic, () => [
        bookFrame(
          {
            topic,
            symbol: w.symbol,
            type: "snapshot",
            ...snap,
            u: view.u,
            seq: view.seq,
            cts: this.lastMatch(w),
          },
          w.decimals,
          now,
        ),
      ]);
      return;
    }
    if (!delta) return;
    const skip = w.skip.get(depth) ?? 0;
    if (skip > 0) {
      w.skip.set(depth, skip - 1);
      return;
    }
    w.faults.get(depth)!.pass((crossed) => {
      const top = this.ctx.generator.book(w.market).top();
      const bids = crossed ? crossingBids(delta.bids, [top.askPrice, top.askAmount]) : delta.bids;
      // numbered now: a push held back (out of order) keeps its own u
      const { u, seq } = view;
      const cts = this.lastMatch(w);
      const build = () => [
        bookFrame(
          { topic, symbol: w.symbol, type: "delta", bids, asks: delta.asks, u, seq, cts },
          w.decimals,
          now,
        ),
      ];
      return () => this.fanout.publishLazy(w.category, topic, build);
    });
  }

  private flushBooks(depth: Depth): void {
    const now = Date.now();
    for (const w of this.wires.values()) {
      if (this.fanout.has(w.category, `orderbook.${depth}.${w.symbol}`)) this.advanceBook(w, depth, now);
    }
  }

  /** The `orderbook` REST result: the 1000-level topic brought up to date (its `u` included). */
  orderbook(market: string, limit: number): BookResult {
    const w = this.wire(market);
    const now = Date.now();
    this.advanceBook(w, 1000, now);
    const view = w.views.get(1000)!;
    const snap = view.snapshot();
    return bookResult(
      w.symbol,
      snap.bids.slice(0, limit),
      snap.asks.slice(0, limit),
      w.decimals,
      view.u,
      view.seq,
      now,
    );
  }

  /** Linear: push the changed fields; spot: push a full snapshot when anything changed. */
  private advanceTicker(w: MarketWire, now: number): void {
    const fields = tickerFields(this.ctx.generator, w);
    const delta = w.ticker.refresh(fields);
    if (!delta) return;
    const body = w.category === "linear" ? delta : fields;
    const type = w.category === "linear" ? "delta" : "snapshot";
    this.fanout.publishLazy(w.category, `tickers.${w.symbol}`, () => [
      tickerFrame(w.category, w.symbol, type, body, this.cs(w), now),
    ]);
  }

  private flushTickers(category: Category): void {
    const now = Date.now();
    for (const w of this.wires.values()) {
      if (w.category === category && this.fanout.has(category, `tickers.${w.symbol}`))
        this.advanceTicker(w, now);
    }
  }

  /** Live candles every second, for every interval someone listens to. */
  private publishKlines(): void {
    const now = Date.now();
    for (const w of this.wires.values()) {
      for (const [code, interval] of KLINE_INTERVALS) {
        const topic = `kline.${code}.${w.symbol}`;
        this.fanout.publishLazy(w.category, topic, () => {
          const c = this.ctx.generator.candle(w.market, interval);
          const last = w.lastTradeTs >= c.openTime ? w.lastTradeTs : now;
          return [klineFrame(topic, code, c, w.decimals, last, now)];
        });
      }
    }
  }

  /** allLiquidation pushes every 500 ms with what happened since. */
  private flushLiquidations(): void {
    const now = Date.now();
    for (const w of this.wires.values()) {
      if (w.pendingLiquidations.length === 0) continue;
      const liqs = w.pendingLiquidations;
      w.pendingLiquidations = [];
      this.fanout.publishLazy(w.category, `allLiquidation.${w.symbol}`, () => [
        liquidationFrame(w.symbol, liqs, w.decimals, now),
      ]);
    }
  }
}
