import type { FrameResult, ParseContext } from "../../adapter.ts";
import type { Level, MarketMessage } from "../../schemas/messages.ts";
import { num, uint } from "../wire/fields.ts";
import { badField, ignored, unknownSymbol } from "../wire/frame-results.ts";
import { symbolState } from "../wire/symbol-state.ts";
import { derived } from "./fields.ts";
import { ACK, data, EXCHANGE, HEARTBEAT, invalid } from "./results.ts";
import { sequencedBook } from "./sequence.ts";
import { resolveMarket } from "./symbols.ts";
import { pushTicker, readBestQuotes } from "./ticker.ts";
import { isoMs } from "./time.ts";

/**
 * The legacy Coinbase Exchange (ex-Pro) feed, `wss://ws-feed.exchange.coinbase.com`: flat messages
 * told apart by `type`. Parsed so that recordings (cryptofeed, tardis.dev) normalize too; the live
 * ingest uses Advanced Trade.
 *
 * | type                   | result                                                               |
 * |------------------------|----------------------------------------------------------------------|
 * | `match`, `last_match`  | trade; `side` is the maker's ⇒ taker side flipped                    |
 * | `ticker`               | ticker (+ bbo when best_bid_size/best_ask_size are present)          |
 * | `snapshot`             | book snapshot (ts = recvTs: it has no time)                          |
 * | `l2update`             | book delta; `changes` [side buy/sell, price, absolute size]          |
 * | `heartbeat`            | control heartbeat                                                    |
 * | `subscriptions`        | ack (no id)                                                          |
 * | full/level3/status     | ignored (`unsupported:<type>`)                                       |
 *
 * A missing or placeholder time (`0001-01-01T00:00:00.000000Z`) takes the product's last valid
 * time on the connection, else recvTs. Level2 has no sequence numbers: books get time-based seqs.
 */

const UNSUPPORTED = new Set(["status", "received", "open", "done", "change", "activate", "auction"]);
const TIMES = "cbl:ts";

export function parseLegacy(p: Record<string, unknown>, type: string, ctx: ParseContext): FrameResult {
  switch (type) {
    case "match":
    case "last_match":
      return parseMatch(p, type, ctx);
    case "ticker":
      return parseTicker(p, ctx);
    case "snapshot":
      return parseBook(p, true, ctx);
    case "l2update":
      return parseBook(p, false, ctx);
    case "heartbeat":
      return HEARTBEAT;
    case "subscriptions":
      return ACK;
    default:
      return UNSUPPORTED.has(type)
        ? ignored(`unsupported:${type}`)
        : invalid("unknown_event", `unknown message type "${type.slice(0, 40)}"`);
  }
}

/** The event time of a product's message, with the fallback described above. */
function eventTime(ctx: ParseContext, product: string, v: unknown): number {
  const times = symbolState<number>(ctx.state, TIMES);
  const t = isoMs(v);
  if (!Number.isNaN(t)) {
    times.set(product, t);
    return t;
  }
  return times.get(product) ?? ctx.recvTs;
}

function parseMatch(p: Record<string, unknown>, what: string, ctx: ParseContext): FrameResult {
  const product = p.product_id;
  if (typeof product !== "string") return badField(what, "product_id", product);
  const id = uint(p.trade_id);
  if (Number.isNaN(id)) return badField(what, "trade_id", p.trade_id);
  const price = num(p.price);
  if (Number.isNaN(price)) return badField(what, "price", p.price);
  const amount = num(p.size);
  if (Number.isNaN(amount)) return badField(what, "size", p.size);
  // the maker's side: a "buy" match filled a resting bid, so the taker sold
  const side = p.side === "buy" ? "sell" : p.side === "sell" ? "buy" : undefined;
  if (side === undefined) return badField(what, "side", p.side);
  const market = resolveMarket(ctx, product);
  if (market === undefined) return unknownSymbol(what, product, "product");
  return data([
    {
      type: "trade",
      exchange: EXCHANGE,
      market,
      symbol: product,
      ts: eventTime(ctx, product, p.time),
      recvTs: ctx.recvTs,
      id: String(id),
      price,
      amount,
      side,
    },
  ]);
}

