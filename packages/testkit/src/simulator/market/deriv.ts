import { roundTo } from "../core/decimal.ts";
import { Prng } from "../core/prng.ts";
import { amountOf } from "./book.ts";
import type { MarketSpec } from "./spec.ts";
import type { SimDeriv, SimLiquidation, SimTrade } from "./types.ts";

/** Weight of the newest trade price in the mark price (an exponential moving average per trade). */
const MARK_SMOOTHING = 0.05;
/** Index = mark × (1 − basis); the basis oscillates within ±3 bps over this many trades. */
const BASIS_AMPLITUDE = 3e-4;
const BASIS_PERIOD_TRADES = 2000;
/** Funding = 1 bp + half the basis: oscillates around the usual 0.01 % and changes sign. */
const FUNDING_BASE = 1e-4;
const FUNDING_BASIS_SHARE = 0.5;
const FUNDING_PERIOD_MS = 8 * 3_600_000;
/** Open interest worth about this many USD at the start, pulled back towards it per trade. */
const OPEN_INTEREST_USD = 2e8;
const OPEN_INTEREST_REVERSION = 1e-3;
/** Share of trades whose taker was a liquidation order. */
const LIQUIDATION_CHANCE = 0.01;

/** Next 00:00/08:00/16:00 UTC strictly after `ts` (8 h periods align with the epoch). */
export function nextFundingTime(ts: number): number {
  return (Math.floor(ts / FUNDING_PERIOD_MS) + 1) * FUNDING_PERIOD_MS;
}

/**
 * Mark, index, funding, open interest and liquidations of one perpetual market, folded from its
 * trades. Own PRNG stream (from the seed and the market name), so adding it leaves the trade
 * sequence unchanged; the state depends only on the seed and the trades, never on the clock.
 */
export class DerivModel {
  private readonly prng: Prng;
  private readonly phase: number;
  private readonly oiStartLots: number;
  private readonly indexDecimals: number;
  private mark: number;
  private oiLots: number;
  private trades = 0;
  private nextLiquidationId = 1;

  constructor(
    private readonly spec: MarketSpec,
    seed: number,
  ) {
    this.prng = Prng.derive(seed, `deriv:${spec.market}`);
    this.phase = this.prng.next() * 2 * Math.PI;
    this.oiStartLots = Math.max(1, Math.round(OPEN_INTEREST_USD / spec.baseUsd / spec.stepSize));
    this.oiLots = this.oiStartLots;
    this.indexDecimals = Math.min(8, spec.priceDecimals + 2);
    this.mark = spec.startPrice;
  }

  /** Folds one trade (`lots` = its amount in step sizes) in; returns the liquidation it was, if any. */
  addTrade(t: SimTrade, lots: number): SimLiquidation | undefined {
    const p = this.prng;
    this.trades++;
    this.mark += MARK_SMOOTHING * (t.price - this.mark);
    // A taker either opens or closes positions; the pull back keeps the level plausible.
    const opened = p.chance(0.5) ? lots : -lots;
    this.oiLots = Math.max(
      Math.ceil(this.oiStartLots / 10),
      Math.round(this.oiLots + opened - OPEN_INTEREST_REVERSION * (this.oiLots - this.oiStartLots)),
    );
    if (!p.chance(LIQUIDATION_CHANCE)) return undefined;
    return {
      id: this.nextLiquidationId++,
      tradeId: t.id,
      price: t.price,
      amount: t.amount,
      side: t.side,
      ts: t.ts,
    };
  }

  /** Number of liquidations so far. */
  get liquidationCount(): number {
    return this.nextLiquidationId - 1;
  }

  snapshot(ts: number): SimDeriv {
    const basis = BASIS_AMPLITUDE * Math.sin((2 * Math.PI * this.trades) / BASIS_PERIOD_TRADES + this.phase);
    const markPrice = roundTo(this.mark, this.spec.priceDecimals);
    return {
      markPrice,
      indexPrice: roundTo(markPrice * (1 - basis), this.indexDecimals),
      fundingRate: roundTo(FUNDING_BASE + FUNDING_BASIS_SHARE * basis, 8),
      nextFundingTime: nextFundingTime(ts),
      openInterest: amountOf(this.spec, this.oiLots),
      ts,
    };
  }
}
