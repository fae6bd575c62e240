import type { RestContext } from "../../adapter.ts";
import type { Book, Candle, CandleInterval, Level, Trade } from "../../schemas/messages.ts";

/**
 * Normalized messages built from REST rows, the same for every adapter: the market and receive
 * time come from the request's context, the values from the exchange's row.
 */

export interface CandleValues {
  openTime: number;
  closeTime: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  /** null when the exchange does not send it (never 0 in its place) */
  quoteVolume: number | null;
  trades: number | null;
}

/**
 * A REST candle: closed = closeTime < recvTs; ts = closeTime for a closed candle (re-fetching it
 * yields the same message id, and the one the WebSocket parser emits), recvTs for the candle still open.
 */
export function restCandle(
  exchange: string,
  ctx: RestContext & { interval: CandleInterval },
  symbol: string,
  v: CandleValues,
): Candle {
  const closed = v.closeTime < ctx.recvTs;
  return {
    type: "candle",
    exchange,
    market: ctx.market,
    symbol,
    ts: closed ? v.closeTime : ctx.recvTs,
    recvTs: ctx.recvTs,
    interval: ctx.interval,
    openTime: v.openTime,
    closeTime: v.closeTime,
    open: v.open,
    high: v.high,
    low: v.low,
    close: v.close,
    volume: v.volume,
    quoteVolume: v.quoteVolume,
    trades: v.trades,
    closed,
  };
}

export interface TradeValues {
  ts: number;
  id: string;
  price: number;
  amount: number;
  side: Trade["side"];
}

export function restTrade(exchange: string, ctx: RestContext, symbol: string, v: TradeValues): Trade {
  return {
    type: "trade",
    exchange,
    market: ctx.market,
    symbol,
    ts: v.ts,
    recvTs: ctx.recvTs,
    id: v.id,
    price: v.price,
    amount: v.amount,
    side: v.side,
  };
}

export interface SnapshotValues {
  ts: number;
  seq: number;
  bids: Level[];
  asks: Level[];
}

/** A REST depth body as a book snapshot (no predecessor: prevSeq = null). */
export function restBookSnapshot(
  exchange: string,
  ctx: RestContext,
  symbol: string,
  v: SnapshotValues,
): Book {
  return {
    type: "book",
    exchange,
    market: ctx.market,
    symbol,
    ts: v.ts,
    recvTs: ctx.recvTs,
    kind: "snapshot",
    seq: v.seq,
    prevSeq: null,
    bids: v.bids,
    asks: v.asks,
  };
}
