import { INTERVALS } from "../../core/intervals.ts";
import type { DepthDiffTracker } from "../../market/book.ts";
import type { TradeBatch } from "../../market/generator.ts";
import type { Candle } from "../../market/types.ts";
import type { SimConnection } from "../../server/connection.ts";
import { type BookFault, BookFaultQueue, crossingBids } from "../book-faults.ts";
import type { HttpReply, ProfileContext, RestRoute, UpgradeDecision } from "../types.ts";
import { type ControlTarget, handleControl, type ParseResult } from "./control.ts";
import { Fanout } from "./fanout.ts";
import {
  aggTradePayload,
  bookSnapshotPayload,
  bookTickerPayload,
  depthUpdatePayload,
  klinePayload,
  miniTickerPayload,
  tickerPayload,
  tradePayload,
} from "./payloads.ts";
import { matchRest, REST_PATHS } from "./rest.ts";
import type { BinanceSession } from "./session.ts";
import { type BinanceStream, parseStream } from "./streams.ts";
import { SymbolMap } from "./symbols.ts";

type Conn = SimConnection<BinanceSession>;

interface MarketWire {
  market: string;
  /** "BTCUSDT" in payloads. */
  symbol: string;
  /** "btcusdt" in stream names. */
  lower: string;
  depth100: DepthDiffTracker;
  depth1000: DepthDiffTracker;
  /** Book-delta events still to drop (sequence gap on command), per speed. */
  skip100: number;
  skip1000: number;
  /** Book faults on command, per speed (each speed is its own stream of diffs). */
  faults100: BookFaultQueue;
  faults1000: BookFaultQueue;
}

/** Session data carried from the upgrade to the open handler. */
interface PendingSession extends BinanceSession {
  initial: BinanceStream[];
}

/**
 * USD-M streams reachable on an unrouted path: on the real fstream host `/ws` and `/stream` deliver
 * only `/public` data. The spot runtime owns those paths here (one host serves both), and asks the
 * USD-M runtime about symbols that are not spot symbols.
 */
export interface LegacyStreams {
  /** undefined when the name's symbol is not a USD-M symbol. */
  parse(name: string): ParseResult<BinanceStream> | undefined;
  attach(conn: Conn, name: string): void;
  detach(conn: Conn, name: string): void;
  removeConnection(conn: Conn): void;
}

/** Binance spot: stream.binance.com WebSocket streams and api.binance.com REST. */
export class SpotRuntime {
  readonly symbols: SymbolMap;
  private readonly fanout = new Fanout<BinanceStream>();
  private readonly wires = new Map<string, MarketWire>();
  private readonly unlisten: () => void;

  constructor(
    private readonly ctx: ProfileContext,
    private readonly legacy?: LegacyStreams,
  ) {
    this.symbols = new SymbolMap(ctx.generator);
    for (const market of this.symbols.markets()) {
      const symbol = this.symbols.symbol(market);
      const book = ctx.generator.book(market);
      this.wires.set(market, {
        market,
        symbol,
        lower: symbol.toLowerCase(),
        depth100: book.createTracker(),
        depth1000: book.createTracker(),
        skip100: 0,
        skip1000: 0,
        faults100: new BookFaultQueue(),
        faults1000: new BookFaultQueue(),
      });
    }
    this.unlisten = ctx.generator.addListener({
      onTrades: (b) => this.onTrades(b),
      onCandleClosed: (m, c) => this.onCandleClosed(m, c),
    });
    ctx.every(100, () => {
      this.flushDepth(100);
      this.publishPartialDepth(100);
    });
    ctx.every(1000, () => {
      this.flushDepth(1000);
      this.publishPartialDepth(1000);
      this.publishTickers();
      this.publishKlines(true);
    });
    ctx.every(2000, () => this.publishKlines(false));
  }

