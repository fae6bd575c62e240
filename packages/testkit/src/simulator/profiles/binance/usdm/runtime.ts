import { INTERVALS } from "../../../core/intervals.ts";
import type { DepthDiffTracker } from "../../../market/book.ts";
import type { TradeBatch } from "../../../market/generator.ts";
import type { Candle, SimLiquidation } from "../../../market/types.ts";
import type { SimConnection } from "../../../server/connection.ts";
import type { ConnectionRules } from "../../../server/connections.ts";
import { WeightLimiter } from "../../../server/weight-limiter.ts";
import { type BookFault, BookFaultQueue, crossingBids } from "../../book-faults.ts";
import type { HttpReply, ProfileContext, RestBudget, RestRoute, UpgradeDecision } from "../../types.ts";
import { type ControlTarget, handleControl, type ParseResult } from "../control.ts";
import { Fanout, type StreamSession } from "../fanout.ts";
import type { LegacyStreams } from "../spot-runtime.ts";
import type { BinanceStream } from "../streams.ts";
import {
  aggTradePayload,
  bookTickerPayload,
  depthUpdatePayload,
  forceOrderPayload,
  klinePayload,
  markPricePayload,
  tickerPayload,
  type WireFormat,
  wireFormat,
} from "./payloads.ts";
import { matchUsdmRest, USDM_REST_PATHS } from "./rest.ts";
import { parseUsdmStream, type UsdmRoute, type UsdmStream } from "./streams.ts";
import { UsdmSymbolMap } from "./symbols.ts";

interface UsdmSession extends StreamSession<UsdmStream> {
  /** The routed path the connection came in on: only its streams deliver. */
  route: UsdmRoute;
}

interface PendingSession extends UsdmSession {
  initial: UsdmStream[];
}

type Conn = SimConnection<UsdmSession>;

type DepthSpeed = 100 | 250 | 500;
const DEPTH_SPEEDS: readonly DepthSpeed[] = [100, 250, 500];

interface DepthFeed {
  tracker: DepthDiffTracker;
  /** u of the last generated event (sent or skipped): the next event's pu. */
  prevU: number;
  /** Events still to drop (sequence gap on command). */
  skip: number;
  /** Book faults on command. */
  faults: BookFaultQueue;
}

interface MarketWire {
  market: string;
  symbol: string;
  lower: string;
  format: WireFormat;
  depth: Record<DepthSpeed, DepthFeed>;
  /** The latest liquidation of the current second: @forceOrder is a 1000 ms snapshot. */
  liquidation: SimLiquidation | undefined;
}

/** The USD-M part of the Binance profile's limits. */
export interface UsdmLimits {
  rules: ConnectionRules;
  restWeightLimit: number;
}

const PATH_RE = /^\/(public|market)\/(ws|stream)(?:\/(.*))?$/;

/**
 * Binance USD-M futures: fstream.binance.com's routed paths `/public/ws|stream` (book streams)
 * and `/market/ws|stream` (everything else) and fapi.binance.com REST, for the perpetual markets.
 * A stream subscribed on the other route is acknowledged, listed, and never delivers (as on the
 * real exchange since 2026); the unrouted `/ws` and `/stream` get `/public` data only (see
 * `legacy()`).
 */
export class UsdmRuntime {
  readonly symbols: UsdmSymbolMap;
  private readonly fanout = new Fanout<UsdmStream>();
  private readonly wires = new Map<string, MarketWire>();
  private readonly unlisten: () => void;
  private readonly budget: RestBudget;

  constructor(
    private readonly ctx: ProfileContext,
    private readonly limits: UsdmLimits,
  ) {
    this.symbols = new UsdmSymbolMap(ctx.generator);
    for (const market of this.symbols.markets()) {
      const symbol = this.symbols.symbol(market);
      const book = ctx.generator.book(market);
      const feed = (): DepthFeed => ({
        tracker: book.createTracker(),
        prevU: book.lastUpdateId,
        skip: 0,
        faults: new BookFaultQueue(),
      });
      this.wires.set(market, {
        market,
        symbol,
        lower: symbol.toLowerCase(),
        format: wireFormat(ctx.generator.spec(market)),
        depth: { 100: feed(), 250: feed(), 500: feed() },
        liquidation: undefined,
      });
    }
    const limiter = new WeightLimiter(limits.restWeightLimit, ctx.limits.restWeightWindowMs);
    this.budget = {
      limiter,
      rateLimitedReply: (s) => this.rateLimitedReply(s),
      weightHeaders: (used) => ({ "X-MBX-USED-WEIGHT-1m": String(used) }),
    };
    this.unlisten = ctx.generator.addListener({
      onTrades: (b) => this.onTrades(b),
      onCandleClosed: (m, c) => this.onCandleClosed(m, c),
      onLiquidation: (m, l) => {
        const w = this.wires.get(m);
        if (w) w.liquidation = l;
      },
    });
    if (this.wires.size === 0) return;
    ctx.every(100, () => this.flushDepth(100));
    ctx.every(250, () => {
      this.flushDepth(250);
      this.publishKlines();
    });
    ctx.every(500, () => this.flushDepth(500));
    ctx.every(1000, () => {
      this.publishMarkPrices("@markPrice@1s");
      this.publishLiquidations();
    });
    ctx.every(2000, () => this.publishTickers());
    ctx.every(3000, () => this.publishMarkPrices("@markPrice"));
  }

