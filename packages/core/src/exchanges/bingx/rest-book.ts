import type { RestContext } from "../../adapter.ts";
import { ParseError } from "../../errors.ts";
import type { Book } from "../../schemas/messages.ts";
import { epochMs, isObject, levels, sample, sortBook } from "./fields.ts";

/**
 * A REST depth body → book snapshot. BingX depth snapshots carry no update id (spot `{bids,asks,ts}`,
 * swap `{T,bids,asks,bidsCoin,asksCoin}`), so they cannot be chained to `@incrDepth` deltas: seq is
 * the snapshot time and the stream's own `action:"all"` snapshot is what a book resyncs from.
 */
export function parseDepthBody(data: unknown, ctx: RestContext, symbol: string, what: string): Book {
  if (!isObject(data)) throw new ParseError(`bingx ${what}: expected an object, got ${sample(data)}`);
  const bids = levels(data.bids);
  if (bids === null)
    throw new ParseError(`bingx ${what}: bids is not a list of [price, qty] ${sample(data.bids)}`);
  const asks = levels(data.asks);
  if (asks === null)
    throw new ParseError(`bingx ${what}: asks is not a list of [price, qty] ${sample(data.asks)}`);
  const time = data.T ?? data.ts;
  const ts = time === undefined ? ctx.recvTs : epochMs(time);
  if (Number.isNaN(ts)) throw new ParseError(`bingx ${what}: bad time ${sample(time)}`);
  sortBook(bids, asks);
  return {
    type: "book",
    exchange: "bingx",
    market: ctx.market,
    symbol,
    ts,
    recvTs: ctx.recvTs,
    kind: "snapshot",
    seq: ts,
    prevSeq: null,
    bids,
    asks,
  };
}
