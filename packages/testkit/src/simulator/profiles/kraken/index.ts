import type { Interval } from "../../core/intervals.ts";
import type { TradeBatch } from "../../market/generator.ts";
import type { SimConnection } from "../../server/connection.ts";
import { TopicIndex } from "../../server/topic-index.ts";
import { type BookFault, BookFaultQueue, crossingBids } from "../book-faults.ts";
import type {
  ExchangeProfile,
  HttpReply,
  ProfileContext,
  ProfileRuntime,
  RestRoute,
  UpgradeDecision,
} from "../types.ts";
import { BookView, type PrintedLevel } from "./book-view.ts";
import {
  ackReply,
  type ChannelRequest,
  errorReply,
  OHLC_MINUTES,
  parseRequest,
  pongReply,
} from "./control.ts";
import { price, qty } from "./format.ts";
import { malformedFrames } from "./malformed.ts";
import { bookFrame, HEARTBEAT_FRAME, ohlcFrame, statusFrame, tickerFrame, tradeFrame } from "./payloads.ts";
import { matchRest, REST_PATHS } from "./rest.ts";
import type { KrakenSession, KrakenSub } from "./session.ts";
import { KrakenSymbols } from "./symbols.ts";

type Conn = SimConnection<KrakenSession>;

/** Kraken's ohlc minutes that the generator has candles for (21600, 15 days, it has not). */
const OHLC_INTERVALS: ReadonlyMap<number, Interval> = new Map([
  [1, "1m"],
  [5, "5m"],
  [15, "15m"],
  [30, "30m"],
  [60, "1h"],
  [240, "4h"],
  [1440, "1d"],
  [10080, "1w"],
]);

/** Requests per rolling second before Kraken answers "Exceeded msg rate" (observed burst size). */
export const MAX_REQUESTS_PER_SECOND = 15;
/** Trades in a trade subscription's snapshot. */
const TRADE_SNAPSHOT = 50;

class KrakenRuntime implements ProfileRuntime {
  private readonly symbols: KrakenSymbols;
  private readonly index = new TopicIndex<Conn>();
  /** Book views by topic `book:<market>:<depth>`. */
  private readonly views = new Map<string, { market: string; view: BookView; faults: BookFaultQueue }>();
  /** Book flushes still to withhold per market (a checksum break on command). */
  private readonly skips = new Map<string, number>();
  /** Last top of book sent on `ticker:<market>:bbo`. */
  private readonly lastBbo = new Map<string, string>();
  private readonly unlisten: () => void;

  constructor(private readonly ctx: ProfileContext) {
    this.symbols = new KrakenSymbols(ctx.generator);
    this.unlisten = ctx.generator.addListener({ onTrades: (b) => this.onTrades(b) });
    ctx.every(100, () => this.flushBooks());
    ctx.every(1000, () => this.heartbeats());
  }

  upgrade(url: URL): UpgradeDecision | undefined {
    if (url.pathname !== "/v2") return undefined;
    const session: KrakenSession = { subs: new Map(), requests: [], framesAtLastBeat: 0 };
    return { accept: true, session };
  }

  onOpen(conn: SimConnection): void {
    conn.sendControl(statusFrame(conn.id));
  }

  onMessage(conn: SimConnection, text: string): void {
    const c = conn as Conn;
    const now = Date.now();
    const recent = c.session.requests;
    recent.push(now);
    while (recent.length > 0 && recent[0]! <= now - 1000) recent.shift();
    if (recent.length > MAX_REQUESTS_PER_SECOND) {
      c.sendControl(errorReply("Exceeded msg rate", now));
      return;
    }
    const r = parseRequest(text, now);
    if (r.kind === "error") c.sendControl(r.reply);
    else if (r.kind === "ping") c.sendControl(pongReply(now, r.reqId));
    else if (r.req.method === "subscribe") this.subscribe(c, r.req, now);
    else this.unsubscribe(c, r.req, now);
  }

