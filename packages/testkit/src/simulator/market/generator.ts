import { INTERVALS, type Interval } from "../core/intervals.ts";
import { Prng } from "../core/prng.ts";
import { amountOf, priceOf, SimBook } from "./book.ts";
import { LiveCandle } from "./candles.ts";
import { DerivModel } from "./deriv.ts";
import { buildMarketSpec, type MarketInput, type MarketSpec } from "./spec.ts";
import { initialTicker, tickerAddTrade } from "./ticker.ts";
import type { Bbo, Candle, SimDeriv, SimLiquidation, SimTrade, TickerState } from "./types.ts";

export interface MarketGeneratorOptions {
  /** Same seed, same sequence of prices, amounts and sides per market. Default 42. */
  seed?: number;
  markets: MarketInput[];
  /** Levels per side in the simulated book. Default 100. */
  bookDepth?: number;
  /** Start of candles and tickers, epoch ms. Default Date.now(). */
  startTime?: number;
}

/** Trades generated in one call for one market, with the top of book after each trade. */
export interface TradeBatch {
  market: string;
  trades: SimTrade[];
  bbos: Bbo[];
}

export interface MarketListener {
  onTrades?(batch: TradeBatch): void;
  /** A candle closed because a trade or the clock moved past its end. */
  onCandleClosed?(market: string, candle: Candle): void;
  /** A trade of a perpetual market was a liquidation order; called after the batch's onTrades. */
  onLiquidation?(market: string, liq: SimLiquidation): void;
}

/** Relative size of one price move, and the chance that a trade moves the price at all. */
const MOVE_SIGMA = 2e-5;
const MOVE_CHANCE = 0.35;
/** Pull back towards the start price per trade, keeps long runs plausible. */
const MEAN_REVERSION = 1e-6;
/** Typical trade value in USD. */
const TRADE_USD = 500;

class MarketState {
  readonly prng: Prng;
  readonly book: SimBook;
  readonly candles: LiveCandle[];
  readonly ticker: TickerState;
  readonly startTicks: number;
  readonly sigmaTicks: number;
  readonly tradeLots: number;
  /** Perpetual markets only. */
  readonly deriv: DerivModel | undefined;
  mid: number;
  bidTicks: number;
  askTicks: number;
  nextId = 1;
  lastTs = 0;
  /** Latest time seen by generate() or tick(): the time of the derivatives state. */
  clock = 0;
  bbo: Bbo;

  constructor(
    readonly spec: MarketSpec,
    seed: number,
    bookDepth: number,
    startTime: number,
  ) {
    this.prng = Prng.derive(seed, `trades:${spec.market}`);
    this.startTicks = Math.round(spec.startPrice / spec.tickSize);
    this.sigmaTicks = Math.max(1, (spec.startPrice * MOVE_SIGMA) / spec.tickSize);
    this.tradeLots = Math.max(1, TRADE_USD / (spec.baseUsd * spec.stepSize));
    this.mid = this.startTicks;
    this.bidTicks = this.startTicks;
    this.askTicks = this.startTicks + 1;
    this.book = new SimBook(
      spec,
      Prng.derive(seed, `book:${spec.market}`),
      bookDepth,
      this.bidTicks,
      this.askTicks,
      this.sigmaTicks,
    );
    this.candles = INTERVALS.map((i) => new LiveCandle(i, startTime, spec.startPrice));
    this.ticker = initialTicker(spec.startPrice, startTime);
    this.lastTs = startTime;
    this.clock = startTime;
    this.deriv = spec.kind === "perp" ? new DerivModel(spec, seed) : undefined;
    this.bbo = { ...this.book.top(), ts: startTime };
  }
}

/**
 * A deterministic market: per-market random walks with plausible prices, trade ids from 1, a small
 * order book, a run-long 24 h ticker and live candles at every interval. Time comes from the caller
 * (real time in the simulator); the sequence of prices, amounts and sides comes from the seed only.
 */
export class MarketGenerator {
  readonly seed: number;
  readonly markets: readonly string[];
  readonly startTime: number;
  private readonly states = new Map<string, MarketState>();
  private readonly listeners = new Set<MarketListener>();

  constructor(options: MarketGeneratorOptions) {
    this.seed = options.seed ?? 42;
    this.startTime = options.startTime ?? Date.now();
    const depth = Math.max(5, options.bookDepth ?? 100);
    for (const input of options.markets) {
      const spec = buildMarketSpec(input);
      if (this.states.has(spec.market)) continue;
      this.states.set(spec.market, new MarketState(spec, this.seed, depth, this.startTime));
    }
    if (this.states.size === 0) throw new Error("simulator: at least one market is required");
    this.markets = [...this.states.keys()];
  }

