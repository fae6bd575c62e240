import type { DepthDiffTracker, SimBook } from "../../market/book.ts";
import type { TradeBatch } from "../../market/generator.ts";
import type { Candle } from "../../market/types.ts";
import type { SimConnection } from "../../server/connection.ts";
import { type BookFault, BookFaultQueue, crossingBids } from "../book-faults.ts";
import type {
  ExchangeProfile,
  HttpReply,
  ProfileContext,
  ProfileRuntime,
  RestRoute,
  UpgradeDecision,
} from "../types.ts";
import { type ControlTarget, handleControl } from "./control.ts";
import { Fanout, gzip } from "./fanout.ts";
import { malformedFrames } from "./malformed.ts";
import * as P from "./payloads.ts";
import { matchRest, REST_PATHS } from "./rest.ts";
import type { BingxSession } from "./session.ts";
import { parseTopic, type Topic } from "./topics.ts";
import { VENUE_PATHS, type Venue, VenueSymbols } from "./venue.ts";

type Conn = SimConnection<BingxSession>;

interface MarketWire {
  market: string;
  venue: Venue;
  symbol: string;
  fmt: P.Fmt;
  book: SimBook;
  incr: DepthDiffTracker;
  /** lastUpdateId of the latest @incrDepth push (BingX: +1 per push). */
  lastUpdateId: number;
  /** Pushes still to drop (a sequence gap on command). */
  skip: number;
  /** Book faults on command. */
  faults: BookFaultQueue;
  /** @incrDepth period: spot 500 ms; swap 200 ms for BTC/ETH, 800 ms for the rest. */
  incrPeriodMs: number;
}

/** Depth levels a new @incrDepth subscriber's full depth holds (BingX: up to 1000). */
const FULL_DEPTH = 1000;

class BingxRuntime implements ProfileRuntime {
  private readonly symbols: VenueSymbols;
  private readonly fanout = new Fanout();
  private readonly wires = new Map<string, MarketWire>();
  /** Kline and partial-depth topics somebody subscribed to (names vary per interval and level). */
  private readonly variable = new Map<string, Topic>();
  private readonly unlisten: () => void;

  constructor(private readonly ctx: ProfileContext) {
    const g = ctx.generator;
    this.symbols = new VenueSymbols(g);
    for (const market of g.markets) {
      const spec = g.spec(market);
      const venue: Venue = g.isPerp(market) ? "swap" : "spot";
      const book = g.book(market);
      this.wires.set(market, {
        market,
        venue,
        symbol: `${spec.base}-${spec.quote}`,
        fmt: new P.Fmt(spec),
        book,
        incr: book.createTracker(),
        lastUpdateId: 1,
        skip: 0,
        faults: new BookFaultQueue(),
        incrPeriodMs: venue === "spot" ? 500 : spec.base === "BTC" || spec.base === "ETH" ? 200 : 800,
      });
    }
    this.unlisten = g.addListener({
      onTrades: (b) => this.onTrades(b),
      onCandleClosed: (m, c) => this.onCandleClosed(m, c),
    });
    for (const period of [100, 200, 300, 500, 800, 1000]) {
      ctx.every(period, () => {
        this.publishDepth(period);
        this.flushIncrDepth(period);
        if (period === 1000) {
          this.publishTickers();
          this.publishKlines();
        }
      });
    }
  }

  upgrade(url: URL): UpgradeDecision | undefined {
    const venue = VENUE_PATHS[url.pathname.replace(/\/+$/, "")];
    if (venue === undefined) return undefined;
    const session: BingxSession = { venue, topics: new Map(), pings: 0 };
    return { accept: true, session };
  }

  onOpen(): void {}

  onMessage(conn: SimConnection, text: string): void {
    const c = conn as Conn;
    const out = handleControl(text, this.controlTarget(c));
    if (out.kind === "none") return;
    c.sendControl(gzip(out.frame));
    if (out.kind === "subscribed" && out.topic.kind === "incrDepth") this.sendFullDepth(c, out.topic);
  }

  onClose(conn: SimConnection): void {
    this.fanout.removeConnection(conn as Conn);
  }

