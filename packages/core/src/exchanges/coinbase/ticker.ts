import type { FrameResult } from "../../adapter.ts";
import type { Bbo, MarketMessage, Ticker } from "../../schemas/messages.ts";
import { num } from "../wire/fields.ts";
import { badField } from "../wire/frame-results.ts";
import { EXCHANGE } from "./results.ts";

/** Coinbase's ticker, read alike by the Advanced Trade and legacy feeds (they name the sizes apart). */

/** An optional decimal field: absent, null or "" → null; present but not a number → NaN. */
export function optionalNum(v: unknown): number | null {
  return v === undefined || v === null || v === "" ? null : num(v);
}

export interface BestQuotes {
  bid: number | null;
  ask: number | null;
  bidAmount: number | null;
  askAmount: number | null;
}

/** best_bid/best_ask and their sizes (`best_bid_<size>`: "quantity" on Advanced, "size" on legacy). */
export function readBestQuotes(
  t: Record<string, unknown>,
  what: string,
  size: "quantity" | "size",
): BestQuotes | FrameResult {
  const bid = optionalNum(t.best_bid);
  if (Number.isNaN(bid)) return badField(what, "best_bid", t.best_bid);
  const ask = optionalNum(t.best_ask);
  if (Number.isNaN(ask)) return badField(what, "best_ask", t.best_ask);
  const bidField = `best_bid_${size}`;
  const bidAmount = optionalNum(t[bidField]);
  if (Number.isNaN(bidAmount)) return badField(what, bidField, t[bidField]);
  const askField = `best_ask_${size}`;
  const askAmount = optionalNum(t[askField]);
  if (Number.isNaN(askAmount)) return badField(what, askField, t[askField]);
  return { bid, ask, bidAmount, askAmount };
}

export interface TickerValues {
  market: string;
  product: string;
  ts: number;
  recvTs: number;
  last: number;
  open: number;
  high: number;
  low: number;
  volume: number;
  change: number;
  changePct: number;
}

/**
 * Pushes the ticker and, when the best bid/ask and both sizes are present, the bbo beside it (sizes
 * joined the legacy ticker in 2022: without them there is no complete bbo).
 */
export function pushTicker(out: MarketMessage[], v: TickerValues, q: BestQuotes, seq?: number): void {
  const { bid, ask, bidAmount, askAmount } = q;
  const ticker: Ticker = {
    type: "ticker",
    exchange: EXCHANGE,
    market: v.market,
    symbol: v.product,
    ts: v.ts,
    recvTs: v.recvTs,
    last: v.last,
    open: v.open,
    high: v.high,
    low: v.low,
    volume: v.volume,
    // not published by Coinbase (no quote volume, no VWAP; volume_30d is base volume too)
    quoteVolume: null,
    change: v.change,
    changePct: v.changePct,
    bid,
    ask,
  };
  out.push(ticker);
  if (bid !== null && ask !== null && bidAmount !== null && askAmount !== null) {
    const bbo: Bbo = {
      type: "bbo",
      exchange: EXCHANGE,
      market: v.market,
      symbol: v.product,
      ts: v.ts,
      recvTs: v.recvTs,
      bidPrice: bid,
      bidAmount,
      askPrice: ask,
      askAmount,
    };
    if (seq !== undefined) bbo.seq = seq;
    out.push(bbo);
  }
}