function parseTicker(p: Record<string, unknown>, ctx: ParseContext): FrameResult {
  const product = p.product_id;
  if (typeof product !== "string") return badField("ticker", "product_id", product);
  const last = num(p.price);
  if (Number.isNaN(last)) return badField("ticker", "price", p.price);
  const open = num(p.open_24h);
  if (Number.isNaN(open)) return badField("ticker", "open_24h", p.open_24h);
  const high = num(p.high_24h);
  if (Number.isNaN(high)) return badField("ticker", "high_24h", p.high_24h);
  const low = num(p.low_24h);
  if (Number.isNaN(low)) return badField("ticker", "low_24h", p.low_24h);
  const volume = num(p.volume_24h);
  if (Number.isNaN(volume)) return badField("ticker", "volume_24h", p.volume_24h);
  const quotes = readBestQuotes(p, "ticker", "size");
  if ("kind" in quotes) return quotes;
  const seq = p.sequence === undefined ? undefined : uint(p.sequence);
  if (Number.isNaN(seq)) return badField("ticker", "sequence", p.sequence);
  const market = resolveMarket(ctx, product);
  if (market === undefined) return unknownSymbol("ticker", product, "product");
  const ts = eventTime(ctx, product, p.time);
  const change = derived(last - open);
  const changePct = open > 0 ? derived((change / open) * 100) : 0;
  const out: MarketMessage[] = [];
  pushTicker(
    out,
    { market, product, ts, recvTs: ctx.recvTs, last, open, high, low, volume, change, changePct },
    quotes,
    seq,
  );
  return data(out);
}

/** `[[price, size], ...]` → levels; the index of the first bad row when one is malformed. */
function levels(v: unknown): Level[] | number {
  if (!Array.isArray(v)) return -1;
  const out: Level[] = new Array(v.length);
  for (let i = 0; i < v.length; i++) {
    const row = v[i];
    if (!Array.isArray(row) || row.length < 2) return i;
    const price = num(row[0]);
    const amount = num(row[1]);
    if (Number.isNaN(price) || Number.isNaN(amount)) return i;
    out[i] = [price, amount];
  }
  return out;
}

function parseBook(p: Record<string, unknown>, snapshot: boolean, ctx: ParseContext): FrameResult {
  const what = snapshot ? "snapshot" : "l2update";
  const product = p.product_id;
  if (typeof product !== "string") return badField(what, "product_id", product);
  const bids: Level[] = [];
  const asks: Level[] = [];
  if (snapshot) {
    for (const [field, side] of [
      ["bids", bids],
      ["asks", asks],
    ] as const) {
      const rows = levels(p[field]);
      if (typeof rows === "number") {
        const value = p[field];
        return rows < 0
          ? badField(what, field, value)
          : badField(what, `${field}[${rows}]`, (value as unknown[])[rows]);
      }
      for (const l of rows) side.push(l);
    }
  } else {
    const changes = p.changes;
    if (!Array.isArray(changes)) return badField(what, "changes", changes);
    for (let i = 0; i < changes.length; i++) {
      const c = changes[i];
      if (!Array.isArray(c) || c.length < 3) return badField(what, `changes[${i}]`, c);
      const price = num(c[1]);
      const amount = num(c[2]);
      if (Number.isNaN(price) || Number.isNaN(amount)) return badField(what, `changes[${i}]`, c);
      if (c[0] === "buy") bids.push([price, amount]);
      else if (c[0] === "sell") asks.push([price, amount]);
      else return badField(what, `changes[${i}][0]`, c[0]);
    }
  }
  const market = resolveMarket(ctx, product);
  if (market === undefined) return unknownSymbol(what, product, "product");
  const ts = snapshot ? ctx.recvTs : eventTime(ctx, product, p.time);
  return data([sequencedBook(ctx, market, product, ts, snapshot, bids, asks)]);
}
