import type { FrameResult } from "../../adapter.ts";
import type { Candle } from "../../schemas/messages.ts";
import { epochMsInteger, int, isObject, num } from "../wire/fields.ts";
import { badField, ignored, unknownSymbol } from "../wire/frame-results.ts";
import { type BingxInterval, closeTimeOf, spotIntervalOf, swapIntervalOf } from "./intervals.ts";
import { invalid } from "./results.ts";
import { symbolIn, type Topic } from "./topic.ts";

/**
 * `@kline_<interval>`. Neither venue flags a finished candle, so `closed` comes from the
 * connection's own stream: when a kline with a later open time arrives, the last values of the
 * previous one are emitted once more with closed = true (ts = its close time, so every ingestor
 * emits the same message). A spot kline pushed after its close time (E > K.T) is closed at once.
 * - spot: `{E, e:"kline", s, K:{t (open), T (close), o,h,l,c,v, q (quote volume), n (trades), i}}`
 * - swap: `{s, data:[{T (OPEN time), o,h,l,c,v}]}`: no close time (computed), quote volume or
 *   trade count (0: BingX does not send them).
 */

interface LastKline {
  candle: Candle;
  /** The closed version has been emitted already. */
  closed: boolean;
}

export function parseKline(data: unknown, t: Topic): FrameResult {
  const name = t.stream.slice("kline_".length);
  const interval = t.venue === "spot" ? spotIntervalOf(name) : swapIntervalOf(name);
  if (interval === undefined)
    return invalid("unknown_stream", `kline: unknown interval ${JSON.stringify(name)}`);
  if (t.venue === "spot") {
    if (!isObject(data)) return badField("kline", "data", data);
    const c = spotCandle(data, interval, t);
    return "kind" in c ? c : roll(c, t);
  }
  if (!Array.isArray(data)) return badField("kline", "data", data);
  const symbol = typeof t.frame.s === "string" && t.frame.s.length > 0 ? t.frame.s : t.symbol;
  const market = t.ctx.marketOf(symbol);
  if (market === undefined) return unknownSymbol("kline", symbol);
  const out: Candle[] = [];
  for (let i = 0; i < data.length; i++) {
    const row = data[i];
    if (!isObject(row)) return invalid("invalid_shape", `kline: data[${i}] is not an object`);
    const openTime = epochMsInteger(row.T);
    if (Number.isNaN(openTime)) return badField("kline", "T", row.T);
    const ohlcv = readOhlcv(row);
    if (typeof ohlcv === "string") return badField("kline", ohlcv, row[ohlcv]);
    const candle: Candle = {
      type: "candle",
      exchange: "bingx",
      market,
      symbol,
      ts: t.ctx.recvTs,
      recvTs: t.ctx.recvTs,
      interval,
      openTime,
      closeTime: closeTimeOf(interval, openTime),
      ...ohlcv,
      // swap klines carry neither
      quoteVolume: null,
      trades: null,
      closed: false,
    };
    const r = roll(candle, t);
    if (r.kind === "data") out.push(...(r.messages as Candle[]));
  }
  return { kind: "data", messages: out };
}

function spotCandle(p: Record<string, unknown>, interval: BingxInterval, t: Topic): Candle | FrameResult {
  const k = p.K;
  if (!isObject(k)) return badField("kline", "K", k);
  const symbol = typeof k.s === "string" && k.s.length > 0 ? k.s : symbolIn(p, t);
  const market = t.ctx.marketOf(symbol);
  if (market === undefined) return unknownSymbol("kline", symbol);
  const ts = epochMsInteger(p.E);
  if (Number.isNaN(ts)) return badField("kline", "E", p.E);
  const openTime = epochMsInteger(k.t);
  if (Number.isNaN(openTime)) return badField("kline", "K.t", k.t);
  const closeTime = epochMsInteger(k.T);
  if (Number.isNaN(closeTime) || closeTime < openTime) return badField("kline", "K.T", k.T);
  const ohlcv = readOhlcv(k);
  if (typeof ohlcv === "string") return badField("kline", `K.${ohlcv}`, k[ohlcv]);
  const quoteVolume = num(k.q);
  if (Number.isNaN(quoteVolume)) return badField("kline", "K.q", k.q);
  const trades = k.n === undefined ? null : int(k.n);
  if (trades !== null && Number.isNaN(trades)) return badField("kline", "K.n", k.n);
  const closed = ts > closeTime;
  return {
    type: "candle",
    exchange: "bingx",
    market,
    symbol,
    ts: closed ? closeTime : ts,
    recvTs: t.ctx.recvTs,
    interval,
    openTime,
    closeTime,
    ...ohlcv,
    quoteVolume,
    trades,
    closed,
  };
}

/** o/h/l/c/v as numbers, or the name of the first bad field. */
function readOhlcv(
  r: Record<string, unknown>,
): { open: number; high: number; low: number; close: number; volume: number } | string {
  const open = num(r.o);
  if (Number.isNaN(open)) return "o";
  const high = num(r.h);
  if (Number.isNaN(high)) return "h";
  const low = num(r.l);
  if (Number.isNaN(low)) return "l";
  const close = num(r.c);
  if (Number.isNaN(close)) return "c";
  const volume = num(r.v);
  if (Number.isNaN(volume)) return "v";
  return { open, high, low, close, volume };
}

/** Emits the candle, preceded by the closed form of the previous one when a new period began. */
function roll(candle: Candle, t: Topic): FrameResult {
  const key = `kline:${candle.symbol}:${candle.interval}`;
  const last = t.ctx.state.get(key) as LastKline | undefined;
  if (last !== undefined && candle.openTime < last.candle.openTime) {
    // a late update of a period already over: it is final
    return { kind: "data", messages: [{ ...candle, closed: true, ts: candle.closeTime }] };
  }
  const out: Candle[] = [];
  if (last !== undefined && candle.openTime > last.candle.openTime && !last.closed) {
    out.push({ ...last.candle, closed: true, ts: last.candle.closeTime, recvTs: t.ctx.recvTs });
  }
  if (last !== undefined && candle.openTime === last.candle.openTime && last.closed) {
    // the final values went out already; a repeat adds nothing
    return ignored("kline_repeat");
  }
  out.push(candle);
  t.ctx.state.set(key, { candle, closed: candle.closed });
  return { kind: "data", messages: out };
}