  /** REST weight used in fapi's window (for /_sim introspection). */
  usedWeight(): number {
    return this.budget.limiter.current();
  }

  upgrade(url: URL): UpgradeDecision | undefined {
    const m = PATH_RE.exec(url.pathname);
    if (!m) return undefined;
    const route = m[1] as UsdmRoute;
    const combined = m[2] === "stream";
    const names = combined ? (url.searchParams.get("streams") ?? "").split("/") : (m[3] ?? "").split("/");
    const initial: UsdmStream[] = [];
    for (const raw of names) {
      if (raw === "") continue;
      let name = raw;
      try {
        name = decodeURIComponent(raw);
      } catch {
        // keep it as sent; the parser refuses it
      }
      const r = this.parse(name);
      if (!r.ok) return { accept: false, reply: { status: 400, body: { code: -1100, msg: r.reason } } };
      if (!initial.some((s) => s.name === r.stream.name)) initial.push(r.stream);
    }
    if (initial.length > this.ctx.limits.maxStreamsPerConnection) {
      const msg = `too many streams, the limit is ${this.ctx.limits.maxStreamsPerConnection} per connection`;
      return { accept: false, reply: { status: 400, body: { code: -1100, msg } } };
    }
    const session: PendingSession = { combined, route, streams: new Map(), initial };
    return { accept: true, session, rules: this.limits.rules };
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
  }

  rest(method: string, url: URL): RestRoute | undefined {
    if (!url.pathname.startsWith("/fapi/")) return undefined;
    return matchUsdmRest(method, url, {
      generator: this.ctx.generator,
      truth: this.ctx.truth,
      symbols: this.symbols,
      format: (m) => this.wire(m).format,
      budget: this.budget,
    });
  }

  /** USD-M streams on the unrouted paths the spot runtime owns: only `/public` ones deliver. */
  legacy(): LegacyStreams {
    return {
      parse: (name) => {
        const r = parseUsdmStream(name, this.symbols);
        if (!r) return undefined;
        return r.ok
          ? { ok: true, stream: { kind: "usdm", name: r.stream.name, market: r.stream.market } }
          : (r as ParseResult<BinanceStream>);
      },
      attach: (conn, name) => {
        const r = parseUsdmStream(name, this.symbols);
        if (r?.ok && r.stream.route === "public") this.fanout.attach(conn, name);
      },
      detach: (conn, name) => this.fanout.detach(conn, name),
      removeConnection: (conn) => this.fanout.removeConnection(conn),
    };
  }

  has(market: string): boolean {
    return this.wires.has(market);
  }

  skipBookUpdates(market: string, count: number): void {
    const w = this.wire(market);
    for (const s of DEPTH_SPEEDS) w.depth[s].skip += count;
  }

  injectBookFault(market: string, fault: BookFault): void {
    const w = this.wire(market);
    for (const s of DEPTH_SPEEDS) w.depth[s].faults.inject(fault);
  }

  /** A symbol for malformed frames. */
  sample(): { lower: string; symbol: string } | undefined {
    return this.wires.values().next().value;
  }

  info(): Record<string, unknown> {
    return {
      ws: {
        public: "/public/ws/<stream> | /public/stream?streams=… (@depth*, @bookTicker)",
        market: "/market/ws/<stream> | /market/stream?streams=… (everything else)",
        unrouted: "/ws, /stream deliver /public streams only",
      },
      streamTypes: [
        "<symbol>@aggTrade",
        "<symbol>@bookTicker",
        "<symbol>@ticker",
        "<symbol>@kline_<interval>",
        "<symbol>@depth[@100ms|@250ms|@500ms]",
        "<symbol>@markPrice[@1s]",
        "<symbol>@forceOrder",
      ],
      symbols: this.symbols.symbols(),
      rest: USDM_REST_PATHS,
      restWeightLimit: this.budget.limiter.limit,
    };
  }

  stop(): void {
    this.unlisten();
    for (const w of this.wires.values()) {
      const book = this.ctx.generator.book(w.market);
      for (const s of DEPTH_SPEEDS) book.removeTracker(w.depth[s].tracker);
    }
  }

