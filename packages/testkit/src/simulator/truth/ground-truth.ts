import type { Interval } from "../core/intervals.ts";
import type { MarketGenerator } from "../market/generator.ts";
import type { Bbo, Candle, SimDeriv, SimLiquidation, SimTrade, TickerState } from "../market/types.ts";
import { type CandleQuery, candlesFromTape } from "./candles.ts";
import { TradeTape } from "./tape.ts";

export interface TradeQuery {
  /** Trades with ts >= from (epoch ms). */
  from?: number;
  /** Trades with ts <= to (epoch ms). */
  to?: number;
  /** Trades with id >= fromId. */
  fromId?: number;
  /** At most this many (the first ones of the selection). */
  limit?: number;
}

/**
 * Everything the simulated exchange did: every generated trade per market (recorded the moment it is
 * generated, before any fan-out), plus the current ticker, top of book and candles. Trades that a
 * fault kept from a client (stall, drop) are still here: they happened on the exchange, and a
 * correct client backfills them over REST.
 */
export class GroundTruth {
  private readonly tapes = new Map<string, TradeTape>();
  /** Liquidations per market (about 1 % of a perpetual market's trades: plain arrays suffice). */
  private readonly liqs = new Map<string, SimLiquidation[]>();
  private readonly detach: () => void;

  constructor(
    private readonly generator: MarketGenerator,
    /** Trades per market REST still serves (0 = all): see `servedTrades`. */
    private readonly restTradesKept = 0,
  ) {
    for (const m of generator.markets) {
      this.tapes.set(m, new TradeTape());
      this.liqs.set(m, []);
    }
    this.detach = generator.addListener({
      onTrades: (batch) => {
        const tape = this.tape(batch.market);
        for (const t of batch.trades) tape.append(t);
      },
      onLiquidation: (market, liq) => {
        this.liqs.get(market)?.push(liq);
      },
    });
  }

  get markets(): readonly string[] {
    return this.generator.markets;
  }

  /** Recorded trades of a market, oldest first, optionally filtered by time window, id and limit. */
  trades(market: string, q: TradeQuery = {}): SimTrade[] {
    const tape = this.tape(market);
    let start = q.from !== undefined ? tape.lowerBound(q.from) : 0;
    if (q.fromId !== undefined) start = Math.max(start, q.fromId - 1);
    let end = q.to !== undefined ? tape.lowerBound(q.to + 1) : tape.length;
    if (q.limit !== undefined) end = Math.min(end, start + Math.max(0, q.limit));
    return tape.slice(start, end);
  }

  /**
   * Trades as the exchange's REST history serves them: like `trades`, but only from the oldest
   * kept trade on (the last `restTradesKept` of the market), as exchanges that keep the last N do.
   */
  servedTrades(market: string, q: TradeQuery = {}): SimTrade[] {
    if (this.restTradesKept <= 0) return this.trades(market, q);
    const oldest = Math.max(1, this.tape(market).length - this.restTradesKept + 1);
    return this.trades(market, { ...q, fromId: Math.max(q.fromId ?? 1, oldest) });
  }

  /** The `limit` most recent trades, oldest first. */
  recentTrades(market: string, limit: number): SimTrade[] {
    const tape = this.tape(market);
    return tape.slice(Math.max(0, tape.length - limit), tape.length);
  }

  trade(market: string, id: number): SimTrade | undefined {
    return this.tape(market).get(id);
  }

  lastTrade(market: string): SimTrade | undefined {
    const tape = this.tape(market);
    return tape.length > 0 ? tape.at(tape.length - 1) : undefined;
  }

  count(market: string): number {
    return this.tape(market).length;
  }

  counts(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [m, t] of this.tapes) out[m] = t.length;
    return out;
  }

  total(): number {
    let n = 0;
    for (const t of this.tapes.values()) n += t.length;
    return n;
  }

  /** Recorded liquidations of a market, oldest first, optionally by time window and limit (by id: fromId). */
  liquidations(market: string, q: TradeQuery = {}): SimLiquidation[] {
    this.tape(market);
    const all = this.liqs.get(market) ?? [];
    const out: SimLiquidation[] = [];
    for (const l of all) {
      if (q.limit !== undefined && out.length >= q.limit) break;
      if (q.from !== undefined && l.ts < q.from) continue;
      if (q.to !== undefined && l.ts > q.to) continue;
      if (q.fromId !== undefined && l.id < q.fromId) continue;
      out.push({ ...l });
    }
    return out;
  }

  /** Current derivatives state of a perpetual market (throws for spot markets). */
  deriv(market: string): SimDeriv {
    return this.generator.deriv(market);
  }

  /** Current 24 h ticker state. */
  ticker(market: string): TickerState {
    return this.generator.ticker(market);
  }

  /** Current best bid/offer. */
  bbo(market: string): Bbo {
    return this.generator.bbo(market);
  }

  /** The live (still open) candle of an interval. */
  liveCandle(market: string, interval: Interval): Candle {
    return this.generator.candle(market, interval);
  }

  /** Candles computed from the recorded trades (see CandleQuery). */
  candles(market: string, interval: Interval, q: CandleQuery = {}, now: number = Date.now()): Candle[] {
    return candlesFromTape(
      {
        tape: this.tape(market),
        interval,
        startPrice: this.generator.spec(market).startPrice,
        runStart: this.generator.startTime,
        now,
      },
      q,
    );
  }

  tape(market: string): TradeTape {
    const t = this.tapes.get(market);
    if (!t) throw new Error(`simulator: unknown market ${market}`);
    return t;
  }

  /** Stops recording (the simulator calls this on stop). */
  close(): void {
    this.detach();
  }
}