  /** Swap: the text `Ping`; spot: `{"ping":"<id>","time":"..."}`; gzip like every server frame. */
  heartbeat(conn: SimConnection): void {
    const c = conn as Conn;
    const s = c.session;
    s.pings++;
    const frame =
      s.venue === "swap"
        ? "Ping"
        : P.spotPing(
            `${c.id.toString(16).padStart(8, "0")}${s.pings.toString(16).padStart(24, "0")}`,
            Date.now(),
          );
    c.heartbeat(gzip(frame));
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
      body: {
        code: 100410,
        msg: "rate limited: too many requests, please retry later",
        timestamp: Date.now(),
      },
    };
  }

  /** BingX reports what is left of the window, not what was used. */
  weightHeaders(used: number): Record<string, string> {
    const { restWeightLimit, restWeightWindowMs } = this.ctx.limits;
    return {
      "X-RateLimit-Requests-Remain": String(Math.max(0, restWeightLimit - used)),
      "X-RateLimit-Requests-Expire": String(restWeightWindowMs),
    };
  }

  isSubscribed(conn: SimConnection): boolean {
    return (conn as Conn).session.topics.size > 0;
  }

  malformedFrames(count: number): string[] {
    const w = this.wires.values().next().value as MarketWire;
    return malformedFrames(count, w.symbol, w.venue);
  }

  skipBookUpdates(market: string, count: number): void {
    const w = this.wires.get(market);
    if (!w) throw new Error(`simulator: unknown market ${market}`);
    w.skip += count;
  }

  injectBookFault(market: string, fault: BookFault): void {
    const w = this.wires.get(market);
    if (!w) throw new Error(`simulator: unknown market ${market}`);
    w.faults.inject(fault);
  }

  info(): Record<string, unknown> {
    return {
      ws: { spot: "/market", swap: "/swap-market", compression: "gzip (every server frame)" },
      dataTypes: [
        "<SYMBOL>@trade",
        "<SYMBOL>@bookTicker",
        "<SYMBOL>@ticker",
        "<SYMBOL>@lastPrice",
        "<SYMBOL>@incrDepth",
        "<SYMBOL>@kline_<1min|…|1M (spot), 1m|…|1M (swap)>",
        "<SYMBOL>@depth<5|10|20|50|100> (spot)",
        "<SYMBOL>@depth<N>@<100|200|500|1000>ms (swap)",
        "<SYMBOL>@markPrice (swap)",
      ],
      symbols: { spot: this.symbols.symbols("spot"), swap: this.symbols.symbols("swap") },
      rest: REST_PATHS,
    };
  }

  stop(): void {
    this.unlisten();
    for (const w of this.wires.values()) w.book.removeTracker(w.incr);
  }

  private controlTarget(conn: Conn): ControlTarget {
    const s = conn.session;
    return {
      venue: s.venue,
      parse: (dataType) => parseTopic(dataType, s.venue, this.symbols),
      has: (name) => s.topics.has(name),
      count: () => s.topics.size,
      maxTopics: this.ctx.limits.maxStreamsPerConnection,
      subscribe: (topic) => {
        this.fanout.subscribe(conn, topic);
        if (topic.kind === "kline" || topic.kind === "depth")
          this.variable.set(`${topic.venue} ${topic.name}`, topic);
      },
      unsubscribe: (name) => this.fanout.unsubscribe(conn, name),
      pong: () => conn.heartbeatAnswered(),
    };
  }

  private sendFullDepth(conn: Conn, topic: Topic): void {
    const w = this.wires.get(topic.market)!;
    const s = w.book.snapshot(FULL_DEPTH);
    const now = Date.now();
    const payload =
      w.venue === "spot"
        ? P.spotIncrDepth(topic.name, w.fmt, "all", w.lastUpdateId, s.lastUpdateId, s.bids, s.asks, now)
        : P.swapIncrDepth(topic.name, w.fmt, "all", w.lastUpdateId, s.bids, s.asks, now);
    conn.sendData(gzip(payload));
  }

  private onTrades(batch: TradeBatch): void {
    const w = this.wires.get(batch.market);
    if (!w || batch.trades.length === 0) return;
    const now = Date.now();
    const { venue, symbol, fmt } = w;
    const last = batch.trades[batch.trades.length - 1]!;
    const trade = `${symbol}@trade`;
    const bbo = `${symbol}@bookTicker`;
    const lastPrice = `${symbol}@lastPrice`;
    if (venue === "spot") {
      this.fanout.publish(venue, trade, () =>
        batch.trades.map((t) => P.spotTrade(trade, symbol, fmt, t, now)),
      );
      this.fanout.publish(venue, bbo, () => batch.bbos.map((b) => P.spotBookTicker(bbo, symbol, fmt, b)));
      this.fanout.publish(venue, lastPrice, () => [P.spotLastPrice(lastPrice, symbol, fmt, last.price)]);
    } else {
      this.fanout.publish(venue, trade, () => [P.swapTrades(trade, symbol, fmt, batch.trades)]);
      this.fanout.publish(venue, bbo, () =>
        batch.bbos.map((b) => P.swapBookTicker(bbo, symbol, fmt, b, now)),
      );
      this.fanout.publish(venue, lastPrice, () => [P.swapLastPrice(lastPrice, symbol, fmt, last.price, now)]);
    }
  }

  /** The final values of a finished candle go out once more (the next push opens a new period). */
  private onCandleClosed(market: string, candle: Candle): void {
    for (const topic of this.liveTopics("kline")) {
      if (topic.market === market && topic.interval === candle.interval) this.publishKline(topic, candle);
    }
  }

  private publishKlines(): void {
    for (const topic of this.liveTopics("kline")) {
      this.publishKline(topic, this.ctx.generator.candle(topic.market, topic.interval!));
    }
  }

  private publishKline(topic: Topic, candle: Candle): void {
    const w = this.wires.get(topic.market)!;
    const name = topic.name.slice(topic.name.indexOf("@kline_") + 7);
    this.fanout.publish(topic.venue, topic.name, () => [
      w.venue === "spot"
        ? P.spotKline(topic.name, w.symbol, name, w.fmt, candle, Date.now())
        : P.swapKline(topic.name, w.symbol, w.fmt, candle),
    ]);
  }

  private publishDepth(period: number): void {
    const now = Date.now();
    for (const topic of this.liveTopics("depth")) {
      if (topic.periodMs !== period) continue;
      const w = this.wires.get(topic.market)!;
      this.fanout.publish(topic.venue, topic.name, () => {
        const s = w.book.snapshot(topic.levels!);
        return [
          w.venue === "spot"
            ? P.spotDepth(topic.name, w.fmt, s, now)
            : P.swapDepth(topic.name, w.fmt, s, now),
        ];
      });
    }
  }

  private flushIncrDepth(period: number): void {
    const now = Date.now();
    for (const w of this.wires.values()) {
      if (w.incrPeriodMs !== period) continue;
      const diff = w.incr.drain();
      if (!diff) continue;
      w.lastUpdateId++;
      if (w.skip > 0) {
        w.skip--;
        continue;
      }
      const name = `${w.symbol}@incrDepth`;
      // numbered now: a push held back (out of order) keeps its own lastUpdateId
      const id = w.lastUpdateId;
      w.faults.pass((crossed) => {
        const top = w.book.top();
        const bids = crossed ? crossingBids(diff.bids, [top.askPrice, top.askAmount]) : diff.bids;
        const build = () => [
          w.venue === "spot"
            ? P.spotIncrDepth(name, w.fmt, "update", id, diff.lastUpdateId, bids, diff.asks, now)
            : P.swapIncrDepth(name, w.fmt, "update", id, bids, diff.asks, now),
        ];
        return () => this.fanout.publish(w.venue, name, build);
      });
    }
  }

  private publishTickers(): void {
    const g = this.ctx.generator;
    const now = Date.now();
    for (const w of this.wires.values()) {
      const ticker = `${w.symbol}@ticker`;
      this.fanout.publish(w.venue, ticker, () => [
        w.venue === "spot"
          ? P.spotTicker(ticker, w.symbol, w.fmt, g.ticker(w.market), g.bbo(w.market), now)
          : P.swapTicker(ticker, w.symbol, w.fmt, g.ticker(w.market), g.bbo(w.market), now),
      ]);
      if (w.venue === "swap") {
        const mark = `${w.symbol}@markPrice`;
        this.fanout.publish(w.venue, mark, () => [
          P.swapMarkPrice(mark, w.symbol, w.fmt, g.deriv(w.market), now),
        ]);
      }
    }
  }

  /** Subscribed kline/depth topics that still have listeners (forgets the others). */
  private liveTopics(kind: "kline" | "depth"): Topic[] {
    const out: Topic[] = [];
    for (const [key, topic] of this.variable) {
      if (!this.fanout.has(topic.venue, topic.name)) this.variable.delete(key);
      else if (topic.kind === kind) out.push(topic);
    }
    return out;
  }
}

/**
 * BingX: spot `wss://open-api-ws.bingx.com/market` and USDT-M swap
 * `wss://open-api-swap.bingx.com/swap-market` (paths `/market` and `/swap-market` here), REST of
 * both venues on one host, gzip on every server frame, application-level heartbeats every 5 s
 * (a connection that leaves one unanswered for 30 s is closed), ≤ 200 topics per connection,
 * ≤ 10 client messages per second, 500 REST requests per 10 s.
 */
export const bingxProfile: ExchangeProfile = {
  id: "bingx",
  marketKinds: ["spot", "perp"],
  defaults: {
    pingIntervalMs: 5_000,
    pongTimeoutMs: 30_000,
    maxConnectionAgeMs: 0,
    maxIncomingPerSecond: 10,
    maxStreamsPerConnection: 200,
    restWeightLimit: 500,
    restWeightWindowMs: 10_000,
  },
  create: (ctx) => new BingxRuntime(ctx),
};
