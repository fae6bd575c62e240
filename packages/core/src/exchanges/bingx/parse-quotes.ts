import type { FrameResult } from "../../adapter.ts";
import type { Bbo, Deriv, Ticker } from "../../schemas/messages.ts";
import { epochMsInteger, int, isObject, num } from "../wire/fields.ts";
import { badField, unknownSymbol } from "../wire/frame-results.ts";
import { pct } from "./fields.ts";
import { symbolIn, type Topic } from "./topic.ts";

/**
 * `@bookTicker`: spot `{e,E,s,b,B,a,A}` (no update id); swap adds `u` (update id) and `T` (match
 * time). ts = T, else E.
 */
export function parseBookTicker(data: unknown, t: Topic): FrameResult {
  if (!isObject(data)) return badField("bookTicker", "data", data);
  const symbol = symbolIn(data, t);
  const market = t.ctx.marketOf(symbol);
  if (market === undefined) return unknownSymbol("bookTicker", symbol);
  const bidPrice = num(data.b);
  if (Number.isNaN(bidPrice)) return badField("bookTicker", "b", data.b);
  const bidAmount = num(data.B);
  if (Number.isNaN(bidAmount)) return badField("bookTicker", "B", data.B);
  const askPrice = num(data.a);
  if (Number.isNaN(askPrice)) return badField("bookTicker", "a", data.a);
  const askAmount = num(data.A);
  if (Number.isNaN(askAmount)) return badField("bookTicker", "A", data.A);
  const time = data.T ?? data.E;
  const ts = time === undefined ? t.ctx.recvTs : epochMsInteger(time);
  if (Number.isNaN(ts)) return badField("bookTicker", "T", time);
  const msg: Bbo = {
    type: "bbo",
    exchange: "bingx",
    market,
    symbol,
    ts,
    recvTs: t.ctx.recvTs,
    bidPrice,
    bidAmount,
    askPrice,
    askAmount,
  };
  if (data.u !== undefined) {
    const seq = int(data.u);
    if (Number.isNaN(seq)) return badField("bookTicker", "u", data.u);
    msg.seq = seq;
  }
  return { kind: "data", messages: [msg] };
}

/**
 * `@ticker` (24 h, every second): `{e:"24hTicker",E,s,p,P,c,L,h,l,v,q,o,O,C,A,a,B,b}`. Swap sends
 * decimal strings; spot sends JSON numbers and `P` as "-0.87%". B/A are the best bid/ask prices.
 */
export function parseTicker(data: unknown, t: Topic): FrameResult {
  if (!isObject(data)) return badField("24hTicker", "data", data);
  const symbol = symbolIn(data, t);
  const market = t.ctx.marketOf(symbol);
  if (market === undefined) return unknownSymbol("24hTicker", symbol);
  const ts = epochMsInteger(data.E);
  if (Number.isNaN(ts)) return badField("24hTicker", "E", data.E);
  const last = num(data.c);
  if (Number.isNaN(last)) return badField("24hTicker", "c", data.c);
  const open = num(data.o);
  if (Number.isNaN(open)) return badField("24hTicker", "o", data.o);
  const high = num(data.h);
  if (Number.isNaN(high)) return badField("24hTicker", "h", data.h);
  const low = num(data.l);
  if (Number.isNaN(low)) return badField("24hTicker", "l", data.l);
  const volume = num(data.v);
  if (Number.isNaN(volume)) return badField("24hTicker", "v", data.v);
  const quoteVolume = num(data.q);
  if (Number.isNaN(quoteVolume)) return badField("24hTicker", "q", data.q);
  const change = num(data.p);
  if (Number.isNaN(change)) return badField("24hTicker", "p", data.p);
  const changePct = pct(data.P);
  if (Number.isNaN(changePct)) return badField("24hTicker", "P", data.P);
  const bid = data.B === undefined ? null : num(data.B);
  if (Number.isNaN(bid)) return badField("24hTicker", "B", data.B);
  const ask = data.A === undefined ? null : num(data.A);
  if (Number.isNaN(ask)) return badField("24hTicker", "A", data.A);
  const msg: Ticker = {
    type: "ticker",
    exchange: "bingx",
    market,
    symbol,
    ts,
    recvTs: t.ctx.recvTs,
    last,
    open,
    high,
    low,
    volume,
    quoteVolume,
    change,
    changePct,
    bid,
    ask,
  };
  return { kind: "data", messages: [msg] };
}

/** Swap `@markPrice`: `{e:"markPriceUpdate",E,s,p}` → deriv with the mark price only. */
export function parseMarkPrice(data: unknown, t: Topic): FrameResult {
  if (!isObject(data)) return badField("markPriceUpdate", "data", data);
  const symbol = symbolIn(data, t);
  const market = t.ctx.marketOf(symbol);
  if (market === undefined) return unknownSymbol("markPriceUpdate", symbol);
  const markPrice = num(data.p);
  if (Number.isNaN(markPrice)) return badField("markPriceUpdate", "p", data.p);
  const ts = epochMsInteger(data.E);
  if (Number.isNaN(ts)) return badField("markPriceUpdate", "E", data.E);
  const msg: Deriv = {
    type: "deriv",
    exchange: "bingx",
    market,
    symbol,
    ts,
    recvTs: t.ctx.recvTs,
    markPrice,
    indexPrice: null,
    fundingRate: null,
    nextFundingTime: null,
    openInterest: null,
  };
  return { kind: "data", messages: [msg] };
}