  upgrade(url: URL): UpgradeDecision | undefined {
    const path = url.pathname;
    let names: string[];
    let combined: boolean;
    if (path === "/ws" || path.startsWith("/ws/")) {
      names = path.slice(4).split("/");
      combined = false;
    } else if (path === "/stream" || path === "/stream/") {
      names = (url.searchParams.get("streams") ?? "").split("/");
      combined = true;
    } else {
      return undefined;
    }
    const initial: BinanceStream[] = [];
    for (const raw of names) {
      if (raw === "") continue;
      let name = raw;
      try {
        name = decodeURIComponent(raw);
      } catch {
        // keep it as sent; parseStream refuses it
      }
      const r = this.parse(name);
      if (!r.ok) return { accept: false, reply: { status: 400, body: { code: -1100, msg: r.reason } } };
      if (!initial.some((s) => s.name === r.stream.name)) initial.push(r.stream);
    }
    if (initial.length > this.ctx.limits.maxStreamsPerConnection) {
      const msg = `too many streams, the limit is ${this.ctx.limits.maxStreamsPerConnection} per connection`;
      return { accept: false, reply: { status: 400, body: { code: -1100, msg } } };
    }
    const session: PendingSession = { combined, streams: new Map(), initial };
    return { accept: true, session };
  }

  onOpen(conn: SimConnection): void {
    const c = conn as Conn;
    const pending = c.session as PendingSession;
    this.subscribe(c, pending.initial);
    pending.initial = [];
  }

  onMessage(conn: SimConnection, text: string): void {
    const c = conn as Conn;
    c.sendControl(handleControl(text, this.controlTarget(c)));
  }

  onClose(conn: SimConnection): void {
    this.fanout.removeConnection(conn as Conn);
    this.legacy?.removeConnection(conn as Conn);
  }

  rest(method: string, url: URL): RestRoute | undefined {
    return matchRest(method, url, {
      generator: this.ctx.generator,
      truth: this.ctx.truth,
      symbols: this.symbols,
      weightLimit: this.ctx.limits.restWeightLimit,
    });
  }

  rateLimitedReply(retryAfterSec: number): HttpReply {
    const limit = this.ctx.limits.restWeightLimit;
    return {
      status: 429,
      headers: { "Retry-After": String(retryAfterSec) },
      body: {
        code: -1003,
        msg: `Too much request weight used; current limit is ${limit} request weight per 1 MINUTE. Please use WebSocket Streams for live updates to avoid polling the API.`,
      },
    };
  }

  weightHeaders(used: number): Record<string, string> {
    return { "X-MBX-USED-WEIGHT": String(used), "X-MBX-USED-WEIGHT-1m": String(used) };
  }

  /** A symbol for malformed frames. */
  sample(): { lower: string; symbol: string } | undefined {
    return this.wires.values().next().value;
  }

  skipBookUpdates(market: string, count: number): void {
    const w = this.wires.get(market);
    if (!w) throw new Error(`simulator: unknown market ${market}`);
    w.skip100 += count;
    w.skip1000 += count;
  }

  injectBookFault(market: string, fault: BookFault): void {
    const w = this.wires.get(market);
    if (!w) throw new Error(`simulator: unknown market ${market}`);
    w.faults100.inject(fault);
    w.faults1000.inject(fault);
  }

  info(): Record<string, unknown> {
    return {
      ws: { raw: "/ws/<stream>[/<stream>...]", combined: "/stream?streams=<stream>/<stream>" },
      streamTypes: [
        "<symbol>@trade",
        "<symbol>@aggTrade",
        "<symbol>@bookTicker",
        "<symbol>@ticker",
        "<symbol>@miniTicker",
        "<symbol>@kline_<interval>",
        "<symbol>@depth",
        "<symbol>@depth@100ms",
        "<symbol>@depth<5|10|20>[@100ms]",
      ],
      symbols: this.symbols.symbols(),
      rest: REST_PATHS,
    };
  }

  stop(): void {
    this.unlisten();
    for (const w of this.wires.values()) {
      const book = this.ctx.generator.book(w.market);
      book.removeTracker(w.depth100);
      book.removeTracker(w.depth1000);
    }
  }

  private parse(name: string): ParseResult<BinanceStream> {
    const r = parseStream(name, this.symbols);
    if (r.ok || !this.legacy) return r;
    return this.legacy.parse(name) ?? r;
  }

  /** Spot streams go to this fan-out; USD-M streams are listed here and delivered by USD-M's. */
  private subscribe(conn: Conn, streams: readonly BinanceStream[]): void {
    const spot: BinanceStream[] = [];
    for (const s of streams) {
      if (s.kind !== "usdm") spot.push(s);
      else if (!conn.session.streams.has(s.name)) {
        conn.session.streams.set(s.name, s);
        this.legacy?.attach(conn, s.name);
      }
    }
    this.fanout.subscribe(conn, spot);
  }

