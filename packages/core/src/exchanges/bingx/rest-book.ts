import type { RestContext } from "../../adapter.ts";
import { ParseError } from "../../errors.ts";
import type { Book, Level } from "../../schemas/messages.ts";
import { epochMsInteger, sample } from "../wire/fields.ts";
import { objectBody } from "../wire/rest-body.ts";
import { restBookSnapshot } from "../wire/rest-messages.ts";
import { levels, sortBook } from "./fields.ts";

/**
 * A REST depth body → book snapshot. BingX depth snapshots carry no update id (spot `{bids,asks,ts}`,
 * swap `{T,bids,asks,bidsCoin,asksCoin}`), so they cannot be chained to `@incrDepth` deltas: seq is
 * the snapshot time and the stream's own `action:"all"` snapshot is what a book resyncs from.
 */
export function parseDepthBody(data: unknown, ctx: RestContext, symbol: string, what: string): Book {
  const b = objectBody(data, `bingx ${what}`);
  const bids = bingxBookSide(b.bids, what, "bids");
  const asks = bingxBookSide(b.asks, what, "asks");
  const time = b.T ?? b.ts;
  const ts = time === undefined ? ctx.recvTs : epochMsInteger(time);
  if (Number.isNaN(ts)) throw new ParseError(`bingx ${what}: bad time ${sample(time)}`);
  sortBook(bids, asks);
  return restBookSnapshot("bingx", ctx, symbol, { ts, seq: ts, bids, asks });
}

/** A side in either of BingX's level forms (see levels); ParseError when malformed. */
function bingxBookSide(v: unknown, what: string, side: string): Level[] {
  const out = levels(v);
  if (out === null) throw new ParseError(`bingx ${what}: ${side} is not a list of [price, qty] ${sample(v)}`);
  return out;
}
