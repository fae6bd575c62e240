import type { TradeBatch } from "../../market/generator.ts";
import type { SimConnection } from "../../server/connection.ts";
import { type BookFault, BookFaultQueue, crossingBids } from "../book-faults.ts";
import type { ProfileContext } from "../types.ts";
import { type DepthPush, nextDepthPush } from "./depth.ts";
import {
  bookTickerUpdate,
  candlesUpdate,
  depthDeltaUpdate,
  depthSnapshotUpdate,
  lastpriceUpdate,
  marketTodayUpdate,
  marketUpdate,
  tradesUpdate,
} from "./payloads.ts";
import { type ListChannel, listens, type WhitebitSession } from "./session.ts";
import type { SymbolMap } from "./symbols.ts";

type Conn = SimConnection<WhitebitSession>;

export const CANDLE_PUSH_MS = 500;
export const STATS_PUSH_MS = 1000;
/** Trades `trades_subscribe` replays per market. */
const REPLAYED_TRADES = 100;

/** Channels pushed every second: the 24 h statistics, the UTC-day statistics, the last price. */
const STATS_PUSHES: ReadonlyArray<[ListChannel, typeof marketUpdate]> = [
  ["market", marketUpdate],
  ["marketToday", marketTodayUpdate],
  ["lastprice", lastpriceUpdate],
];

/**
 * What the server sends on its own: trades and the best bid/offer as they happen, depth every
 * 100 ms, the subscribed candle every 0.5 s, statistics every second.
 */
export class Pushes {
  /** Book-delta rounds still to drop per market (sequence gap on command). */
  private readonly skips = new Map<string, number>();
  /** Book faults on command per market, applied to a round of depth deltas (every subscription's). */
  private readonly faults = new Map<string, BookFaultQueue>();
  private readonly flushedUpdateId = new Map<string, number>();
  /** The best bid/offer last pushed per market: bookTicker pushes changes only. */
  private readonly lastBbo = new Map<string, string>();

  constructor(
    private readonly ctx: ProfileContext,
    private readonly symbols: SymbolMap,
    private readonly conns: ReadonlySet<Conn>,
  ) {}

  skipBookUpdates(market: string, count: number): void {
    if (!this.ctx.generator.has(market)) throw new Error(`simulator: unknown market ${market}`);
    this.skips.set(market, (this.skips.get(market) ?? 0) + count);
  }

  injectBookFault(market: string, fault: BookFault): void {
    if (!this.ctx.generator.has(market)) throw new Error(`simulator: unknown market ${market}`);
    this.faultQueue(market).inject(fault);
  }

  private faultQueue(market: string): BookFaultQueue {
    let q = this.faults.get(market);
    if (!q) {
      q = new BookFaultQueue();
      this.faults.set(market, q);
    }
    return q;
  }

  /** A new trades subscription replays the latest trades of every market in it, newest first. */
  replayTrades(c: Conn, set: "all" | Set<string>): void {
    for (const market of set === "all" ? this.symbols.markets() : set) {
      const recent = this.ctx.truth.recentTrades(market, REPLAYED_TRADES);
      if (recent.length === 0) continue;
      c.sendData(tradesUpdate(this.symbols.symbol(market), this.symbols.spec(market), recent.reverse()));
    }
  }

  private listeners(channel: ListChannel, market: string): Conn[] {
    const out: Conn[] = [];
    for (const c of this.conns) if (listens(c.session.lists.get(channel), market)) out.push(c);
    return out;
  }

  onTrades(batch: TradeBatch): void {
    const { market } = batch;
    const symbol = this.symbols.symbol(market);
    const spec = this.symbols.spec(market);
    const traders = this.listeners("trades", market);
    if (traders.length > 0) {
      const frame = tradesUpdate(symbol, spec, [...batch.trades].reverse());
      for (const c of traders) c.sendData(frame);
    }
    const tickers = this.listeners("bookTicker", market);
    const now = Date.now();
    for (const b of batch.bbos) {
      const key = `${b.bidPrice}|${b.bidAmount}|${b.askPrice}|${b.askAmount}`;
      if (this.lastBbo.get(market) === key) continue;
      this.lastBbo.set(market, key);
      if (tickers.length === 0) continue;
      const frame = bookTickerUpdate(symbol, spec, b, now);
      for (const c of tickers) c.sendData(frame);
    }
  }

  depthPayload(market: string, push: DepthPush, now: number): string {
    const symbol = this.symbols.symbol(market);
    const spec = this.symbols.spec(market);
    return push.kind === "snapshot"
      ? depthSnapshotUpdate(symbol, spec, push.snapshot, now)
      : depthDeltaUpdate(symbol, spec, push, now);
  }

  flushDepth(): void {
    const now = Date.now();
    const g = this.ctx.generator;
    const skipNow = new Set<string>();
    for (const market of g.markets) {
      const id = g.book(market).lastUpdateId;
      const pending = this.skips.get(market) ?? 0;
      if (pending > 0 && id !== this.flushedUpdateId.get(market)) {
        skipNow.add(market);
        this.skips.set(market, pending - 1);
      }
      this.flushedUpdateId.set(market, id);
    }
    const deltas = new Map<string, Array<[Conn, DepthPush]>>();
    for (const c of this.conns) {
      for (const sub of c.session.depth.values()) {
        const push = nextDepthPush(sub, g.book(sub.market), now);
        if (!push || (push.kind === "delta" && skipNow.has(sub.market))) continue;
        if (push.kind === "snapshot") c.sendData(this.depthPayload(sub.market, push, now));
        else deltas.set(sub.market, [...(deltas.get(sub.market) ?? []), [c, push]]);
      }
    }
    for (const [market, pushes] of deltas) {
      this.faultQueue(market).pass((crossed) => {
        const top = g.book(market).top();
        const frames = pushes.map(([c, p]): [Conn, string] => {
          const sent =
            crossed && p.kind === "delta"
              ? { ...p, bids: crossingBids(p.bids, [top.askPrice, top.askAmount]) }
              : p;
          return [c, this.depthPayload(market, sent, now)];
        });
        return () => {
          for (const [c, frame] of frames) c.sendData(frame);
        };
      });
    }
  }

  pushCandles(): void {
    const frames = new Map<string, string>();
    for (const c of this.conns) {
      const k = c.session.candle;
      if (!k) continue;
      const key = `${k.market}|${k.interval}`;
      let frame = frames.get(key);
      if (frame === undefined) {
        const candle = this.ctx.generator.candle(k.market, k.interval);
        frame = candlesUpdate(this.symbols.symbol(k.market), this.symbols.spec(k.market), candle);
        frames.set(key, frame);
      }
      c.sendData(frame);
    }
  }

  pushStats(): void {
    const g = this.ctx.generator;
    for (const market of this.symbols.markets()) {
      for (const [channel, build] of STATS_PUSHES) {
        const conns = this.listeners(channel, market);
        if (conns.length === 0) continue;
        const frame = build(this.symbols.symbol(market), this.symbols.spec(market), g.ticker(market));
        for (const c of conns) c.sendData(frame);
      }
    }
  }
}
