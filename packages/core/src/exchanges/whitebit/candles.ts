import type { FrameResult, ParseContext } from "../../adapter.ts";
import type { Candle, CandleInterval } from "../../schemas/messages.ts";
import { num } from "../wire/fields.ts";
import { badFieldUnquoted, ignoredFrozen, unknownSymbol } from "../wire/frame-results.ts";
import { secondsToMs } from "./fields.ts";
import { closeTimeOf } from "./intervals.ts";

/**
 * `candles_update [[time, open, close, high, low, volume, deal, market], ...]`, the live candle
 * every 0.5 s. The push names neither its period nor whether the candle is final, so the parser
 * keeps two things in the connection's state: the period, read from the ack of the connection's
 * one `candles_subscribe` (see ws.ts), and the last candle per market — when a push opens a newer
 * candle, the remembered one is emitted once more as closed. That close misses the trades after the
 * last push (up to 0.5 s), so its ts stays the last push's time (at most the close time − 1 ms):
 * the final candle, from REST (the `candles` poll, ts = its close time), is another message and
 * replaces it, whichever arrives first. WhiteBIT candles have
 * no trade count (0).
 */

const EXCHANGE = "whitebit";
const INTERVAL_KEY = "candles:interval";
const INTERVAL_UNKNOWN = ignoredFrozen("candles:interval_unknown");

/** Remembers the period of the connection's candle stream (called on its subscribe ack). */
export function rememberCandleInterval(state: Map<string, unknown>, interval: CandleInterval): void {
  state.set(INTERVAL_KEY, interval);
}

function lastKey(interval: CandleInterval, symbol: string): string {
  return `candles:last:${interval}:${symbol}`;
}

export function parseCandles(params: unknown[], ctx: ParseContext): FrameResult {
  const interval = ctx.state.get(INTERVAL_KEY) as CandleInterval | undefined;
  if (interval === undefined) return INTERVAL_UNKNOWN;
  const out: Candle[] = [];
  for (let i = 0; i < params.length; i++) {
    const r = params[i];
    if (!Array.isArray(r) || r.length < 8) return badFieldUnquoted("candles_update", `params[${i}]`, r);
    const symbol = r[7];
    if (typeof symbol !== "string") return badFieldUnquoted("candles_update", "market", symbol);
    const market = ctx.marketOf(symbol);
    if (market === undefined) return unknownSymbol("candles_update", symbol);
    const openTime = typeof r[0] === "number" && Number.isInteger(r[0]) ? secondsToMs(r[0]) : Number.NaN;
    if (Number.isNaN(openTime)) return badFieldUnquoted("candles_update", "time", r[0]);
    const open = num(r[1]);
    if (Number.isNaN(open)) return badFieldUnquoted("candles_update", "open", r[1]);
    const close = num(r[2]);
    if (Number.isNaN(close)) return badFieldUnquoted("candles_update", "close", r[2]);
    const high = num(r[3]);
    if (Number.isNaN(high)) return badFieldUnquoted("candles_update", "high", r[3]);
    const low = num(r[4]);
    if (Number.isNaN(low)) return badFieldUnquoted("candles_update", "low", r[4]);
    const volume = num(r[5]);
    if (Number.isNaN(volume)) return badFieldUnquoted("candles_update", "volume", r[5]);
    const quoteVolume = num(r[6]);
    if (Number.isNaN(quoteVolume)) return badFieldUnquoted("candles_update", "deal", r[6]);
    const candle: Candle = {
      type: "candle",
      exchange: EXCHANGE,
      market,
      symbol,
      ts: ctx.recvTs,
      recvTs: ctx.recvTs,
      interval,
      openTime,
      closeTime: closeTimeOf(interval, openTime),
      open,
      high,
      low,
      close,
      volume,
      quoteVolume,
      trades: null, // WhiteBIT candles carry no trade count
      closed: false,
    };
    const key = lastKey(interval, symbol);
    const last = ctx.state.get(key) as Candle | undefined;
    if (last !== undefined && openTime < last.openTime) continue; // a late push of an older candle
    if (last !== undefined && openTime > last.openTime) {
      // Provisional: before the close time, so the final REST candle (ts = close time) replaces it.
      out.push({ ...last, ts: Math.min(last.ts, last.closeTime - 1), recvTs: ctx.recvTs, closed: true });
    }
    ctx.state.set(key, candle);
    out.push(candle);
  }
  return out.length > 0 ? { kind: "data", messages: out } : ignoredFrozen("stale:candles_update");
}
