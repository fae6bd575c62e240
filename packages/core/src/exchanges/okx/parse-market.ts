import type { FrameResult, ParseContext } from "../../adapter.ts";
import { parseMarket } from "../../markets.ts";
import type { Bbo, Ticker, Trade } from "../../schemas/messages.ts";
import { int, isObject, levels, num, optionalNum } from "../wire/fields.ts";
import { badField, unknownSymbol } from "../wire/frame-results.ts";
import { epochMs } from "./fields.ts";
import { EXCHANGE } from "./results.ts";

/**
 * Spot and swap market channels: trades / trades-all, tickers, bbo-tbt (books are in
 * parse-book.ts). `rows` is the frame's `data` array, `instId` the frame's `arg.instId`.
 */

/** `trades` (fills of one taker order at one price, `count` of them) and `trades-all` (one each). */
export function parseTrades(channel: string, rows: unknown[], ctx: ParseContext): FrameResult {
  const out: Trade[] = [];
  for (const r of rows) {
    if (!isObject(r)) return badField(channel, "data[]", r);
    const symbol = r.instId;
    if (typeof symbol !== "string") return badField(channel, "instId", symbol);
    const market = ctx.marketOf(symbol);
    if (market === undefined) return unknownSymbol(channel, symbol, "instId");
    const id = r.tradeId;
    if (typeof id !== "string" || id.length === 0) return badField(channel, "tradeId", id);
    const price = num(r.px);
    if (Number.isNaN(price)) return badField(channel, "px", r.px);
    const amount = num(r.sz);
    if (Number.isNaN(amount)) return badField(channel, "sz", r.sz);
    const side = r.side;
    if (side !== "buy" && side !== "sell") return badField(channel, "side", side);
    const ts = epochMs(r.ts);
    if (Number.isNaN(ts)) return badField(channel, "ts", r.ts);
    out.push({
      type: "trade",
      exchange: EXCHANGE,
      market,
      symbol,
      ts,
      recvTs: ctx.recvTs,
      id,
      price,
      amount,
      // OKX's side is the taker's
      side,
    });
  }
  return { kind: "data", messages: out };
}

/**
 * `tickers` → ticker. Volumes: spot `vol24h` is base and `volCcy24h` quote; for swaps and futures
 * `vol24h` counts contracts and `volCcy24h` is base, and OKX sends no quote volume (null, not an
 * estimate).
 */
export function parseTickers(rows: unknown[], ctx: ParseContext): FrameResult {
  const out: Ticker[] = [];
  for (const r of rows) {
    if (!isObject(r)) return badField("tickers", "data[]", r);
    const symbol = r.instId;
    if (typeof symbol !== "string") return badField("tickers", "instId", symbol);
    const market = ctx.marketOf(symbol);
    if (market === undefined) return unknownSymbol("tickers", symbol, "instId");
    const ts = epochMs(r.ts);
    if (Number.isNaN(ts)) return badField("tickers", "ts", r.ts);
    const last = num(r.last);
    if (Number.isNaN(last)) return badField("tickers", "last", r.last);
    const open = num(r.open24h);
    if (Number.isNaN(open)) return badField("tickers", "open24h", r.open24h);
    const high = num(r.high24h);
    if (Number.isNaN(high)) return badField("tickers", "high24h", r.high24h);
    const low = num(r.low24h);
    if (Number.isNaN(low)) return badField("tickers", "low24h", r.low24h);
    const vol = num(r.vol24h);
    if (Number.isNaN(vol)) return badField("tickers", "vol24h", r.vol24h);
    const volCcy = num(r.volCcy24h);
    if (Number.isNaN(volCcy)) return badField("tickers", "volCcy24h", r.volCcy24h);
    const bid = optionalNum(r.bidPx);
    if (Number.isNaN(bid)) return badField("tickers", "bidPx", r.bidPx);
    const ask = optionalNum(r.askPx);
    if (Number.isNaN(ask)) return badField("tickers", "askPx", r.askPx);
    const spot = parseMarket(market).kind === "spot";
    out.push({
      type: "ticker",
      exchange: EXCHANGE,
      market,
      symbol,
      ts,
      recvTs: ctx.recvTs,
      last,
      open,
      high,
      low,
      volume: spot ? vol : volCcy,
      quoteVolume: spot ? volCcy : null,
      // the difference of two decimals, without binary noise (535.6, not 535.6000000000022)
      change: Number((last - open).toPrecision(12)),
      changePct: open === 0 ? 0 : ((last - open) / open) * 100,
      bid,
      ask,
    });
  }
  return { kind: "data", messages: out };
}

/** `bbo-tbt` → bbo (seq = seqId). */
export function parseBbo(instId: unknown, rows: unknown[], ctx: ParseContext): FrameResult {
  if (typeof instId !== "string") return badField("bbo-tbt", "arg.instId", instId);
  const market = ctx.marketOf(instId);
  if (market === undefined) return unknownSymbol("bbo-tbt", instId, "instId");
  const out: Bbo[] = [];
  for (const r of rows) {
    if (!isObject(r)) return badField("bbo-tbt", "data[]", r);
    const bids = levels(r.bids);
    if (bids === null || bids.length === 0) return badField("bbo-tbt", "bids", r.bids);
    const asks = levels(r.asks);
    if (asks === null || asks.length === 0) return badField("bbo-tbt", "asks", r.asks);
    const ts = epochMs(r.ts);
    if (Number.isNaN(ts)) return badField("bbo-tbt", "ts", r.ts);
    const msg: Bbo = {
      type: "bbo",
      exchange: EXCHANGE,
      market,
      symbol: instId,
      ts,
      recvTs: ctx.recvTs,
      bidPrice: bids[0]![0],
      bidAmount: bids[0]![1],
      askPrice: asks[0]![0],
      askAmount: asks[0]![1],
    };
    if (r.seqId !== undefined) {
      const seq = int(r.seqId);
      if (Number.isNaN(seq)) return badField("bbo-tbt", "seqId", r.seqId);
      msg.seq = seq;
    }
    out.push(msg);
  }
  return { kind: "data", messages: out };
}