  private unsubscribe(conn: Conn, names: readonly string[]): void {
    for (const n of names) if (conn.session.streams.get(n)?.kind === "usdm") this.legacy?.detach(conn, n);
    this.fanout.unsubscribe(conn, names);
  }

  private controlTarget(conn: Conn): ControlTarget<BinanceStream> {
    const s = conn.session;
    return {
      parse: (name) => this.parse(name),
      list: () => [...s.streams.keys()],
      has: (name) => s.streams.has(name),
      count: () => s.streams.size,
      maxStreams: this.ctx.limits.maxStreamsPerConnection,
      subscribe: (streams) => this.subscribe(conn, streams),
      unsubscribe: (names) => this.unsubscribe(conn, names),
      getCombined: () => s.combined,
      setCombined: (v) => {
        s.combined = v;
      },
    };
  }

  private onTrades(batch: TradeBatch): void {
    const w = this.wires.get(batch.market);
    if (!w) return;
    const now = Date.now();
    const { symbol, lower } = w;
    this.fanout.publishLazy(`${lower}@trade`, () => batch.trades.map((t) => tradePayload(symbol, t, now)));
    this.fanout.publishLazy(`${lower}@aggTrade`, () =>
      batch.trades.map((t) => aggTradePayload(symbol, t, now)),
    );
    this.fanout.publishLazy(`${lower}@bookTicker`, () => batch.bbos.map((b) => bookTickerPayload(symbol, b)));
  }

  private onCandleClosed(market: string, candle: Candle): void {
    const w = this.wires.get(market);
    if (!w) return;
    this.fanout.publishLazy(`${w.lower}@kline_${candle.interval}`, () => [
      klinePayload(w.symbol, candle, Date.now()),
    ]);
  }

  private flushDepth(speed: 100 | 1000): void {
    const now = Date.now();
    for (const w of this.wires.values()) {
      const diff = (speed === 100 ? w.depth100 : w.depth1000).drain();
      if (!diff) continue;
      if (speed === 100 && w.skip100 > 0) {
        w.skip100--;
        continue;
      }
      if (speed === 1000 && w.skip1000 > 0) {
        w.skip1000--;
        continue;
      }
      (speed === 100 ? w.faults100 : w.faults1000).pass((crossed) => {
        const top = this.ctx.generator.book(w.market).top();
        const sent = crossed
          ? { ...diff, bids: crossingBids(diff.bids, [top.askPrice, top.askAmount]) }
          : diff;
        const build = () => [depthUpdatePayload(w.symbol, sent, now)];
        return () => {
          if (speed === 100) this.fanout.publishLazy(`${w.lower}@depth@100ms`, build);
          else {
            this.fanout.publishLazy(`${w.lower}@depth`, build);
            this.fanout.publishLazy(`${w.lower}@depth@1000ms`, build);
          }
        };
      });
    }
  }

  private publishPartialDepth(speed: 100 | 1000): void {
    const suffix = speed === 100 ? "@100ms" : "";
    for (const w of this.wires.values()) {
      for (const levels of [5, 10, 20]) {
        const build = () => [bookSnapshotPayload(this.ctx.generator.book(w.market).snapshot(levels))];
        this.fanout.publishLazy(`${w.lower}@depth${levels}${suffix}`, build);
        if (speed === 1000) this.fanout.publishLazy(`${w.lower}@depth${levels}@1000ms`, build);
      }
    }
  }

  private publishTickers(): void {
    const now = Date.now();
    const g = this.ctx.generator;
    for (const w of this.wires.values()) {
      this.fanout.publishLazy(`${w.lower}@ticker`, () => [
        tickerPayload(w.symbol, g.ticker(w.market), g.bbo(w.market), now),
      ]);
      this.fanout.publishLazy(`${w.lower}@miniTicker`, () => [
        miniTickerPayload(w.symbol, g.ticker(w.market), now),
      ]);
    }
  }

  /** Live kline updates: every 1000 ms for 1s, every 2000 ms for the other intervals. */
  private publishKlines(oneSecond: boolean): void {
    const now = Date.now();
    for (const w of this.wires.values()) {
      for (const interval of INTERVALS) {
        if ((interval === "1s") !== oneSecond) continue;
        this.fanout.publishLazy(`${w.lower}@kline_${interval}`, () => [
          klinePayload(w.symbol, this.ctx.generator.candle(w.market, interval), now),
        ]);
      }
    }
  }
}