  private rateLimitedReply(retryAfterSec: number): HttpReply {
    return {
      status: 429,
      headers: { "Retry-After": String(retryAfterSec) },
      body: {
        code: -1003,
        msg: `Too many requests; current limit of IP is ${this.budget.limiter.limit} requests per minute. Please use the websocket for live updates to avoid polling the API.`,
      },
    };
  }

  private wire(market: string): MarketWire {
    const w = this.wires.get(market);
    if (!w) throw new Error(`simulator: unknown USD-M market ${market}`);
    return w;
  }

  private parse(name: string): ParseResult<UsdmStream> {
    return parseUsdmStream(name, this.symbols) ?? { ok: false, reason: `invalid stream name "${name}"` };
  }

  /** Listed either way; delivered only when the stream belongs to the connection's route. */
  private subscribe(conn: Conn, streams: readonly UsdmStream[]): void {
    const s = conn.session;
    for (const stream of streams) {
      if (s.streams.has(stream.name)) continue;
      s.streams.set(stream.name, stream);
      if (stream.route === s.route) this.fanout.attach(conn, stream.name);
    }
  }

  private controlTarget(conn: Conn): ControlTarget<UsdmStream> {
    const s = conn.session;
    return {
      parse: (name) => this.parse(name),
      list: () => [...s.streams.keys()],
      has: (name) => s.streams.has(name),
      count: () => s.streams.size,
      maxStreams: this.ctx.limits.maxStreamsPerConnection,
      subscribe: (streams) => this.subscribe(conn, streams),
      unsubscribe: (names) => this.fanout.unsubscribe(conn, names),
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
    const { symbol, lower, format } = w;
    this.fanout.publishLazy(`${lower}@aggTrade`, () =>
      batch.trades.map((t) => aggTradePayload(symbol, format, t, now)),
    );
    this.fanout.publishLazy(`${lower}@bookTicker`, () =>
      batch.bbos.map((b) => bookTickerPayload(symbol, format, b, now)),
    );
  }

  private onCandleClosed(market: string, candle: Candle): void {
    const w = this.wires.get(market);
    if (!w || candle.interval === "1s") return;
    this.fanout.publishLazy(`${w.lower}@kline_${candle.interval}`, () => [
      klinePayload(w.symbol, w.format, candle, Date.now()),
    ]);
  }

  private flushDepth(speed: DepthSpeed): void {
    const now = Date.now();
    const suffix = speed === 250 ? ["@depth", "@depth@250ms"] : [`@depth@${speed}ms`];
    for (const w of this.wires.values()) {
      const feed = w.depth[speed];
      const diff = feed.tracker.drain();
      if (!diff) continue;
      const prevU = feed.prevU;
      feed.prevU = diff.lastUpdateId;
      if (feed.skip > 0) {
        feed.skip--;
        continue;
      }
      feed.faults.pass((crossed) => {
        const top = this.ctx.generator.book(w.market).top();
        const sent = crossed
          ? { ...diff, bids: crossingBids(diff.bids, [top.askPrice, top.askAmount]) }
          : diff;
        const build = () => [depthUpdatePayload(w.symbol, w.format, sent, prevU, now)];
        return () => {
          for (const s of suffix) this.fanout.publishLazy(`${w.lower}${s}`, build);
        };
      });
    }
  }

  /** Live kline updates every 250 ms (futures have no 1s interval). */
  private publishKlines(): void {
    const now = Date.now();
    for (const w of this.wires.values()) {
      for (const interval of INTERVALS) {
        if (interval === "1s") continue;
        this.fanout.publishLazy(`${w.lower}@kline_${interval}`, () => [
          klinePayload(w.symbol, w.format, this.ctx.generator.candle(w.market, interval), now),
        ]);
      }
    }
  }

  private publishMarkPrices(suffix: "@markPrice" | "@markPrice@1s"): void {
    const now = Date.now();
    for (const w of this.wires.values()) {
      this.fanout.publishLazy(`${w.lower}${suffix}`, () => [
        markPricePayload(w.symbol, this.ctx.generator.deriv(w.market), now),
      ]);
    }
  }

  private publishLiquidations(): void {
    const now = Date.now();
    for (const w of this.wires.values()) {
      const l = w.liquidation;
      if (!l) continue;
      w.liquidation = undefined;
      this.fanout.publishLazy(`${w.lower}@forceOrder`, () => [forceOrderPayload(w.symbol, w.format, l, now)]);
    }
  }

  private publishTickers(): void {
    const now = Date.now();
    for (const w of this.wires.values()) {
      this.fanout.publishLazy(`${w.lower}@ticker`, () => [
        tickerPayload(w.symbol, w.format, this.ctx.generator.ticker(w.market), now),
      ]);
    }
  }
}
