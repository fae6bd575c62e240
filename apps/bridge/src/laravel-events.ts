import type { NormalizedMessage } from "@tickerplant/core";

/**
 * The events the Laravel microservice consumed, made from normalized messages. Routing key = event
 * name; body (JSON):
 *   { "event": "crypto.price.updated", "exchange": "binance", "market": "BTC-USDT",
 *     "symbol": "BTCUSDT", "data": { ... }, "timestamp": 1717000000, "ts": 1717000000123,
 *     "simulated": true }            ← only for simulator data
 * `timestamp` is epoch seconds (Laravel's habit), `ts` epoch milliseconds of the exchange event.
 * See docs/bridges.md for each event's `data`.
 */
export interface LaravelEvent {
  event: string;
  /** Conflation key: one pending value per event and market. */
  key: string;
  /** Whether the newest value may replace an unsent one (prices, tickers) or each must go (closed candles). */
  conflate: boolean;
  body: Record<string, unknown>;
}

export const LARAVEL_EVENTS = [
  "crypto.price.updated",
  "crypto.ticker.updated",
  "crypto.candle.closed",
  "crypto.quote.updated",
  "crypto.feed.status",
] as const;

function envelope(
  event: string,
  m: NormalizedMessage,
  data: Record<string, unknown>,
  conflate: boolean,
): LaravelEvent {
  return {
    event,
    key: `${event}|${m.exchange}|${m.market}`,
    conflate,
    body: {
      event,
      exchange: m.exchange,
      market: m.market,
      symbol: m.symbol,
      data,
      timestamp: Math.floor(m.ts / 1000),
      ts: m.ts,
      ...(m.simulated ? { simulated: true } : {}),
    },
  };
}

/** The Laravel event for a normalized message, or undefined when it has none (books, derivatives). */
export function laravelEventOf(m: NormalizedMessage): LaravelEvent | undefined {
  switch (m.type) {
    case "trade":
      return envelope(
        "crypto.price.updated",
        m,
        { price: m.price, amount: m.amount, side: m.side, tradeId: m.id },
        true,
      );
    case "ticker":
      return envelope(
        "crypto.ticker.updated",
        m,
        {
          last: m.last,
          open: m.open,
          high: m.high,
          low: m.low,
          volume: m.volume,
          quoteVolume: m.quoteVolume,
          change: m.change,
          changePct: m.changePct,
          bid: m.bid,
          ask: m.ask,
        },
        true,
      );
    case "bbo":
      return envelope(
        "crypto.quote.updated",
        m,
        { bid: m.bidPrice, bidAmount: m.bidAmount, ask: m.askPrice, askAmount: m.askAmount },
        true,
      );
    case "candle": {
      if (!m.closed) return undefined;
      const e = envelope(
        "crypto.candle.closed",
        m,
        {
          interval: m.interval,
          openTime: m.openTime,
          closeTime: m.closeTime,
          open: m.open,
          high: m.high,
          low: m.low,
          close: m.close,
          volume: m.volume,
          quoteVolume: m.quoteVolume,
          trades: m.trades,
        },
        false,
      );
      return { ...e, key: `${e.key}|${m.interval}` };
    }
    case "status":
      return envelope("crypto.feed.status", m, { event: m.event, detail: m.detail }, false);
    default:
      return undefined;
  }
}