  onClose(conn: SimConnection): void {
    const c = conn as Conn;
    for (const sub of c.session.subs.values()) this.index.remove(sub.topic, c);
    c.session.subs.clear();
    this.dropIdleViews();
  }

  rest(method: string, url: URL): RestRoute | undefined {
    return matchRest(method, url, {
      generator: this.ctx.generator,
      truth: this.ctx.truth,
      symbols: this.symbols,
    });
  }

  rateLimitedReply(retryAfterSec: number): HttpReply {
    return {
      status: 429,
      headers: { "Retry-After": String(retryAfterSec) },
      body: { error: ["EGeneral:Too many requests"] },
    };
  }

  /** Kraken reports no used-weight header. */
  weightHeaders(): Record<string, string> {
    return {};
  }

  isSubscribed(conn: SimConnection): boolean {
    return (conn as Conn).session.subs.size > 0;
  }

  malformedFrames(count: number): string[] {
    return malformedFrames(count, this.symbols.all()[0]!.symbol);
  }

  skipBookUpdates(market: string, count: number): void {
    if (!this.ctx.generator.has(market)) throw new Error(`simulator: unknown market ${market}`);
    this.skips.set(market, (this.skips.get(market) ?? 0) + count);
  }

  /** On every subscribed depth of the market; Kraken clients see it as a checksum failure (or a crossed book). */
  injectBookFault(market: string, fault: BookFault): void {
    if (!this.ctx.generator.has(market)) throw new Error(`simulator: unknown market ${market}`);
    for (const entry of this.views.values()) if (entry.market === market) entry.faults.inject(fault);
  }

  info(): Record<string, unknown> {
    return {
      ws: { v2: "/v2" },
      channels: [
        "trade",
        "ticker (event_trigger bbo|trades)",
        "book (depth 10|25|100|500|1000)",
        "ohlc (interval 1..10080)",
      ],
      symbols: this.symbols.all().map((n) => n.symbol),
      rest: REST_PATHS,
    };
  }

  stop(): void {
    this.unlisten();
  }

  // --- subscriptions ---

  private subOf(req: ChannelRequest, symbol: string, market: string): KrakenSub {
    switch (req.channel) {
      case "trade":
        return {
          key: `trade|${symbol}`,
          topic: `trade:${market}`,
          market,
          result: { channel: "trade", snapshot: req.snapshot, symbol },
        };
      case "ticker":
        return {
          key: `ticker|${symbol}`,
          topic: `ticker:${market}:${req.trigger}`,
          market,
          result: { channel: "ticker", event_trigger: req.trigger, snapshot: req.snapshot, symbol },
        };
      case "book":
        return {
          key: `book|${symbol}`,
          topic: `book:${market}:${req.depth}`,
          market,
          result: { channel: "book", depth: req.depth, snapshot: req.snapshot, symbol },
        };
      default:
        return {
          key: `ohlc|${symbol}|${req.interval}`,
          topic: `ohlc:${market}:${req.interval}`,
          market,
          result: { channel: "ohlc", interval: req.interval, snapshot: req.snapshot, symbol },
        };
    }
  }

