import type { DepthDiffTracker } from "../../market/book.ts";
import type { TradeBatch } from "../../market/generator.ts";
import type { MarketSpec } from "../../market/spec.ts";
import type { Bbo } from "../../market/types.ts";
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
import { type ControlRequest, parseControl } from "./control.ts";
import { malformedFrames } from "./malformed.ts";
import { matchRest, REST_PATHS } from "./rest.ts";
import { type CoinbaseSession, newSession, streamCount, type WsChannel } from "./session.ts";
import {
  candleEvent,
  envelope,
  errorFrame,
  heartbeatEvent,
  l2Event,
  statusEvent,
  subscriptionsEvent,
  tickerEvent,
  tradesEvent,
} from "./wire.ts";

type Conn = SimConnection<CoinbaseSession>;

/**
 * Coinbase Advanced Trade market data on one local port: the WebSocket on `/` and the public REST
 * under `/api/v3/brokerage/market`. What it enforces, as Coinbase does:
 * - one channel per subscribe message (`channels: [...]` is refused with an error frame);
 * - a first subscribe within 5 s of the open, else the connection is closed;
 * - a channel without updates for `pongTimeoutMs` (Coinbase: 60–90 s; the option is reused since
 *   Coinbase has no ping/pong) is closed unless the connection subscribed `heartbeats`; a
 *   connection left with no channel is closed;
 * - `sequence_num` per connection across all channels; frames lost to a stall or to
 *   skipBookUpdates still consume their numbers, so the client sees the gap;
 * - level2 pushes arrive as `l2_data`: a snapshot of the whole simulated book on subscribe, then
 *   absolute-quantity updates every 100 ms;
 * - market_trades `side` is the maker's side; the `subscriptions` answer comes after the snapshots.
 */

/** Coinbase's subscribe deadline after the open. */
export const SUBSCRIBE_DEADLINE_MS = 5000;
const SNAPSHOT_TRADES = 100;
/** ticker_batch publishes every 5 s when something changed. */
const TICKER_BATCH_MS = 5000;

const WIRE_NAME: Record<WsChannel, string> = {
  heartbeats: "heartbeats",
  candles: "candles",
  status: "status",
  ticker: "ticker",
  ticker_batch: "ticker_batch",
  level2: "l2_data",
  market_trades: "market_trades",
};

interface MarketWire {
  market: string;
  spec: MarketSpec;
  depth: DepthDiffTracker;
  /** Book updates still to drop (sequence gap on command). */
  skip: number;
  /** Book faults on command. */
  faults: BookFaultQueue;
  /** The 5m candle last sent, to send only changes. */
  lastCandle: string;
  tickerChanged: boolean;
  lastBbo: Bbo | undefined;
}

class CoinbaseRuntime implements ProfileRuntime {
  private readonly wires = new Map<string, MarketWire>();
  /** `<channel>:<product>` → listening connections. */
  private readonly index = new TopicIndex<Conn>();
  private readonly unlisten: () => void;

  constructor(private readonly ctx: ProfileContext) {
    for (const market of ctx.generator.markets) {
      const spec = ctx.generator.spec(market);
      if (spec.kind !== "spot") continue; // Advanced Trade spot only
      this.wires.set(market, {
        market,
        spec,
        depth: ctx.generator.book(market).createTracker(),
        skip: 0,
        faults: new BookFaultQueue(),
        lastCandle: "",
        tickerChanged: false,
        lastBbo: undefined,
      });
    }
    this.unlisten = ctx.generator.addListener({ onTrades: (b) => this.onTrades(b) });
    ctx.every(100, () => this.flushBooks());
    ctx.every(250, () => this.enforceIdle());
    ctx.every(1000, () => {
      this.publishCandles();
      this.publishHeartbeats();
    });
    ctx.every(TICKER_BATCH_MS, () => this.publishTickerBatch());
  }

  upgrade(url: URL): UpgradeDecision | undefined {
    if (url.pathname !== "/") return undefined;
    return { accept: true, session: newSession() };
  }

  onOpen(conn: SimConnection): void {
    const c = conn as Conn;
    c.timers.push(
      setTimeout(() => {
        if (c.open && !c.session.subscribed) c.close("pongTimeout", 1008, "subscribe timeout");
      }, SUBSCRIBE_DEADLINE_MS),
    );
  }

  onMessage(conn: SimConnection, text: string): void {
    const c = conn as Conn;
    const r = parseControl(text, (id) => this.wires.has(id));
    if (!r.ok) {
      c.sendControl(errorFrame(r.message, r.reason));
      return;
    }
    if (r.request.type === "subscribe") this.subscribe(c, r.request);
    else this.unsubscribe(c, r.request);
    this.send(c, "subscriptions", subscriptionsEvent(c.session.subscriptions), true);
  }

  onClose(conn: SimConnection): void {
    const c = conn as Conn;
    for (const [channel, products] of c.session.subscriptions) {
      for (const p of products) this.index.remove(`${channel}:${p}`, c);
    }
  }

