import { INTERVALS } from "../../core/intervals.ts";
import type { DepthDiffTracker } from "../../market/book.ts";
import type { TradeBatch } from "../../market/generator.ts";
import type { Candle, SimLiquidation } from "../../market/types.ts";
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
import { CHANNEL_OF_INTERVAL, ENDPOINT_OF_PATH, parseArg, type Topic, topicKey } from "./channels.ts";
import { type ControlTarget, handleControl } from "./control.ts";
import { malformedFrames } from "./malformed.ts";
import {
  bboFrame,
  bookFrame,
  books5Frame,
  candleFrame,
  fundingRateFrame,
  indexTickerFrame,
  liquidationFrame,
  markPriceFrame,
  noticeFrame,
  openInterestFrame,
  tickerFrame,
  tradeFrame,
  type Wire,
} from "./payloads.ts";
import { matchRest, REST_PATHS } from "./rest.ts";
import { newSession, type OkxSession } from "./session.ts";
import { InstMap } from "./symbols.ts";

type Conn = SimConnection<OkxSession>;

interface MarketWire extends Wire {
  market: string;
  perp: boolean;
  books: DepthDiffTracker;
  /** Book updates still to drop (sequence gap on command). */
  skip: number;
  /** Book faults on command. */
  faults: BookFaultQueue;
  /** Book update id of the last books5 push. */
  books5Seq: number;
  tickerDirty: boolean;
}

/** OKX allows 3 connection requests per second per IP. */
const CONNECTS_PER_SECOND = 3;
/** Levels in a books snapshot (OKX: 400; the simulated book has fewer). */
const SNAPSHOT_LEVELS = 400;

class OkxRuntime implements ProfileRuntime {
  private readonly insts: InstMap;
  private readonly index = new TopicIndex<Conn>();
  private readonly wires = new Map<string, MarketWire>();
  private readonly byInst = new Map<string, MarketWire>();
  private readonly upgrades: number[] = [];
  private readonly unlisten: () => void;

  constructor(private readonly ctx: ProfileContext) {
    const g = ctx.generator;
    this.insts = new InstMap(g);
    for (const market of g.markets) {
      const s = g.spec(market);
      const w: MarketWire = {
        market,
        instId: this.insts.instId(market),
        instType: s.kind === "perp" ? "SWAP" : "SPOT",
        priceDecimals: s.priceDecimals,
        qtyDecimals: s.qtyDecimals,
        perp: s.kind === "perp",
        books: g.book(market).createTracker(),
        skip: 0,
        faults: new BookFaultQueue(),
        books5Seq: -1,
        tickerDirty: false,
      };
      this.wires.set(market, w);
      this.byInst.set(w.instId, w);
    }
    this.unlisten = g.addListener({
      onTrades: (b) => this.onTrades(b),
      onCandleClosed: (m, c) => this.onCandleClosed(m, c),
      onLiquidation: (m, l) => this.onLiquidation(m, l),
    });
    ctx.every(100, () => {
      this.flushBooks();
      this.publishBooks5();
      this.publishTickers();
    });
    ctx.every(1000, () => {
      this.publishOpenCandles();
      this.publishDeriv(["mark-price", "index-tickers"]);
    });
    ctx.every(3000, () => this.publishDeriv(["open-interest"]));
    ctx.every(5000, () => this.publishDeriv(["funding-rate"]));
    const idle = ctx.limits.pongTimeoutMs;
    if (idle > 0) ctx.every(Math.max(20, Math.min(1000, Math.floor(idle / 4))), () => this.closeIdle(idle));
  }

  upgrade(url: URL): UpgradeDecision | undefined {
    const endpoint = ENDPOINT_OF_PATH[url.pathname];
    if (endpoint === undefined) return undefined;
    const now = Date.now();
    while (this.upgrades.length > 0 && this.upgrades[0]! <= now - 1000) this.upgrades.shift();
    if (this.upgrades.length >= CONNECTS_PER_SECOND) {
      return { accept: false, reply: { status: 429, body: { msg: "Too Many Requests", code: "50011" } } };
    }
    this.upgrades.push(now);
    return { accept: true, session: newSession(endpoint) };
  }

  onOpen(conn: SimConnection): void {
    const s = (conn as Conn).session;
    s.connId = (Math.imul(conn.id, 2654435761) >>> 0).toString(16).padStart(8, "0");
    s.lastActivityAt = Date.now();
  }

  onMessage(conn: SimConnection, text: string): void {
    const c = conn as Conn;
    c.session.lastActivityAt = Date.now();
    if (text === "ping") {
      c.sendControl("pong");
      return;
    }
    const { replies, subscribed } = handleControl(text, this.controlTarget(c));
    for (const r of replies) c.sendControl(r);
    for (const t of subscribed) this.initialPush(c, t);
  }

  onClose(conn: SimConnection): void {
    const c = conn as Conn;
    for (const key of c.session.topics.keys()) this.index.remove(key, c);
    c.session.topics.clear();
  }