  has(market: string): boolean {
    return this.states.has(market);
  }

  spec(market: string): MarketSpec {
    return this.state(market).spec;
  }

  addListener(listener: MarketListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Generates `count` trades for one market at time `ts` and tells the listeners. */
  generate(market: string, count: number, ts: number = Date.now()): SimTrade[] {
    const s = this.state(market);
    const trades: SimTrade[] = [];
    const bbos: Bbo[] = [];
    if (count <= 0) return trades;
    const time = Math.max(ts, s.lastTs);
    s.lastTs = time;
    this.rollMarket(s, time);
    const liquidations: SimLiquidation[] = [];
    for (let i = 0; i < count; i++) {
      const t = this.nextTrade(s, time, liquidations);
      trades.push(t);
      bbos.push(s.bbo);
    }
    const batch: TradeBatch = { market, trades, bbos };
    for (const l of this.listeners) l.onTrades?.(batch);
    for (const liq of liquidations) for (const l of this.listeners) l.onLiquidation?.(market, liq);
    return trades;
  }

  /** Closes candles whose interval ended before `ts`, for every market. Call it on a timer. */
  /** Moves a market's mid price by `ticks` (tests that need the walk to cross a level). */
  shiftMid(market: string, ticks: number): void {
    this.state(market).mid += ticks;
  }

  tick(ts: number = Date.now()): void {
    for (const s of this.states.values()) this.rollMarket(s, Math.max(ts, s.lastTs));
  }

  ticker(market: string): TickerState {
    return { ...this.state(market).ticker };
  }

  bbo(market: string): Bbo {
    return { ...this.state(market).bbo };
  }

  /** The live (open) candle of an interval. */
  candle(market: string, interval: Interval): Candle {
    const c = this.state(market).candles[INTERVALS.indexOf(interval)];
    if (!c) throw new Error(`simulator: unknown interval ${interval}`);
    return { ...c.current };
  }

  isPerp(market: string): boolean {
    return this.state(market).spec.kind === "perp";
  }

  /** Mark, index, funding, next funding time and open interest of a perpetual market. */
  deriv(market: string): SimDeriv {
    const s = this.state(market);
    if (!s.deriv) throw new Error(`simulator: ${market} is not a perpetual market`);
    return s.deriv.snapshot(s.clock);
  }

  /** Number of liquidations generated so far (0 for spot markets). */
  liquidationCount(market: string): number {
    return this.state(market).deriv?.liquidationCount ?? 0;
  }

  book(market: string): SimBook {
    return this.state(market).book;
  }

  /** Number of trades generated so far for a market. */
  tradeCount(market: string): number {
    return this.state(market).nextId - 1;
  }

  private state(market: string): MarketState {
    const s = this.states.get(market);
    if (!s) throw new Error(`simulator: unknown market ${market}`);
    return s;
  }

  private rollMarket(s: MarketState, ts: number): void {
    if (ts > s.clock) s.clock = ts;
    for (const live of s.candles) {
      const closed = live.roll(ts);
      if (closed) for (const l of this.listeners) l.onCandleClosed?.(s.spec.market, closed);
    }
  }

  private nextTrade(s: MarketState, ts: number, liquidations: SimLiquidation[]): SimTrade {
    const p = s.prng;
    const takerBuy = p.next() < 0.5;
    const priceTicks = takerBuy ? s.askTicks : s.bidTicks;
    const lots = Math.max(1, Math.round(s.tradeLots * Math.exp(p.normal())));
    if (p.chance(MOVE_CHANCE)) s.mid += p.normal() * s.sigmaTicks;
    s.mid -= MEAN_REVERSION * (s.mid - s.startTicks);
    const spread = p.chance(0.8) ? 1 : p.int(2, 4);
    s.bidTicks = Math.max(1, Math.round(s.mid));
    s.askTicks = s.bidTicks + spread;
    s.book.applyTrade(takerBuy, lots, s.bidTicks, s.askTicks);

    const trade: SimTrade = {
      id: s.nextId++,
      price: priceOf(s.spec, priceTicks),
      amount: amountOf(s.spec, lots),
      side: takerBuy ? "buy" : "sell",
      ts,
    };
    tickerAddTrade(s.ticker, trade);
    for (const live of s.candles) live.add(trade);
    s.bbo = { ...s.book.top(), ts };
    const liq = s.deriv?.addTrade(trade, lots);
    if (liq) liquidations.push(liq);
    return trade;
  }
}