  rest(method: string, url: URL): RestRoute | undefined {
    return matchRest(method, url, {
      generator: this.ctx.generator,
      truth: this.ctx.truth,
      market: (id) => (this.wires.has(id) ? id : undefined),
    });
  }

  rateLimitedReply(retryAfterSec: number): HttpReply {
    return {
      status: 429,
      headers: { "Retry-After": String(retryAfterSec) },
      body: {
        error: "RATE_LIMIT_EXCEEDED",
        error_details: "Too many requests",
        message: "Too many requests",
      },
    };
  }

  /** Coinbase reports no usage on public endpoints. */
  weightHeaders(): Record<string, string> {
    return {};
  }

  isSubscribed(conn: SimConnection): boolean {
    return (conn as Conn).session.subscriptions.size > 0;
  }

  malformedFrames(count: number): string[] {
    return malformedFrames(count, this.wires.keys().next().value ?? "BTC-USD");
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
      ws: {
        path: "/",
        subscribe:
          '{"type":"subscribe","product_ids":["BTC-USD"],"channel":"level2"} (one channel per message)',
        channels: Object.keys(WIRE_NAME),
      },
      products: [...this.wires.keys()],
      rest: REST_PATHS,
    };
  }

  stop(): void {
    this.unlisten();
    for (const w of this.wires.values()) this.ctx.generator.book(w.market).removeTracker(w.depth);
  }

  // --- frames

  /**
   * Sends one frame to a connection with its next sequence number. A frame a stall suppresses still
   * consumes its number (the client sees the gap). Replies are not stalled.
   */
  private send(c: Conn, channel: WsChannel | "subscriptions", events: string, reply = false): void {
    const frame = this.frame(c, channel, events);
    if (reply) c.sendControl(frame);
    else c.sendData(frame);
  }

  /** One frame of a connection with its next sequence number (used even if the frame is never sent). */
  private frame(c: Conn, channel: WsChannel | "subscriptions", events: string): string {
    const s = c.session;
    const wire = channel === "subscriptions" ? channel : WIRE_NAME[channel];
    if (channel !== "subscriptions") s.lastUpdate.set(channel, Date.now());
    // µs in the envelope time, as Coinbase's ns: two tickers in one millisecond stay distinct
    return envelope(wire, s.seq++, performance.timeOrigin + performance.now(), events);
  }

  private listeners(channel: WsChannel, market: string): ReadonlySet<Conn> | undefined {
    return this.index.get(`${channel}:${market}`);
  }

  private subscribe(c: Conn, r: ControlRequest): void {
    const s = c.session;
    s.subscribed = true;
    let products = s.subscriptions.get(r.channel);
    const fresh = r.products.filter((p) => !products?.has(p));
    if (
      r.channel !== "heartbeats" &&
      streamCount(s) + fresh.length > this.ctx.limits.maxStreamsPerConnection
    ) {
      c.sendControl(
        errorFrame(
          "failure to subscribe",
          `too many subscriptions, the limit is ${this.ctx.limits.maxStreamsPerConnection} per connection`,
        ),
      );
      return;
    }
    if (!products) {
      products = new Set();
      s.subscriptions.set(r.channel, products);
      s.lastUpdate.set(r.channel, Date.now());
    }
    for (const p of fresh) {
      products.add(p);
      this.index.add(`${r.channel}:${p}`, c);
      this.snapshot(c, r.channel, p);
    }
    if (r.channel === "status") this.send(c, "status", statusEvent("snapshot", this.specs()));
  }

  private unsubscribe(c: Conn, r: ControlRequest): void {
    const products = c.session.subscriptions.get(r.channel);
    if (!products) return;
    const drop = r.products.length === 0 ? [...products] : r.products;
    for (const p of drop) {
      if (!products.delete(p)) continue;
      this.index.remove(`${r.channel}:${p}`, c);
    }
    if (products.size === 0) c.session.subscriptions.delete(r.channel);
  }

  /** What a channel sends a new subscriber of a product first. */
  private snapshot(c: Conn, channel: WsChannel, market: string): void {
    const w = this.wires.get(market)!;
    const g = this.ctx.generator;
    const now = Date.now();
    switch (channel) {
      case "level2":
        this.send(
          c,
          channel,
          l2Event("snapshot", market, g.book(market).snapshot(Number.MAX_SAFE_INTEGER), now, w.spec),
        );
        return;
      case "market_trades":
        this.send(
          c,
          channel,
          tradesEvent("snapshot", market, this.ctx.truth.recentTrades(market, SNAPSHOT_TRADES), w.spec),
        );
        return;
      case "ticker":
        this.send(c, channel, tickerEvent("snapshot", market, g.ticker(market), g.bbo(market), w.spec));
        return;
      case "ticker_batch":
        this.send(c, channel, tickerEvent("snapshot", market, g.ticker(market), undefined, w.spec));
        return;
      case "candles":
        this.send(c, channel, candleEvent("snapshot", market, g.candle(market, "5m"), w.spec));
        return;
      default:
        return; // heartbeats and status have no per-product snapshot
    }
  }

  private specs(): [string, MarketSpec][] {
    return [...this.wires.values()].map((w) => [w.market, w.spec]);
  }

  // --- market events

  private onTrades(batch: TradeBatch): void {
    const w = this.wires.get(batch.market);
    if (!w) return;
    w.tickerChanged = true;
    w.lastBbo = batch.bbos.at(-1);
    const trades = this.listeners("market_trades", w.market);
    if (trades) {
      const events = tradesEvent("update", w.market, batch.trades, w.spec);
      for (const c of trades) this.send(c, "market_trades", events);
    }
    const tickers = this.listeners("ticker", w.market);
    if (tickers) {
      // one ticker per batch of matches, as Coinbase batches cascading matches
      const events = tickerEvent("update", w.market, this.ctx.generator.ticker(w.market), w.lastBbo, w.spec);
      for (const c of tickers) this.send(c, "ticker", events);
    }
  }

  private flushBooks(): void {
    const now = Date.now();
    for (const w of this.wires.values()) {
      const diff = w.depth.drain();
      if (!diff) continue;
      const subs = this.listeners("level2", w.market);
      if (w.skip > 0) {
        w.skip--;
        // lost on the way: the numbers are used, nothing arrives
        if (subs) for (const c of subs) c.session.seq++;
        continue;
      }
      if (!subs) continue;
      w.faults.pass((crossed) => {
        const top = this.ctx.generator.book(w.market).top();
        const sent = crossed
          ? { ...diff, bids: crossingBids(diff.bids, [top.askPrice, top.askAmount]) }
          : diff;
        const events = l2Event("update", w.market, sent, now, w.spec);
        // numbered now: a frame held back (out of order) or sent twice keeps its sequence_num
        const frames = [...subs].map((c): [Conn, string] => [c, this.frame(c, "level2", events)]);
        return () => {
          for (const [c, frame] of frames) c.sendData(frame);
        };
      });
    }
  }

  private publishCandles(): void {
    for (const w of this.wires.values()) {
      const subs = this.listeners("candles", w.market);
      if (!subs) continue;
      const candle = this.ctx.generator.candle(w.market, "5m");
      const key = `${candle.openTime}:${candle.close}:${candle.volume}:${candle.high}:${candle.low}`;
      if (key === w.lastCandle || candle.trades === 0) continue;
      w.lastCandle = key;
      const events = candleEvent("update", w.market, candle, w.spec);
      for (const c of subs) this.send(c, "candles", events);
    }
  }

  private publishTickerBatch(): void {
    for (const w of this.wires.values()) {
      if (!w.tickerChanged) continue;
      w.tickerChanged = false;
      const subs = this.listeners("ticker_batch", w.market);
      if (!subs) continue;
      const events = tickerEvent("update", w.market, this.ctx.generator.ticker(w.market), undefined, w.spec);
      for (const c of subs) this.send(c, "ticker_batch", events);
    }
  }

  private publishHeartbeats(): void {
    const now = Date.now();
    for (const conn of this.ctx.connections()) {
      const c = conn as Conn;
      if (!c.open || !c.session.subscriptions.has("heartbeats")) continue;
      // A keepalive, not data: it continues through a stall (only a silent one withholds it).
      this.send(c, "heartbeats", heartbeatEvent(now, c.session.heartbeatCounter++), true);
    }
  }

  /** Channels idle too long close unless the connection has heartbeats; an empty connection closes. */
  private enforceIdle(): void {
    const idleMs = this.ctx.limits.pongTimeoutMs;
    if (idleMs <= 0) return;
    const now = Date.now();
    for (const conn of this.ctx.connections()) {
      const c = conn as Conn;
      const s = c.session;
      if (!c.open || !s.subscribed || s.subscriptions.has("heartbeats")) continue;
      for (const [channel, products] of [...s.subscriptions]) {
        if (now - (s.lastUpdate.get(channel) ?? 0) <= idleMs) continue;
        for (const p of products) this.index.remove(`${channel}:${p}`, c);
        s.subscriptions.delete(channel);
      }
      if (s.subscriptions.size === 0) c.close("pongTimeout", 1000, "idle");
    }
  }
}

/** Coinbase Advanced Trade: advanced-trade-ws.coinbase.com and api.coinbase.com, on one local port. */
export const coinbaseProfile: ExchangeProfile = {
  id: "coinbase",
  marketKinds: ["spot"],
  defaults: {
    // no WebSocket pings: the heartbeats channel is the keepalive
    pingIntervalMs: 0,
    // reused as the idle-channel timeout (Coinbase: 60–90 s without updates and without heartbeats)
    pongTimeoutMs: 60_000,
    maxConnectionAgeMs: 0,
    maxIncomingPerSecond: 8,
    maxStreamsPerConnection: 1000,
    restWeightLimit: 10,
    restWeightWindowMs: 1000,
  },
  create: (ctx) => new CoinbaseRuntime(ctx),
};