  rest(method: string, url: URL): RestRoute | undefined {
    return matchRest(method, url, {
      generator: this.ctx.generator,
      truth: this.ctx.truth,
      insts: this.insts,
      wire: (m) => this.wire(m),
    });
  }

  /** OKX's 429: code 50011 and no Retry-After header. */
  rateLimitedReply(_retryAfterSec: number): HttpReply {
    return { status: 429, body: { msg: "Too Many Requests", code: "50011", data: [] } };
  }

  /** OKX reports no used weight in headers. */
  weightHeaders(_used: number): Record<string, string> {
    return {};
  }

  isSubscribed(conn: SimConnection): boolean {
    return (conn as Conn).session.topics.size > 0;
  }

  malformedFrames(count: number): string[] {
    const w = this.wires.values().next().value as MarketWire;
    return malformedFrames(count, w.instId);
  }

  shutdownNotice(): string {
    return noticeFrame();
  }

  skipBookUpdates(market: string, count: number): void {
    this.wire(market).skip += count;
  }

  injectBookFault(market: string, fault: BookFault): void {
    this.wire(market).faults.inject(fault);
  }

  info(): Record<string, unknown> {
    return {
      paths: Object.keys(ENDPOINT_OF_PATH),
      instIds: this.insts.instIds(),
      rest: REST_PATHS,
      keepalive: "client sends text ping, server answers pong; silent connections are closed",
    };
  }

  stop(): void {
    this.unlisten();
    for (const w of this.wires.values()) this.ctx.generator.book(w.market).removeTracker(w.books);
  }

  private wire(market: string): MarketWire {
    const w = this.wires.get(market);
    if (!w) throw new Error(`simulator: unknown market ${market}`);
    return w;
  }

  private controlTarget(conn: Conn): ControlTarget {
    const s = conn.session;
    return {
      connId: s.connId,
      parse: (arg) => parseArg(arg, s.endpoint, this.insts, (m) => this.wire(m).perp),
      has: (key) => s.topics.has(key),
      count: () => s.topics.size,
      maxArgs: this.ctx.limits.maxStreamsPerConnection,
      subscribe: (topic) => {
        s.topics.set(topic.key, topic);
        this.index.add(topic.key, conn);
      },
      unsubscribe: (key) => {
        if (!s.topics.delete(key)) return;
        this.index.remove(key, conn);
        if (key.startsWith("books:")) s.bookSeq.delete(key.slice(6));
      },
      ops: s.ops,
    };
  }

  /** Sends a frame, built only when someone listens, to every listener of a topic. */
  private publish(key: string, build: () => string): void {
    const subs = this.index.get(key);
    if (!subs) return;
    const frame = build();
    for (const c of subs) c.sendData(frame);
  }

  /** What OKX pushes right after the ack: the book snapshot, the current ticker, candle, deriv values. */
  private initialPush(conn: Conn, t: Topic): void {
    if (t.kind === "liquidation-orders") return;
    const w = this.wire(t.market);
    const g = this.ctx.generator;
    const now = Date.now();
    switch (t.kind) {
      case "books": {
        const snap = g.book(w.market).snapshot(SNAPSHOT_LEVELS);
        conn.session.bookSeq.set(w.instId, snap.lastUpdateId);
        conn.sendData(bookFrame(w, "snapshot", snap.bids, snap.asks, now, snap.lastUpdateId, -1));
        return;
      }
      case "books5": {
        const snap = g.book(w.market).snapshot(5);
        conn.sendData(books5Frame(w, snap.bids, snap.asks, now, snap.lastUpdateId));
        return;
      }
      case "tickers":
        conn.sendData(tickerFrame(w, g.ticker(w.market), g.bbo(w.market), now));
        return;
      case "candle":
        conn.sendData(candleFrame(w, t.arg.channel, g.candle(w.market, t.interval)));
        return;
      case "mark-price":
      case "index-tickers":
      case "funding-rate":
      case "open-interest":
        conn.sendData(this.derivFrame(t.kind, w, now));
        return;
    }
  }

  private derivFrame(
    kind: "mark-price" | "index-tickers" | "funding-rate" | "open-interest",
    w: MarketWire,
    now: number,
  ): string {
    const d = this.ctx.generator.deriv(w.market);
    switch (kind) {
      case "mark-price":
        return markPriceFrame(w, d, now);
      case "index-tickers":
        return indexTickerFrame(this.insts.indexOf(w.market), d, now);
      case "funding-rate":
        return fundingRateFrame(w, d, now);
      default:
        return openInterestFrame(w, d, now);
    }
  }

  private onTrades(batch: TradeBatch): void {
    const w = this.wires.get(batch.market);
    if (!w) return;
    w.tickerDirty = true;
    for (const t of batch.trades) {
      this.publish(topicKey("trades", w.instId), () => tradeFrame(w, "trades", t));
      this.publish(topicKey("trades-all", w.instId), () => tradeFrame(w, "trades-all", t));
    }
    const bboKey = topicKey("bbo-tbt", w.instId);
    if (this.index.has(bboKey)) for (const b of batch.bbos) this.publish(bboKey, () => bboFrame(w, b));
  }

