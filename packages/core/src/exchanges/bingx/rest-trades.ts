import type { RestContext } from "../../adapter.ts";
import { ParseError } from "../../errors.ts";
import type { Trade } from "../../schemas/messages.ts";
import { epochMsInteger, isObject, num, sample } from "../wire/fields.ts";
import { arrayBody, objectRow } from "../wire/rest-body.ts";
import { restTrade } from "../wire/rest-messages.ts";
import { bool, idOf } from "./fields.ts";
import { contentId } from "./parse-trades.ts";

/**
 * REST trade rows in the shapes BingX uses: spot recent `{id,price,qty,time,buyerMaker}`, spot
 * history `{tid,t,p,v,ms,s}` (no documented taker side ⇒ "unknown"), swap `{time,isBuyerMaker,
 * price,qty,quoteQty}` with an `id`/`fillId` only on some versions. Rows without an id get the
 * same content id as the swap stream gives them, so a healed trade matches the streamed one.
 * Output is oldest first whatever order the page came in (BingX pages are newest first).
 */
export function parseTradeRows(data: unknown, ctx: RestContext, symbol: string, what: string): Trade[] {
  const rows = arrayBody(data, `bingx ${what}`, "an array of trades").slice();
  const timeOf = (r: unknown) => (isObject(r) ? epochMsInteger(r.time ?? r.t ?? r.T) : Number.NaN);
  if (rows.length > 1 && timeOf(rows[0]) > timeOf(rows[rows.length - 1])) rows.reverse();
  const seen = new Map<string, number>();
  const out: Trade[] = rows.map((row, i) => {
    const r = objectRow(row, i, `bingx ${what}`);
    const rawPrice = r.price ?? r.p;
    const rawQty = r.qty ?? r.v ?? r.q;
    const rawTime = r.time ?? r.t ?? r.T;
    const price = num(rawPrice);
    const amount = num(rawQty);
    const ts = epochMsInteger(rawTime);
    if (Number.isNaN(price) || Number.isNaN(amount) || Number.isNaN(ts)) {
      throw new ParseError(`bingx ${what}: row ${i} lacks price/qty/time: ${sample(r, 160)}`);
    }
    const maker = bool(r.buyerMaker ?? r.isBuyerMaker ?? r.m);
    const side = maker === undefined ? "unknown" : maker ? "sell" : "buy";
    const id =
      idOf(r.id ?? r.fillId ?? r.tid ?? r.tradeId) ??
      contentId(rawTime, rawPrice, rawQty, side === "unknown" ? "u" : side === "sell" ? "s" : "b", seen);
    return restTrade("bingx", ctx, symbol, { ts, id, price, amount, side });
  });
  // a stable sort keeps the exchange's order within one millisecond
  return out.sort((a, b) => a.ts - b.ts);
}
