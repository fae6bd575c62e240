import type { FrameResult, ParseContext } from "../../adapter.ts";
import type { Bbo, Book, Level } from "../../schemas/messages.ts";
import { epochMsInteger, int, isObject, levels } from "../wire/fields.ts";
import { badField, ignoredFrozen, unknownSymbol } from "../wire/frame-results.ts";
import { symbolState } from "../wire/symbol-state.ts";
import type { ScannedOrderbook } from "./book-scan.ts";
import { EXCHANGE } from "./results.ts";
import { framedSymbol } from "./topics.ts";

/**
 * `orderbook.<depth>.<S>` frames: `{topic, type: snapshot|delta, ts, data: {s, b, a, u, seq}, cts}`.
 * - depth 1 → bbo. Spot sends only snapshots; linear sent level-1 deltas too (still in recordings):
 *   a level-1 delta replaces a side's single level, its zero-size entries remove it. The current
 *   top per symbol lives in the connection's parser state.
 * - other depths → book. seq = u (+1 per delta on a topic), prevSeq = u − 1; a `snapshot`, or a
 *   delta with u = 1 (Bybit restarted the service), resets the book and is a snapshot.
 */

interface Top {
  bid: Level | null;
  ask: Level | null;
}

const ONE_SIDED = ignoredFrozen("one_sided_book");

/** A level-1 delta side: its non-zero level is the new top; a removal of the top empties the side. */
function applyTopDelta(top: Level | null, side: Level[]): Level | null {
  for (const l of side) if (l[1] !== 0) return l;
  for (const l of side) if (top !== null && l[0] === top[0]) return null;
  return top;
}

export function parseOrderbook(
  msg: Record<string, unknown>,
  depth: string,
  symbol: string,
  ctx: ParseContext,
): FrameResult {
  const what = `orderbook.${depth}`;
  const type = msg.type;
  if (type !== "snapshot" && type !== "delta") return badField(what, "type", type);
  const data = msg.data;
  if (!isObject(data)) return badField(what, "data", data);
  if (data.s !== undefined && data.s !== symbol) return badField(what, "data.s", data.s);
  symbol = framedSymbol(symbol, data.s);
  const market = ctx.marketOf(symbol);
  if (market === undefined) return unknownSymbol(what, symbol);
  const ts = epochMsInteger(msg.ts);
  if (Number.isNaN(ts)) return badField(what, "ts", msg.ts);
  const u = int(data.u);
  if (!(u >= 1)) return badField(what, "data.u", data.u);
  const bids = levels(data.b);
  if (bids === null) return badField(what, "data.b", data.b);
  const asks = levels(data.a);
  if (asks === null) return badField(what, "data.a", data.a);
  return orderbookOf(depth, type, symbol, market, ts, u, bids, asks, ctx);
}

/**
 * What book-scan.ts read from an orderbook frame's text (levels already numbers), checked in
 * parseOrderbook's order. `symbol`: the topic's.
 */
export function parseScannedOrderbook(
  b: ScannedOrderbook,
  depth: string,
  symbol: string,
  ctx: ParseContext,
): FrameResult {
  const what = `orderbook.${depth}`;
  const type = b.type;
  if (type !== "snapshot" && type !== "delta") return badField(what, "type", type);
  if (b.s !== undefined && b.s !== symbol) return badField(what, "data.s", b.s);
  const market = ctx.marketOf(symbol);
  if (market === undefined) return unknownSymbol(what, symbol);
  const ts = epochMsInteger(b.ts);
  if (Number.isNaN(ts)) return badField(what, "ts", b.ts);
  const u = int(b.u);
  if (!(u >= 1)) return badField(what, "data.u", b.u);
  return orderbookOf(depth, type, symbol, market, ts, u, b.bids, b.asks, ctx);
}

function orderbookOf(
  depth: string,
  type: "snapshot" | "delta",
  symbol: string,
  market: string,
  ts: number,
  u: number,
  bids: Level[],
  asks: Level[],
  ctx: ParseContext,
): FrameResult {
  if (depth === "1") {
    const tops = symbolState<Top>(ctx.state, "bbo");
    let top: Top;
    if (type === "snapshot") top = { bid: bids[0] ?? null, ask: asks[0] ?? null };
    else {
      // before any snapshot a delta's levels are all there is to know
      const prev = tops.get(symbol) ?? { bid: null, ask: null };
      top = { bid: applyTopDelta(prev.bid, bids), ask: applyTopDelta(prev.ask, asks) };
    }
    tops.set(symbol, top);
    if (top.bid === null || top.ask === null) return ONE_SIDED;
    const bbo: Bbo = {
      type: "bbo",
      exchange: EXCHANGE,
      market,
      symbol,
      ts,
      recvTs: ctx.recvTs,
      bidPrice: top.bid[0],
      bidAmount: top.bid[1],
      askPrice: top.ask[0],
      askAmount: top.ask[1],
      seq: u,
    };
    return { kind: "data", messages: [bbo] };
  }

  const snapshot = type === "snapshot" || u === 1;
  const book: Book = {
    type: "book",
    exchange: EXCHANGE,
    market,
    symbol,
    ts,
    recvTs: ctx.recvTs,
    kind: snapshot ? "snapshot" : "delta",
    seq: u,
    prevSeq: snapshot ? null : u - 1,
    bids,
    asks,
  };
  return { kind: "data", messages: [book] };
}
