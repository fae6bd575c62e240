import type { FrameResult, ParseContext } from "../../adapter.ts";
import { parseMarket } from "../../markets.ts";
import type { Candle } from "../../schemas/messages.ts";
import { num } from "../wire/fields.ts";
import { badField, ignoredFrozen, unknownSymbol } from "../wire/frame-results.ts";
import { epochMs } from "./fields.ts";
import { closeTimeOf, intervalOfBar, type OkxInterval, UNSUPPORTED_BARS } from "./intervals.ts";
import { EXCHANGE, invalid } from "./results.ts";

/**
 * One candle row, as the WebSocket `candle<bar>` channels and the REST candles endpoints send it:
 * `[ts, o, h, l, c, vol, volCcy, volCcyQuote, confirm]`. Volume is base: `vol` for spot, `volCcy`
 * for swaps and futures (whose `vol` counts contracts); quote volume is `volCcyQuote`. OKX has no
 * trade count (trades = null). Returns the candle, or the name of the bad field.
 */
export function candleOfRow(
  r: unknown,
  interval: OkxInterval,
  market: string,
  symbol: string,
  recvTs: number,
): Candle | string {
  if (!Array.isArray(r) || r.length < 9) return "row";
  const openTime = epochMs(r[0]);
  if (Number.isNaN(openTime)) return "ts";
  const open = num(r[1]);
  if (Number.isNaN(open)) return "o";
  const high = num(r[2]);
  if (Number.isNaN(high)) return "h";
  const low = num(r[3]);
  if (Number.isNaN(low)) return "l";
  const close = num(r[4]);
  if (Number.isNaN(close)) return "c";
  const spot = parseMarket(market).kind === "spot";
  const volume = num(spot ? r[5] : r[6]);
  if (Number.isNaN(volume)) return spot ? "vol" : "volCcy";
  const quoteVolume = num(r[7]);
  if (Number.isNaN(quoteVolume)) return "volCcyQuote";
  const confirm = r[8];
  if (confirm !== "0" && confirm !== "1") return "confirm";
  const closed = confirm === "1";
  const closeTime = closeTimeOf(interval, openTime);
  return {
    type: "candle",
    exchange: EXCHANGE,
    market,
    symbol,
    // no event time on OKX candles: a closed candle is stamped with its close time, so every
    // copy of it (WebSocket, REST, another ingestor) has the same message id
    ts: closed ? closeTime : recvTs,
    recvTs,
    interval,
    openTime,
    closeTime,
    open,
    high,
    low,
    close,
    volume,
    quoteVolume,
    trades: null,
    closed,
  };
}

/** `candle<bar>` frames; Hong Kong-aligned bars and bars without a normalized interval are ignored. */
export function parseCandles(
  channel: string,
  instId: unknown,
  rows: unknown[],
  ctx: ParseContext,
): FrameResult {
  const bar = channel.slice("candle".length);
  const interval = intervalOfBar(bar);
  if (interval === undefined) {
    return UNSUPPORTED_BARS.has(bar)
      ? ignoredFrozen(`unsupported:${channel}`)
      : invalid("unknown_channel", `unknown candle channel ${channel}`);
  }
  if (typeof instId !== "string") return badField(channel, "arg.instId", instId);
  const market = ctx.marketOf(instId);
  if (market === undefined) return unknownSymbol(channel, instId, "instId");
  const out: Candle[] = [];
  for (const r of rows) {
    const c = candleOfRow(r, interval, market, instId, ctx.recvTs);
    if (typeof c === "string") return badField(channel, c, r);
    out.push(c);
  }
  return { kind: "data", messages: out };
}