  private onCandleClosed(market: string, candle: Candle): void {
    const w = this.wires.get(market);
    const channel = CHANNEL_OF_INTERVAL[candle.interval];
    if (!w || !channel) return;
    this.publish(topicKey(channel, w.instId), () => candleFrame(w, channel, candle));
  }

  private onLiquidation(market: string, liq: SimLiquidation): void {
    const w = this.wires.get(market);
    if (w) this.publish(topicKey("liquidation-orders", "SWAP"), () => liquidationFrame(w, liq));
  }

  /**
   * `books` updates every 100 ms, chained per connection: prevSeqId = the seqId that connection
   * got last. A skipped update still advances the chain, so the client sees the gap.
   */
  private flushBooks(): void {
    const now = Date.now();
    for (const w of this.wires.values()) {
      const diff = w.books.drain();
      if (!diff) continue;
      const subs = this.index.get(topicKey("books", w.instId));
      if (w.skip > 0) {
        w.skip--;
        for (const c of subs ?? []) c.session.bookSeq.set(w.instId, diff.lastUpdateId);
        continue;
      }
      w.faults.pass((crossed) => {
        const top = this.ctx.generator.book(w.market).top();
        const bids = crossed ? crossingBids(diff.bids, [top.askPrice, top.askAmount]) : diff.bids;
        const frames: Array<[Conn, string]> = [];
        for (const c of subs ?? []) {
          const last = c.session.bookSeq.get(w.instId);
          // the snapshot already holds everything up to its seqId
          if (last === undefined || diff.lastUpdateId <= last) continue;
          c.session.bookSeq.set(w.instId, diff.lastUpdateId);
          frames.push([c, bookFrame(w, "update", bids, diff.asks, now, diff.lastUpdateId, last)]);
        }
        return () => {
          for (const [c, frame] of frames) c.sendData(frame);
        };
      });
    }
  }

  private publishBooks5(): void {
    const now = Date.now();
    for (const w of this.wires.values()) {
      const book = this.ctx.generator.book(w.market);
      if (book.lastUpdateId === w.books5Seq) continue;
      const key = topicKey("books5", w.instId);
      if (!this.index.has(key)) continue;
      w.books5Seq = book.lastUpdateId;
      const snap = book.snapshot(5);
      this.publish(key, () => books5Frame(w, snap.bids, snap.asks, now, snap.lastUpdateId));
    }
  }

  /** Tickers: at most every 100 ms, when something traded. */
  private publishTickers(): void {
    const now = Date.now();
    const g = this.ctx.generator;
    for (const w of this.wires.values()) {
      if (!w.tickerDirty) continue;
      w.tickerDirty = false;
      this.publish(topicKey("tickers", w.instId), () =>
        tickerFrame(w, g.ticker(w.market), g.bbo(w.market), now),
      );
    }
  }

  /** The open candle of every subscribed interval, once a second. */
  private publishOpenCandles(): void {
    const g = this.ctx.generator;
    for (const w of this.wires.values()) {
      for (const interval of INTERVALS) {
        const channel = CHANNEL_OF_INTERVAL[interval];
        if (!channel) continue;
        this.publish(topicKey(channel, w.instId), () =>
          candleFrame(w, channel, g.candle(w.market, interval)),
        );
      }
    }
  }

  private publishDeriv(
    kinds: Array<"mark-price" | "index-tickers" | "funding-rate" | "open-interest">,
  ): void {
    const now = Date.now();
    for (const w of this.wires.values()) {
      if (!w.perp) continue;
      for (const kind of kinds) {
        const id = kind === "index-tickers" ? this.insts.indexOf(w.market) : w.instId;
        this.publish(topicKey(kind, id), () => this.derivFrame(kind, w, now));
      }
    }
  }

  /** OKX closes a connection that has carried nothing (no push, no ping) for 30 s. */
  private closeIdle(idleMs: number): void {
    const now = Date.now();
    for (const conn of this.ctx.connections()) {
      const c = conn as Conn;
      const s = c.session;
      if (c.framesSent !== s.lastFramesSent) {
        s.lastFramesSent = c.framesSent;
        s.lastActivityAt = now;
      }
      if (c.open && now - s.lastActivityAt > idleMs) c.close("pongTimeout", 4004, "No data received in 30s.");
    }
  }
}

/** OKX v5: ws.okx.com /ws/v5/public and /ws/v5/business, www.okx.com REST, on one local port. */
export const okxProfile: ExchangeProfile = {
  id: "okx",
  marketKinds: ["spot", "perp"],
  defaults: {
    // OKX sends no WebSocket pings: the client pings with the text "ping"
    pingIntervalMs: 0,
    // here: how long a connection may stay silent (no push, no client message) before OKX cuts it
    pongTimeoutMs: 30_000,
    maxConnectionAgeMs: 0,
    maxIncomingPerSecond: 0,
    // no documented cap on the arguments of one public connection (0 = none)
    maxStreamsPerConnection: 0,
    restWeightLimit: 40,
    restWeightWindowMs: 2000,
  },
  create: (ctx) => new OkxRuntime(ctx),
};