  private subscribe(c: Conn, req: ChannelRequest, timeIn: number): void {
    const fail = (error: string, symbol: string) =>
      c.sendControl(errorReply(error, timeIn, { method: "subscribe", symbol, reqId: req.reqId }));
    for (const symbol of req.symbols) {
      const market = this.symbols.marketOfSymbol(symbol);
      if (market === undefined) {
        fail("Currency pair not supported", symbol);
        continue;
      }
      if (req.channel === "ohlc" && !OHLC_INTERVALS.has(req.interval)) {
        fail(
          `interval ${req.interval} is not simulated (have ${[...OHLC_INTERVALS.keys()].join(", ")})`,
          symbol,
        );
        continue;
      }
      const sub = this.subOf(req, symbol, market);
      if (c.session.subs.has(sub.key)) {
        fail("Already subscribed", symbol);
        continue;
      }
      if (c.session.subs.size >= this.ctx.limits.maxStreamsPerConnection) {
        fail(
          `Subscription limit exceeded (${this.ctx.limits.maxStreamsPerConnection} per connection)`,
          symbol,
        );
        continue;
      }
      if (req.channel === "book") {
        this.ensureView(sub.topic, market, req.depth);
        // bring the current listeners up to date first: this snapshot and the next update then agree
        this.flushView(sub.topic);
      }
      c.session.subs.set(sub.key, sub);
      this.index.add(sub.topic, c);
      c.sendControl(ackReply("subscribe", sub.result, timeIn, req.reqId));
      if (req.snapshot) this.sendSnapshot(c, req, sub, symbol);
    }
  }

  private unsubscribe(c: Conn, req: ChannelRequest, timeIn: number): void {
    for (const symbol of req.symbols) {
      const market = this.symbols.marketOfSymbol(symbol);
      const key = market === undefined ? undefined : this.subOf(req, symbol, market).key;
      const sub = key === undefined ? undefined : c.session.subs.get(key);
      if (!sub) {
        c.sendControl(
          errorReply("Subscription Not Found", timeIn, { method: "unsubscribe", symbol, reqId: req.reqId }),
        );
        continue;
      }
      c.session.subs.delete(sub.key);
      this.index.remove(sub.topic, c);
      const { snapshot: _, ...result } = sub.result;
      c.sendControl(ackReply("unsubscribe", result, timeIn, req.reqId));
    }
    this.dropIdleViews();
  }

  private sendSnapshot(c: Conn, req: ChannelRequest, sub: KrakenSub, symbol: string): void {
    const g = this.ctx.generator;
    const spec = g.spec(sub.market);
    const now = Date.now();
    switch (req.channel) {
      case "trade":
        c.sendData(
          tradeFrame("snapshot", symbol, spec, this.ctx.truth.recentTrades(sub.market, TRADE_SNAPSHOT)),
        );
        return;
      case "ticker":
        c.sendData(tickerFrame("snapshot", symbol, spec, g.ticker(sub.market), g.bbo(sub.market), now));
        return;
      case "book": {
        const v = this.views.get(sub.topic)!.view;
        c.sendData(bookFrame("snapshot", symbol, { bids: v.bids, asks: v.asks }, v.checksum(), now));
        return;
      }
      default: {
        const interval = OHLC_INTERVALS.get(req.interval)!;
        c.sendData(ohlcFrame("snapshot", symbol, spec, req.interval, [g.candle(sub.market, interval)], now));
      }
    }
  }

  // --- books ---

  private ensureView(topic: string, market: string, depth: number): void {
    if (this.views.has(topic)) return;
    const spec = this.ctx.generator.spec(market);
    const view = new BookView(depth, qty(spec, 0));
    view.advance(this.printedBook(market, depth));
    this.views.set(topic, { market, view, faults: new BookFaultQueue() });
  }

  private dropIdleViews(): void {
    for (const topic of this.views.keys()) if (!this.index.has(topic)) this.views.delete(topic);
  }

  private printedBook(market: string, depth: number): { bids: PrintedLevel[]; asks: PrintedLevel[] } {
    const spec = this.ctx.generator.spec(market);
    const s = this.ctx.generator.book(market).snapshot(depth);
    const print = (ls: Array<[number, number]>) =>
      ls.map(([p, a]): PrintedLevel => [price(spec, p), qty(spec, a)]);
    return { bids: print(s.bids), asks: print(s.asks) };
  }

