import type { FrameResult } from "../../adapter.ts";
import type { Book } from "../../schemas/messages.ts";
import { epochMsInteger, int, isObject } from "../wire/fields.ts";
import { badField, unknownSymbol } from "../wire/frame-results.ts";
import { levels, sortBook } from "./fields.ts";
import { symbolIn, type Topic } from "./topic.ts";

/**
 * `@incrDepth` (the book channel): first `action:"all"` with the full depth (up to 1000 levels) and
 * `lastUpdateId`, then `action:"update"` with changed levels (quantity 0 deletes) where each
 * lastUpdateId = previous + 1 (BingX docs) ⇒ delta seq = lastUpdateId, prevSeq = lastUpdateId − 1.
 * Spot sends the levels as `{"price":"qty"}` maps, swap as `[[price, qty]]`. ts = data.time (swap),
 * else the frame's timestamp (spot), else recvTs.
 */
export function parseIncrDepth(data: unknown, t: Topic): FrameResult {
  if (!isObject(data)) return badField("incrDepth", "data", data);
  const symbol = symbolIn(data, t);
  const market = t.ctx.marketOf(symbol);
  if (market === undefined) return unknownSymbol("incrDepth", symbol);
  const action = data.action;
  if (action !== "all" && action !== "update") return badField("incrDepth", "action", action);
  const seq = int(data.lastUpdateId);
  if (Number.isNaN(seq)) return badField("incrDepth", "lastUpdateId", data.lastUpdateId);
  const bids = levels(data.bids ?? []);
  if (bids === null) return badField("incrDepth", "bids", data.bids);
  const asks = levels(data.asks ?? []);
  if (asks === null) return badField("incrDepth", "asks", data.asks);
  const time = data.time ?? t.frame.timestamp;
  const ts = time === undefined ? t.ctx.recvTs : epochMsInteger(time);
  if (Number.isNaN(ts)) return badField("incrDepth", "time", time);
  const snapshot = action === "all";
  if (snapshot) sortBook(bids, asks);
  const msg: Book = {
    type: "book",
    exchange: "bingx",
    market,
    symbol,
    ts,
    recvTs: t.ctx.recvTs,
    kind: snapshot ? "snapshot" : "delta",
    seq,
    prevSeq: snapshot ? null : seq - 1,
    bids,
    asks,
  };
  return { kind: "data", messages: [msg] };
}

/**
 * Partial depth `@depth<N>` (spot, every 300 ms) and `@depth<N>@<ms>` (swap): a top-N snapshot.
 * Asks arrive best-last on both venues (fixture: swap depth20); levels are sorted best-first. The
 * sequence is the spot `lastUpdateId` where sent, else the frame time (swap `ts`, spot `timestamp`):
 * these snapshots stand alone and are never chained to deltas.
 */
export function parsePartialDepth(data: unknown, t: Topic): FrameResult {
  if (!isObject(data)) return badField("depth", "data", data);
  const symbol = symbolIn(data, t);
  const market = t.ctx.marketOf(symbol);
  if (market === undefined) return unknownSymbol("depth", symbol);
  const bids = levels(data.bids);
  if (bids === null) return badField("depth", "bids", data.bids);
  const asks = levels(data.asks);
  if (asks === null) return badField("depth", "asks", data.asks);
  const time = t.frame.ts ?? t.frame.timestamp ?? data.ts;
  const ts = time === undefined ? t.ctx.recvTs : epochMsInteger(time);
  if (Number.isNaN(ts)) return badField("depth", "ts", time);
  const seq = data.lastUpdateId === undefined ? ts : int(data.lastUpdateId);
  if (Number.isNaN(seq)) return badField("depth", "lastUpdateId", data.lastUpdateId);
  sortBook(bids, asks);
  const msg: Book = {
    type: "book",
    exchange: "bingx",
    market,
    symbol,
    ts,
    recvTs: t.ctx.recvTs,
    kind: "snapshot",
    seq,
    prevSeq: null,
    bids,
    asks,
  };
  return { kind: "data", messages: [msg] };
}
