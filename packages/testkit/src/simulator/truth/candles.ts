import { type Interval, intervalOpen, nextIntervalOpen } from "../core/intervals.ts";
import { addTradeFields, emptyCandle } from "../market/candles.ts";
import type { Candle } from "../market/types.ts";
import type { TradeTape } from "./tape.ts";

export interface CandleQuery {
  /** First candle is the first whose open time is >= from. */
  from?: number;
  /** Last candle is the last whose open time is <= to. */
  to?: number;
  /** With `from`: the first `limit` candles; without: the last `limit`. */
  limit?: number;
}

export interface CandleSource {
  tape: TradeTape;
  interval: Interval;
  /** Price before the first trade. */
  startPrice: number;
  /** When the market started (first candle contains it). */
  runStart: number;
  now: number;
}

/**
 * Candles computed from the recorded trades: the ground truth that live klines and REST klines must
 * match. Intervals without trades are included, flat at the previous close, as exchanges do.
 */
export function candlesFromTape(src: CandleSource, q: CandleQuery = {}): Candle[] {
  const { tape, interval, now } = src;
  const first = intervalOpen(interval, src.runStart);
  let open = first;
  if (q.from !== undefined && q.from > first) {
    open = intervalOpen(interval, q.from);
    if (open < q.from) open = nextIntervalOpen(interval, open);
  }
  const end = Math.min(q.to ?? now, now);
  const out: Candle[] = [];
  let idx = tape.lowerBound(open);
  let prev = idx > 0 ? tape.priceAt(idx - 1) : src.startPrice;
  const len = tape.length;
  while (open <= end) {
    const c = emptyCandle(interval, open, prev);
    while (idx < len && tape.timeAt(idx) <= c.closeTime) {
      addTradeFields(c, idx + 1, tape.priceAt(idx), tape.amountAt(idx), tape.sideAt(idx) === "buy");
      idx++;
    }
    c.closed = c.closeTime < now;
    out.push(c);
    prev = c.close;
    open = nextIntervalOpen(interval, open);
    if (q.limit !== undefined && q.from !== undefined && out.length >= q.limit) break;
  }
  if (q.limit !== undefined && q.from === undefined && out.length > q.limit) return out.slice(-q.limit);
  return out;
}