  /** Sends the changes of one view since its last flush; returns whether there were any. */
  private flushView(topic: string, withhold = false): boolean {
    const entry = this.views.get(topic);
    if (!entry) return false;
    const changes = entry.view.advance(this.printedBook(entry.market, entry.view.depth));
    if (!changes) return false;
    if (withhold) return true;
    if (!this.index.has(topic)) return true;
    const symbol = this.symbols.names(entry.market).symbol;
    const checksum = entry.view.checksum();
    const bestAsk = entry.view.asks[0];
    entry.faults.pass((crossed) => {
      const sent = crossed && bestAsk ? { ...changes, bids: crossingBids(changes.bids, bestAsk) } : changes;
      const frame = bookFrame("update", symbol, sent, checksum, Date.now());
      return () => {
        for (const c of this.index.get(topic) ?? []) c.sendData(frame);
      };
    });
    return true;
  }

  private flushBooks(): void {
    const changedMarkets = new Set<string>();
    for (const [topic, { market }] of this.views) {
      const withhold = (this.skips.get(market) ?? 0) > 0;
      if (this.flushView(topic, withhold) && withhold) changedMarkets.add(market);
    }
    for (const m of changedMarkets) this.skips.set(m, this.skips.get(m)! - 1);
  }

  // --- trades, tickers, candles ---

  private onTrades(batch: TradeBatch): void {
    const market = batch.market;
    const g = this.ctx.generator;
    const spec = g.spec(market);
    const { symbol } = this.symbols.names(market);
    const now = Date.now();
    this.publish(`trade:${market}`, () => tradeFrame("update", symbol, spec, batch.trades));
    this.publish(`ticker:${market}:trades`, () =>
      tickerFrame("update", symbol, spec, g.ticker(market), g.bbo(market), now),
    );
    const bboTopic = `ticker:${market}:bbo`;
    if (this.index.has(bboTopic)) {
      const b = g.bbo(market);
      const key = `${b.bidPrice}|${b.bidAmount}|${b.askPrice}|${b.askAmount}`;
      if (this.lastBbo.get(market) !== key) {
        this.lastBbo.set(market, key);
        this.publish(bboTopic, () => tickerFrame("update", symbol, spec, g.ticker(market), b, now));
      }
    }
    for (const minutes of OHLC_MINUTES) {
      const interval = OHLC_INTERVALS.get(minutes);
      if (interval === undefined) continue;
      this.publish(`ohlc:${market}:${minutes}`, () =>
        ohlcFrame("update", symbol, spec, minutes, [g.candle(market, interval)], now),
      );
    }
  }

  private publish(topic: string, build: () => string): void {
    const subs = this.index.get(topic);
    if (!subs) return;
    const frame = build();
    for (const c of subs) c.sendData(frame);
  }

  /** About once a second, on a subscribed connection that sent nothing else meanwhile. */
  private heartbeats(): void {
    for (const conn of this.ctx.connections()) {
      const c = conn as Conn;
      if (!c.open || c.session.subs.size === 0) continue;
      // A keepalive, not data: it continues through a stall (only a silent one withholds it).
      if (c.framesSent === c.session.framesAtLastBeat) c.sendControl(HEARTBEAT_FRAME);
      c.session.framesAtLastBeat = c.framesSent;
    }
  }
}

/**
 * Kraken spot WebSocket v2 (`/v2`) and public REST (`/0/public/*`) on one local port. No server
 * pings (Kraken keeps connections alive with its heartbeat channel), no maximum connection age,
 * no pong deadline. Request rate: beyond 15 requests per second a connection gets "Exceeded msg
 * rate" errors (not a close). REST: 20 calls per 10 s, then 429.
 */
export const krakenProfile: ExchangeProfile = {
  id: "kraken",
  marketKinds: ["spot"],
  defaults: {
    pingIntervalMs: 0,
    pongTimeoutMs: 0,
    maxConnectionAgeMs: 0,
    maxIncomingPerSecond: 0,
    maxStreamsPerConnection: 1000,
    restWeightLimit: 20,
    restWeightWindowMs: 10_000,
  },
  create: (ctx) => new KrakenRuntime(ctx),
};
