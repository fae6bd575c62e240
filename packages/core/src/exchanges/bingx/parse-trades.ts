import type { FrameResult } from "../../adapter.ts";
import type { Trade } from "../../schemas/messages.ts";
import { epochMsInteger, isObject, num } from "../wire/fields.ts";
import { badField, unknownSymbol } from "../wire/frame-results.ts";
import { bool, idOf } from "./fields.ts";
import { invalid } from "./results.ts";
import { symbolIn, type Topic } from "./topic.ts";

/**
 * `@trade`. Spot pushes one trade per frame, `{e:"trade",E,T,s,t,p,q,m}` with the trade id `t`.
 * Swap pushes an array, newest first, of `{T,s,p,q,m}` WITHOUT a trade id (fixture 2024-05 and
 * BingX docs 2025): such trades get a deterministic id from their content,
 * `<T>-<p>-<q>-<b|s>-<n>` (taker side b/s) with n counting identical trades within the frame, so redundant
 * ingestors and replays produce the same ids. A `t`, where present, is used as is.
 * Messages come out oldest first. `m` = the buyer is the maker ⇒ the taker sold.
 */
export function parseTrades(data: unknown, t: Topic): FrameResult {
  if (isObject(data)) {
    const one = readTrade(data, t, undefined);
    return "kind" in one ? one : { kind: "data", messages: [one] };
  }
  if (!Array.isArray(data)) return badField("trade", "data", data);
  const messages: Trade[] = [];
  const seen = new Map<string, number>();
  for (let i = data.length - 1; i >= 0; i--) {
    const row = data[i];
    if (!isObject(row)) return invalid("invalid_shape", `trade: data[${i}] is not an object`);
    const r = readTrade(row, t, seen);
    if ("kind" in r) return r;
    messages.push(r);
  }
  return { kind: "data", messages };
}

function readTrade(
  p: Record<string, unknown>,
  t: Topic,
  seen: Map<string, number> | undefined,
): Trade | FrameResult {
  const symbol = symbolIn(p, t);
  const market = t.ctx.marketOf(symbol);
  if (market === undefined) return unknownSymbol("trade", symbol);
  const price = num(p.p);
  if (Number.isNaN(price)) return badField("trade", "p", p.p);
  const amount = num(p.q);
  if (Number.isNaN(amount)) return badField("trade", "q", p.q);
  const ts = epochMsInteger(p.T);
  if (Number.isNaN(ts)) return badField("trade", "T", p.T);
  const buyerMaker = bool(p.m);
  if (buyerMaker === undefined) return badField("trade", "m", p.m);
  let id = idOf(p.t);
  if (id === undefined) {
    if (p.t !== undefined || seen === undefined) return badField("trade", "t", p.t);
    id = contentId(p.T, p.p, p.q, buyerMaker ? "s" : "b", seen);
  }
  return {
    type: "trade",
    exchange: "bingx",
    market,
    symbol,
    ts,
    recvTs: t.ctx.recvTs,
    id,
    price,
    amount,
    side: buyerMaker ? "sell" : "buy",
  };
}

/**
 * The content id of a trade that has none, from the time, price and quantity as sent; `seen` counts
 * identical trades within one frame or page (oldest first).
 */
export function contentId(
  time: unknown,
  price: unknown,
  qty: unknown,
  side: "b" | "s" | "u",
  seen: Map<string, number>,
): string {
  const key = `${String(time)}-${String(price)}-${String(qty)}-${side}`;
  const n = seen.get(key) ?? 0;
  seen.set(key, n + 1);
  return `${key}-${n}`;
}
